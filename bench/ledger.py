"""Ledger benchmark: a cadre's timeline and a reviewer's queue with 400 people and 200,000 records.

Each figure is the median of N requests through Django's test client (the whole server side of a
request: middleware, queries, template), next to a minimal view (/healthz) measured in the same
run. Not a test: nothing passes or fails here; the closing note reports the figures.

    make bench-ledger                       # SQLite in a throw-away data dir
    XUEBI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuebi_bench make bench-ledger

BENCH_RECORDS (default 200000) and BENCH_RUNS (default 30) change the size and the repetitions.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal

from common import RUNS, measure, report  # sets up Django first

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

RECORDS = int(os.environ.get("BENCH_RECORDS", "200000"))
BATCH = 5000


def generate(total: int) -> None:
    """Bulk-insert records straight into the tables (the services would take hours at this size)."""
    from xuebi.ledger.models import Participant, Record, RecordKind
    from xuebi.org.models import Person, User

    have = Record.objects.count()
    if have >= total:
        return
    rng = random.Random(2021)
    people = list(Person.objects.filter(status="active").values_list("pk", "unit_id"))
    by_unit: dict[int, list[int]] = {}
    for pk, unit in people:
        by_unit.setdefault(unit, []).append(pk)
    kinds = list(RecordKind.objects.filter(is_active=True).values_list("pk", "version", "participation", "name"))
    from xuebi.ledger.models import RecordKindVersion

    schemas = {k: RecordKindVersion.objects.get(kind_id=k, version=v).pk for k, v, _p, _n in kinds}
    creator = User.objects.get(username="league")
    start = dt.date(2026, 1, 1)
    days = (dt.date(2026, 11, 24) - start).days
    now = timezone.now()
    statuses = ["approved"] * 16 + ["submitted"] * 2 + ["returned", "draft"]
    made = have
    while made < total:
        n = min(BATCH, total - made)
        records, groups = [], []
        for _ in range(n):
            author, unit = rng.choice(people)
            kind, _version, participation, name = rng.choice(kinds)
            day = start + dt.timedelta(days=rng.randrange(days))
            status = rng.choice(statuses)
            records.append(
                Record(
                    kind_id=kind,
                    schema_id=schemas[kind],
                    unit_id=unit,
                    author_id=author,
                    created_by=creator,
                    title=f"{name}（{day.month}月{day.day}日）",
                    occurred_on=day,
                    data={"topic": f"学习材料{rng.randrange(1000)}"},
                    status=status,
                    version=1 if status == "approved" else 0,
                    submitted_at=None if status == "draft" else now - dt.timedelta(minutes=rng.randrange(500000)),
                )
            )
            groups.append(participation == "group")
        with transaction.atomic():
            Record.objects.bulk_create(records, batch_size=1000)
            participants = []
            for record, group in zip(records, groups):
                participants.append(
                    Participant(
                        record=record,
                        person_id=record.author_id,
                        unit_id=record.unit_id,
                        role="author",
                        hours=Decimal("1.0"),
                        occurred_on=record.occurred_on,
                    )
                )
                if group:
                    colleagues = [p for p in by_unit.get(record.unit_id, []) if p != record.author_id]
                    for pk in rng.sample(colleagues, min(len(colleagues), rng.randint(3, 8))):
                        participants.append(
                            Participant(
                                record=record,
                                person_id=pk,
                                unit_id=record.unit_id,
                                role="attendee",
                                hours=Decimal("2.0"),
                                occurred_on=record.occurred_on,
                            )
                        )
            Participant.objects.bulk_create(participants, batch_size=2000)
        made += n
        print(f"  generated {made}/{total} records", file=sys.stderr)


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.ledger.models import Participant, Record
    from xuebi.org.models import User

    begin = time.perf_counter()
    generate(RECORDS)
    generated_in = time.perf_counter() - begin
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    cadre = User.objects.get(username="cadre")
    reviewer = User.objects.get(username="reviewer")
    league = User.objects.get(username="league")
    clients = {}
    for user in (cadre, reviewer, league):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    baseline, _ = measure(clients["cadre"], "/healthz")
    rows = [("baseline /healthz", baseline, 0)]
    mine = Participant.objects.filter(person_id=cadre.person_id).count()
    queue_abag = Record.objects.visible_to(reviewer, "review").filter(status="submitted").count()
    queue_league = Record.objects.filter(status="submitted").count()
    for label, client, url, headers in [
        (f"cadre timeline (their {mine} records)", "cadre", "/ledger/", {}),
        ("cadre timeline, page 5", "cadre", "/ledger/?page=5", {}),
        (
            "cadre timeline, search (HTMX)",
            "cadre",
            "/ledger/?q=学习",
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "record-timeline"},
        ),
        (f"reviewer queue, 阿巴嘎 ({queue_abag} waiting)", "reviewer", "/ledger/review/", {}),
        (f"league queue, whole league ({queue_league})", "league", "/ledger/review/", {}),
        (
            "record detail",
            "cadre",
            f"/ledger/{Record.objects.filter(author_id=cadre.person_id).values_list('pk', flat=True).first()}/",
            {},
        ),
        ("API GET /records (cadre, token-less session)", "cadre", "/api/v1/records?limit=20", {}),
    ]:
        median, queries = measure(clients[client], url, **headers)
        rows.append((label, median, queries))
    print(
        f"database: {connection.vendor}; records: {Record.objects.count()}; participants: {Participant.objects.count()}; "
        f"generated in {generated_in:.0f} s; runs per figure: {RUNS}"
    )
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
