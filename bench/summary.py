"""Annual summary (年度总结) benchmark: the figures of a campaign, league-wide and for one county, on
a large ledger — against the minimal view measured in the same run.

    .venv/bin/python bench/summary.py                           # SQLite in a throw-away data dir
    XUEBI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuebi_bench .venv/bin/python bench/summary.py

The records are bench/ledger.py's (``generate``: BENCH_RECORDS, default 200,000, spread over every
demo kind, 80% approved); then the records of the kinds the summary reads get the fields it
filters and sums (刊播平台, 媒体级别, 班次类型, 参训人数, 播放量), dealt by id so every choice occurs.
The issue's budget is "the summary's figures under 1 s" on the points benchmark's dataset; what
the figures read is the records, so the size that matters is BENCH_RECORDS.

Figures (medians of BENCH_RUNS): the figures alone (``selectors.summary_for``: settings, kinds, one
aggregate, the draft), league-wide and for 阿巴嘎旗; the API and the page as a league admin. On
PostgreSQL the plan of the aggregate is printed too.

Measured on the shared two-core machine (BENCH_RUNS=10): SQLite, 20,000 records — figures 24 ms
league-wide, 11 ms for a county, the page 32 ms; SQLite, 200,000 records (with tests running
beside it) — 484 / 403 ms, the page 464 ms; PostgreSQL, 50,000 records — 17 / 15 ms, the API 24 ms,
the page 31 ms (the aggregate: a bitmap scan of the eight kinds' rows, 12 ms). Four queries for the
figures at any size; the time grows with the records of the catalogue's kinds in the campaign.
"""

from __future__ import annotations

import os
import sys

from common import QueryLog, explain, measure, median_ms, report  # sets up Django first

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from ledger import RECORDS, generate  # noqa: E402

# (kind code, [data dealt by record id modulo the list's length])
DATA = {
    "publicity": [
        {"title": "稿件", "channel": channel, "origin": origin}
        for channel in ("微信公众号", "网站", "报纸", "广播电视", "其他")
        for origin in ("原创", "转发")
    ],
    "media_publication": [
        {"title": "报道", "medium": "内蒙古日报", "level": level} for level in ("中央", "自治区", "盟", "旗县")
    ],
    "training": [
        {"title": "培训", "class_type": class_type, "days": "2", "trainees": str(trainees)}
        for class_type in ("专题研讨班", "轮训班", "示范班", "业务培训班", "其他")
        for trainees in (20, 45, 120)
    ],
    "video_views": [
        {"title": "微视频", "platform": "视频号", "views": str(views), "counted_on": "2026-06-01"} for views in (7, 130, 2046)
    ],
    "org_info": [{"title": "信息", "submitted_on": "2026-06-01", "level": level} for level in ("中央", "自治区", "盟", "未采用")],
}


def fill_fields() -> None:
    """Give the summary's kinds the fields it reads (idempotent: the same data for the same id)."""
    from xuebi.ledger.models import Record, RecordKind

    kinds = dict(RecordKind.objects.filter(code__in=DATA).values_list("code", "pk"))
    for code, variants in DATA.items():
        records = Record.objects.filter(kind_id=kinds[code]).annotate(slot=F("pk") % len(variants))
        for slot, data in enumerate(variants):
            records.filter(slot=slot).update(data=data)


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))
    from xuebi.ledger.models import Record
    from xuebi.org.models import Unit, User
    from xuebi.points.selectors import current_campaign
    from xuebi.reports.selectors import summary as selectors

    generate(RECORDS)
    fill_fields()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    campaign = current_campaign(timezone.localdate())
    league_unit = Unit.objects.get(depth=1)
    abag = Unit.objects.get(name="阿巴嘎旗委组织部")
    league = User.objects.get(username="league")
    client = Client()
    client.force_login(league)

    baseline, _ = measure(client, "/healthz")
    rows = [("baseline /healthz", baseline, 0)]
    for label, unit in (("figures, league-wide (全盟)", league_unit), ("figures, one county (阿巴嘎旗)", abag)):
        median = median_ms(lambda unit=unit: selectors.summary_for(campaign=campaign, unit=unit))
        with QueryLog() as log:
            summary = selectors.summary_for(campaign=campaign, unit=unit)
        rows.append((label, median, len(log.queries)))
    for label, url in (
        ("API GET /api/v1/reports/summary (league)", f"/api/v1/reports/summary?campaign_id={campaign.pk}"),
        ("page /reports/summary/ (league)", f"/reports/summary/?campaign={campaign.pk}&unit={league_unit.pk}"),
    ):
        median, queries = measure(client, url)
        rows.append((label, median, queries))
    approved = Record.objects.filter(status="approved", occurred_on__range=(campaign.start_date, campaign.end_date)).count()
    print(f"database: {connection.vendor}; records: {Record.objects.count()} ({approved} approved in {campaign.name})")
    report(rows)
    summary = selectors.summary_for(campaign=campaign, unit=league_unit)
    print("\n" + summary.text)
    if connection.vendor == "postgresql":
        with QueryLog() as log:
            selectors.summary_for(campaign=campaign, unit=league_unit)
        sql, params, _ms = max(log.queries, key=lambda q: q[2])
        plan, ms = explain(sql, params, runs=3)
        print(f"\nthe slowest query ({ms:.1f} ms):\n{plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
