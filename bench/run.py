"""Benchmarks for the foundation: roster page, pinyin search, API list — against a baseline.

Each figure is the median of N requests through Django's test client in this process, next to
the median of a minimal view (/healthz) measured in the same run, so the ratio means something
on any machine. Not a test: nothing here passes or fails.

    make bench                 # SQLite in a throw-away data dir
    XUEBI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuebi_bench make bench
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("XUEBI_DATA_DIR", tempfile.mkdtemp(prefix="xuebi-bench-"))
os.environ.setdefault("XUEBI_DEMO", "1")
os.environ.setdefault("XUEBI_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuebi.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def measure(client: Client, url: str, **headers) -> tuple[float, int]:
    client.get(url, **headers)  # warm up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, **headers)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    return statistics.median(times) * 1000, len(queries)


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.accounts.services import token_create
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
        ("roster search 'bysgl' (HTMX fragment)", "/org/people/?q=bysgl", {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "person-table"}),
        ("unit tree page (87 units)", "/org/units/", {}),
        ("API GET /people?search=ba (token)", "/api/v1/people?search=ba", bearer),
        ("API GET /units (token)", "/api/v1/units?limit=100", bearer),
    ]:
        median, queries = measure(client, url, **headers)
        rows.append((label, median, queries))
    print(f"database: {connection.vendor}; people: {Person.objects.count()}; runs per figure: {RUNS}")
    print(f"{'what':44} {'median ms':>10} {'× baseline':>11} {'queries':>8}")
    for label, median, queries in rows:
        print(f"{label:44} {median:10.2f} {median / baseline:11.1f} {queries:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
