"""Benchmarks for the foundation: roster page, pinyin search, API list — against a baseline.

Each figure is the median of N requests through Django's test client in this process, next to
the median of a minimal view (/healthz) measured in the same run, so the ratio means something
on any machine. Not a test: nothing here passes or fails.

    make bench                 # SQLite in a throw-away data dir
    XUEBI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuebi_bench make bench
"""

from __future__ import annotations

import os
import sys

from common import RUNS, measure, report  # sets up Django first

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.accounts.services.accounts import token_create
    from xuebi.org.models import Person, User

    league = User.objects.get(username="league")
    client = Client()
    client.force_login(league)
    _t, key = token_create(user=league, name="bench")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    baseline, _ = measure(client, "/healthz")
    rows = [("baseline /healthz", baseline, 0)]
    for label, url, headers in [
        ("roster page, 25 of 400 people", "/org/people/", {}),
        (
            "roster search 'bysgl' (HTMX fragment)",
            "/org/people/?q=bysgl",
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "person-table"},
        ),
        ("unit tree page (87 units)", "/org/units/", {}),
        ("API GET /people?search=ba (token)", "/api/v1/people?search=ba", bearer),
        ("API GET /units (token)", "/api/v1/units?limit=100", bearer),
    ]:
        median, queries = measure(client, url, **headers)
        rows.append((label, median, queries))
    print(f"database: {connection.vendor}; people: {Person.objects.count()}; runs per figure: {RUNS}")
    report(rows, width=44)
    return 0


if __name__ == "__main__":
    sys.exit(main())
