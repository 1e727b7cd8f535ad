"""Points-engine benchmark: leaderboards, a viewer's own rank, one award, and the leaderboard
page under load — with 100,000 people in the 13 county units and 10,000,000 journal entries.

    XUEBI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/xuebi_points_bench make bench-points
    make bench-points                     # SQLite in a throw-away data dir, small sizes (5,000 / 200,000)

On PostgreSQL the database is dropped and created again at the start of every run (so its name
must contain "bench"; the server needs the usual "postgres" database to connect to meanwhile),
and the data dir (its keys) is $TMPDIR/xuebi-points-bench, kept for BENCH_REUSE=1.
A full run takes about half an hour on two cores; wrk must be installed (apt-get install wrk).

One invocation runs three stages, so the growth can be read off one output: BENCH_PEOPLE/10
people with BENCH_ENTRIES/10 entries; BENCH_PEOPLE people with as many entries (dealt again over
everyone); BENCH_ENTRIES entries. Each stage prints its tables; the growth summary and the
EXPLAIN plans (own rank; the slowest query of each page over its budget) come last.

    BENCH_PEOPLE   people in the roster (default 100000; SQLite 5000)
    BENCH_ENTRIES  journal entries (default 10000000; SQLite 200000)
    BENCH_GROWTH=0 only the last stage
    BENCH_REUSE=1  the database as it is (not re-created, nothing generated): migrate, rebuild the
                   totals, measure — to measure again after changing the app
    BENCH_RUNS     requests per figure (default 30); BENCH_SLOW_RUNS for slow ones (default 5)
    BENCH_AWARDS   awards timed (default 50)
    BENCH_WORKERS  gunicorn workers (default 2); BENCH_LOAD_SECONDS per wrk run (default 10)

The data is written by set-based SQL (INSERT … SELECT over a series of numbers joined to small
lookup tables), not by the ORM or the engine; on PostgreSQL the journal's secondary indexes are
dropped while loading and built again after, and the totals come from ``standings.rebuild``
(timed). People are spread evenly over the counties' sections; the journal over the campaign's
16 demo rules and 2026-01-01…11-24, unevenly over people (three activity tiers; 5% have no
points), 1% adjustments, 0.5% of awards reversed. The rules' caps are not applied to the
generated rows (the engine's cap checks are what the award figure times).

The figures (medians; "× /healthz": against the minimal view measured in the same run):
* pages and API — the whole server side of one request through Django's test client, as league
  (everyone), abag and cadre (阿巴嘎旗); the people boards show the top 50 and the viewer's own
  rank. Three figures each: "median" (from the cache, as while nothing changes), "fresh" (the
  first request after new points — one award, untimed, before each request — so the board is
  computed again, as it is after every approval; the roster's headcounts stay cached) and "cold"
  (the whole cache emptied before each request, as after a restart or a roster change). "db ms"
  and "slowest q ms" are of one more cold request. Requirement: < 20 ms for the person and unit
  boards of the campaign, warm and fresh (cold is reported).
* straightforward — the same ranking as one GROUP BY over the journal (people; units by county)
  and how many times slower it is than the page (warm, fresh and cold). Requirement: ≥ 200×.
* own rank — ``boards.person_rank`` for a person in the middle and one at the bottom of the
  league (and the middle one within their county): the call's wall time and, on PostgreSQL, the
  "Execution Time" of its statements by EXPLAIN ANALYZE (run in a transaction rolled back, as
  the call may write). Requirement: ≤ 2 ms in the database.
* award — ``engine.award`` of one new approval under the capped 自学 rule for the top person,
  each in its own transaction. Requirement: < 10 ms.
* load — gunicorn (BENCH_WORKERS sync workers) in one process, wrk (2 threads, 8 connections,
  30 s timeout) in another, with a session cookie; requests/second of each page against /healthz
  with the same cookie, and signed-in /healthz against anonymous. Requirements (issue 14): the
  league's board ≥ 40% of signed-in /healthz; signed-in /healthz ≥ 60% of anonymous.
  "non-200" counts every response that is not a 200 (wrk alone would let a redirect to the login
  page pass); "socket errors" are wrk's connect/read/write errors and timeouts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

if os.environ.get("XUEBI_DATABASE_URL", "").startswith("postgres"):
    # The database outlives the run (BENCH_REUSE=1), so must the keys its data was written with
    # (the demo finds its people by a keyed hash of their 身份证号).
    os.environ.setdefault("XUEBI_DATA_DIR", os.path.join(tempfile.gettempdir(), "xuebi-points-bench"))

from common import (
    RUNS,
    QueryLog,
    explain,
    get_status,
    have_wrk,
    is_write,
    measure,
    median_ms,  # sets up Django first
    served,
    table,
    wrk,
)

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

PG = connection.vendor == "postgresql"
PEOPLE = int(os.environ.get("BENCH_PEOPLE", 100_000 if PG else 5_000))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", 10_000_000 if PG else 200_000))
GROWTH = os.environ.get("BENCH_GROWTH", "1") != "0"
REUSE = os.environ.get("BENCH_REUSE", "") == "1"
SLOW_RUNS = int(os.environ.get("BENCH_SLOW_RUNS", "5"))
AWARDS = int(os.environ.get("BENCH_AWARDS", "50"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "10"))
CHUNK = 1_000_000 if PG else 100_000  # journal rows per INSERT … SELECT (one transaction each)

BOARD_MS, TIMES_FASTER, RANK_MS, AWARD_MS, LOAD_SHARE, SIGNED_IN_SHARE = 20, 200, 2, 10, 0.40, 0.60
SLOW_QUERY_MS = 5  # a page over its budget gets the EXPLAIN of its slowest query when that takes this long
FIRST_DAY, LAST_DAY = dt.date(2026, 1, 1), dt.date(2026, 11, 24)


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def execute(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# --- the database -------------------------------------------------------------------------------


def recreate_postgres_database() -> None:
    """Drop and create the configured database (before Django has connected to it)."""
    import psycopg
    from psycopg import sql

    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        sys.exit(
            f"Refusing to drop the database {name!r}: give one whose name contains 'bench' "
            "(or BENCH_REUSE=1 to measure it as it is)."
        )
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def numbers(first: int, last: int) -> tuple[str, list[int]]:
    """A FROM item ``g(n)`` of the integers first…last, and its parameters."""
    if PG:
        return "generate_series(%s::bigint, %s::bigint) AS g(n)", [first, last]
    return "(WITH RECURSIVE s(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM s WHERE n < %s) SELECT n FROM s) AS g", [first, last]


def mix(column: str, multiplier: int) -> str:
    """A pseudo-random non-negative integer from an integer column (a Lehmer step), in SQL that
    SQLite and PostgreSQL both run (``%%``: the modulo, in a statement with parameters)."""
    return f"(({column} * {multiplier}) %% 2147483647)"


def lookup_table(name: str, columns: str, rows: list[tuple]) -> None:
    """A temporary table ``name(idx, …)`` holding ``rows`` numbered from 0."""
    execute(f"DROP TABLE IF EXISTS {name}")
    execute(f"CREATE TEMPORARY TABLE {name} (idx INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join(["%s"] * (len(rows[0]) + 1))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", [(i, *row) for i, row in enumerate(rows)])
    if PG:
        execute(f"ANALYZE {name}")


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "建国",
    "红",
    "志强",
    "海燕",
    "晓东",
    "宇",
    "鑫",
    "婷",
    "雪",
    "琳",
    "斌",
    "浩",
    "凯",
    "欣怡",
    "子涵",
    "巴特尔",
    "其其格",
    "乌云",
    "额尔敦",
    "阿拉坦",
    "苏和",
    "那仁",
    "巴图",
    "萨仁",
    "宝音",
    "格日勒",
    "图雅",
    "朝鲁",
    "敖登",
    "满都拉",
    "哈斯",
    "吉日嘎拉",
    "孟和",
    "乌兰",
    "斯琴",
    "永强",
    "国庆",
    "春梅",
    "海龙",
    "玉兰",
    "志刚",
    "立新",
    "俊杰",
    "晓燕",
    "建军",
    "淑珍",
    "振华",
    "德胜",
    "丽娜",
    "红梅",
    "晓明",
    "文博",
    "雅琴",
    "佳怡",
    "思远",
]


class Generator:
    """Adds people and journal entries straight into the tables."""

    def __init__(self, campaign):
        from xuebi.campaign.models import Rule
        from xuebi.org.models import Unit

        self.campaign = campaign
        self.demo_max_id = scalar("SELECT COALESCE(MAX(id), 0) FROM points_pointentry")
        self.next_n = 1
        counties = list(Unit.objects.filter(depth=2, kind="county_dept").order_by("path"))
        self.units = [
            list(Unit.objects.filter(path__startswith=c.path, depth__gt=2).order_by("path").values_list("pk", flat=True))
            or [c.pk]
            for c in counties
        ]
        # (rule, indicator, dimension, points, note, label) for every kind of award, repeated by weight
        self.awards = []
        for rule in Rule.objects.filter(campaign=campaign, is_active=True).select_related("indicator").order_by("pk"):
            if rule.method == "per_unit":
                values = [rule.points * h for h in (1, 2, 4)]
            elif rule.method == "lookup":
                values = sorted({Decimal(str(v)) for v in rule.lookup.values()})
            else:
                values = [rule.points]
            weight = 4 if rule.source_kind in ("self_study", "nightly_hour") else 1
            label = rule.name.split("，")[0][:40]
            for value in values * weight:
                self.awards.append((rule.pk, rule.indicator_id, rule.indicator.dimension, value, "", label))
            if rule.caps():  # some awards were cut to nothing by a cap
                self.awards.append((rule.pk, rule.indicator_id, rule.indicator.dimension, Decimal(0), "已达上限", label))

    # people

    def people(self, total: int) -> None:
        from xuebi.core import pinyin

        have = scalar("SELECT COUNT(*) FROM org_person")
        if have >= total:
            return
        lookup_table("bench_surname", "name TEXT, py TEXT, ini TEXT", [(s, pinyin.full(s), pinyin.initials(s)) for s in SURNAMES])
        lookup_table("bench_given", "name TEXT, py TEXT, ini TEXT", [(g, pinyin.full(g), pinyin.initials(g)) for g in GIVEN])
        lookup_table("bench_county", "subs INTEGER", [(len(units),) for units in self.units])
        lookup_table(
            "bench_unit",
            "county INTEGER, sub INTEGER, unit_id BIGINT",
            [(c, s, pk) for c, units in enumerate(self.units) for s, pk in enumerate(units)],
        )
        source, params = numbers(have, total - 1)
        now = timezone.now()
        jsonb = "CAST('{}' AS jsonb)" if PG else "'{}'"
        begin = time.perf_counter()
        execute(
            f"""
            INSERT INTO org_person (name, name_pinyin, name_initials, sex, ethnicity, id_number_encrypted,
                id_number_hash, id_number_masked, phone, unit_id, position, rank, education, political_status,
                date_precision, is_org_cadre, status, created_at, updated_at)
            SELECT s.name || gn.name, s.py || gn.py, s.ini || gn.ini,
                   CASE WHEN g.n %% 2 = 0 THEN 'M' ELSE 'F' END,
                   CASE WHEN g.n %% 3 = 0 THEN '蒙古族' ELSE '汉族' END, '', NULL, '', '', u.unit_id, '科员', '',
                   '', 'member', {jsonb}, TRUE, 'active', %s, %s
            FROM {source}
            JOIN bench_surname s ON s.idx = {mix("g.n", 7919)} %% {len(SURNAMES)}
            JOIN bench_given gn ON gn.idx = {mix("g.n", 104729)} %% {len(GIVEN)}
            JOIN bench_county c ON c.idx = g.n %% {len(self.units)}
            JOIN bench_unit u ON u.county = c.idx AND u.sub = (g.n / {len(self.units)}) %% c.subs
        """,
            [now, now, *params],
        )
        execute(
            """
            INSERT INTO org_unitmembership (person_id, unit_id, start_date, end_date)
            SELECT p.id, p.unit_id, %s, NULL FROM org_person p
            WHERE NOT EXISTS (SELECT 1 FROM org_unitmembership m WHERE m.person_id = p.id)
        """,
            [FIRST_DAY],
        )
        log(f"people: {have:,} → {total:,} in {time.perf_counter() - begin:.1f} s")

    # journal

    def _deal(self, viewer_ids: list[int]) -> tuple[int, int, int]:
        """Number the active people in a shuffled order (``bench_person``): entries go to the first
        95%, and the lower the number the more (three tiers: everyone, the first half, the first
        quarter); the last 5% get none. The demo viewers sit in the middle. Returns the tiers."""
        from xuebi.org.models import Person

        people = list(Person.objects.filter(status="active").order_by("pk").values_list("pk", "unit_id"))
        random.Random(2026).shuffle(people)
        for offset, pid in enumerate(viewer_ids):
            mine = next(i for i, (pk, _unit) in enumerate(people) if pk == pid)
            middle = len(people) // 2 + offset
            people[mine], people[middle] = people[middle], people[mine]
        lookup_table("bench_person", "person_id BIGINT, unit_id BIGINT", people)
        active = int(len(people) * 0.95)
        return active, active // 2, active // 4

    def journal(self, total: int, viewer_ids: list[int], *, again: bool = False) -> None:
        """Top the generated journal up to ``total`` rows (``again``: deal it afresh first)."""
        if again:
            begin = time.perf_counter()
            gone = execute("DELETE FROM points_pointentry WHERE id > %s", [self.demo_max_id])
            self.next_n = 1
            log(f"journal: deleted {gone:,} generated rows in {time.perf_counter() - begin:.1f} s")
        have = scalar("SELECT COUNT(*) FROM points_pointentry WHERE id > %s", [self.demo_max_id])
        if have >= total:
            return
        tiers = self._deal(viewer_ids)
        lookup_table(
            "bench_award",
            "rule_id BIGINT, indicator_id BIGINT, dimension TEXT, points NUMERIC(12, 2), note TEXT, label TEXT",
            self.awards,
        )
        days = (LAST_DAY - FIRST_DAY).days + 1
        lookup_table("bench_day", "day DATE", [(FIRST_DAY + dt.timedelta(days=d),) for d in range(days)])
        with bulk_loading():
            while total - have > total // 1000:  # (the reversals make up the last 0.5%)
                n = min(CHUNK, int((total - have) / 1.005) + 1)
                begin = time.perf_counter()
                last_id = scalar("SELECT COALESCE(MAX(id), 0) FROM points_pointentry")
                have += self._insert(self.next_n, self.next_n + n - 1, tiers, days)
                have += self._reverse(last_id)
                self.next_n += n
                log(f"journal: {have:,}/{total:,} rows ({n / (time.perf_counter() - begin):,.0f} rows/s)")

    def _insert(self, first: int, last: int, tiers: tuple[int, int, int], days: int) -> int:
        source, params = numbers(first, last)
        adjust = "g.n %% 100 = 0"  # 1%: an admin's 加分/扣分
        return execute(
            f"""
            INSERT INTO points_pointentry (campaign_id, indicator_id, dimension, rule_id, person_id, unit_id,
                occurred_on, entry_type, points, base_points, note, source_type, source_id, source_version,
                generation, revision, source_label, value_key, reverses_id, created_at, created_by_id)
            SELECT %s, a.indicator_id, a.dimension, CASE WHEN {adjust} THEN NULL ELSE a.rule_id END,
                   p.person_id, p.unit_id, d.day,
                   CASE WHEN {adjust} THEN 'adjustment' ELSE 'award' END,
                   CASE WHEN {adjust} THEN (CASE WHEN g.n %% 300 = 0 THEN -1 ELSE 2 END) ELSE a.points END,
                   CASE WHEN {adjust} THEN NULL ELSE a.points END,
                   CASE WHEN {adjust} THEN '基准测试加减分' ELSE a.note END,
                   CASE WHEN {adjust} THEN 'adjustment' ELSE 'bench' END,
                   CASE WHEN {adjust} THEN '' ELSE CAST(g.n AS TEXT) END,
                   1, 0, 0, CASE WHEN {adjust} THEN '加分' ELSE a.label END, '', NULL, %s, NULL
            FROM {source}
            JOIN bench_award a ON a.idx = {mix("g.n", 16807)} %% {len(self.awards)}
            JOIN bench_day d ON d.idx = {mix("g.n", 39373)} %% {days}
            JOIN bench_person p ON p.idx = {mix("g.n", 48271)} %% (CASE {mix("g.n", 69621)} %% 3
                WHEN 0 THEN {tiers[0]} WHEN 1 THEN {tiers[1]} ELSE {tiers[2]} END)
        """,
            [self.campaign.pk, timezone.now(), *params],
        )

    def _reverse(self, after_id: int) -> int:
        """Reverse 0.5% of the awards just written."""
        return execute(
            """
            INSERT INTO points_pointentry (campaign_id, indicator_id, dimension, rule_id, person_id, unit_id,
                occurred_on, entry_type, points, base_points, note, source_type, source_id, source_version,
                generation, revision, source_label, value_key, reverses_id, created_at, created_by_id)
            SELECT campaign_id, indicator_id, dimension, rule_id, person_id, unit_id, occurred_on, 'reversal',
                   -points, NULL, '冲销：台账记录撤回', source_type, source_id, source_version, generation, revision,
                   source_label, value_key, id, created_at, NULL
            FROM points_pointentry WHERE id > %s AND entry_type = 'award' AND id %% 200 = 7
        """,
            [after_id],
        )


@contextlib.contextmanager
def bulk_loading():
    """PostgreSQL: the journal's secondary indexes dropped while loading and built again after
    (from their own definitions in pg_indexes), foreign-key triggers off for this session."""
    if not PG:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = 'points_pointentry' AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""")
        indexes = cursor.fetchall()
    for name, _definition in indexes:
        execute(f'DROP INDEX "{name}"')
    execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        execute("RESET session_replication_role")
        begin = time.perf_counter()
        execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            execute(definition)
        execute("RESET maintenance_work_mem")
        log(f"journal: {len(indexes)} indexes built in {time.perf_counter() - begin:.1f} s")


def rebuild_totals(campaign) -> tuple[float, float]:
    """(seconds for ``standings.rebuild``, seconds for VACUUM ANALYZE / ANALYZE)."""
    from xuebi.points import standings

    begin = time.perf_counter()
    standings.rebuild(campaign)
    rebuilt = time.perf_counter() - begin
    begin = time.perf_counter()
    execute("VACUUM ANALYZE" if PG else "ANALYZE")  # (VACUUM sets the visibility map: index-only scans)
    return rebuilt, time.perf_counter() - begin


# --- measuring ----------------------------------------------------------------------------------


class Stage:
    """The figures of one size of the data: ``figures`` (name → number) feed the growth summary."""

    def __init__(self, label: str):
        self.label = label
        self.figures: dict[str, float | None] = {}
        self.slow: list[tuple[str, str, tuple]] = []  # (what, sql, params) for EXPLAIN at the end
        self.plans: list[tuple[str, str]] = []


def viewers():
    from xuebi.org.models import User

    clients = {}
    for name in ("league", "abag", "cadre"):
        clients[name] = Client()
        clients[name].force_login(User.objects.get(username=name))
    return clients


def measure_pages(stage: Stage, campaign, clients) -> float:
    """The page and API figures; returns the baseline."""
    from xuebi.campaign.models import Indicator

    indicator = Indicator.objects.filter(campaign=campaign).order_by("sort_order", "pk").first()
    bump = points_bumper(campaign)
    baseline, _ = measure(clients["league"], "/healthz")
    stage.figures["healthz"] = baseline
    pages = [
        ("people board, league (whole league)", "board_league", "league", "/points/board/", True),
        ("people board, abag (阿巴嘎旗)", "board_abag", "abag", "/points/board/", True),
        ("people board, cadre (阿巴嘎旗, own row)", "board_cadre", "cadre", "/points/board/", True),
        ("  month 2026年11月 (league)", "board_month", "league", "/points/board/?period=month:2026-11-01", False),
        ("  quarter Q4 (league)", "board_quarter", "league", "/points/board/?period=quarter:2026-10-01", False),
        ("  类别 学理论 (league)", "board_theory", "league", "/points/board/?category=theory", False),
        (
            f"  indicator {indicator.name} (league)",
            "board_indicator",
            "league",
            f"/points/board/?category=indicator:{indicator.pk}",
            False,
        ),
        (
            "  custom 11-01…11-20 (league; journal)",
            "board_custom",
            "league",
            "/points/board/?period=custom&start=2026-11-01&end=2026-11-20",
            False,
        ),
        (
            "  custom 11-01…11-20 (cadre; journal)",
            "board_custom_cadre",
            "cadre",
            "/points/board/?period=custom&start=2026-11-01&end=2026-11-20",
            False,
        ),
        ("unit board (13 counties)", "units", "league", "/points/board/?board=units", True),
        ("  per head", "units_per_head", "league", "/points/board/?board=units&per_head=on", True),
        ("  month 2026年11月", "units_month", "league", "/points/board/?board=units&period=month:2026-11-01", False),
        ("API leaderboard/people (league)", "api_people", "league", "/api/v1/points/leaderboard/people", False),
        ("API leaderboard/people (cadre)", "api_people_cadre", "cadre", "/api/v1/points/leaderboard/people", False),
        ("API leaderboard/units (league)", "api_units", "league", "/api/v1/points/leaderboard/units", False),
        ("我的积分 (cadre)", "mine", "cadre", "/points/", False),
    ]
    rows = [["/healthz (baseline)", baseline, None, None, 1.0, 0, None, None, ""]]
    for label, key, who, url, required in pages:
        client = clients[who]
        start = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        runs = SLOW_RUNS if first > 500 else RUNS
        median, queries = measure(client, url, runs=runs)
        # fresh: new points just before each request (not timed), so the board is computed again
        fresh = fresh_ms(client, url, runs, bump)
        # cold: the cache emptied before each request, so the board is computed from the database
        cold = median_ms(lambda: (clear_caches(), client.get(url)), runs)
        with QueryLog() as one:
            clear_caches()
            client.get(url)
        slowest = one.slowest()
        stage.figures[key] = median
        stage.figures[key + "_fresh"] = fresh
        stage.figures[key + "_cold"] = cold
        worst = max(median, fresh)
        verdict = (
            ("ok" if worst < BOARD_MS else f"MISSES < {BOARD_MS} ms") + ("" if cold < BOARD_MS else " (cold: over)")
            if required
            else ""
        )
        rows.append(
            [label, median, fresh, cold, median / baseline, queries, one.total_ms, slowest[2] if slowest else None, verdict]
        )
        if max(worst, cold) >= BOARD_MS and slowest and slowest[2] >= SLOW_QUERY_MS:
            stage.slow.append(
                (f"{label.strip()} — its slowest query ({slowest[2]:.1f} ms of {cold:.1f} ms cold)", slowest[0], slowest[1])
            )
    table(
        [
            "what",
            "median ms",
            "fresh ms",
            "cold ms",
            "× /healthz",
            "queries (cold)",
            "db ms (cold)",
            "slowest q ms",
            "requirement",
        ],
        rows,
        title=f"Pages and API through the test client ({RUNS} runs each; {SLOW_RUNS} when a request takes > 0.5 s). "
        "median: boards come from the cache while nothing changed; fresh: the first request after new points "
        "(the board computed again; the roster's headcounts still cached); cold: the cache emptied before each request",
    )
    return baseline


def clear_caches() -> None:
    """Every cache emptied: the shared one and the boards' local copies (``points.boards.cached``)."""
    for each in caches.all():
        each.clear()


def fresh_ms(client, url: str, runs: int, bump) -> float:
    """Median milliseconds of a request made right after ``bump()`` (untimed) added points."""
    bump()
    client.get(url)
    times = []
    for _ in range(runs):
        bump()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def points_bumper(campaign):
    """A function that awards one approval (a 自学 record) to someone who is not a viewer: new
    points, so every board's version changes."""
    from xuebi.org.models import Person
    from xuebi.points.engine import Participation, Source, award

    person = Person.objects.filter(account__isnull=True).order_by("-pk").first()
    last = scalar(
        "SELECT MAX(CAST(source_id AS BIGINT)) FROM points_pointentry WHERE source_type = 'ledger' AND source_id LIKE '8________'"
    )
    counter = iter(range((last or 800_000_000) + 1, 900_000_000))

    def bump():
        i = next(counter)
        award(
            Source(
                type="ledger",
                id=str(i),
                version=1,
                kind="self_study",
                occurred_on=LAST_DAY - dt.timedelta(days=i % 300),
                label="自学（基准测试）",
                participants=(Participation(person.pk, person.unit_id, "author"),),
            )
        )

    return bump


STRAIGHT_PEOPLE = """
    SELECT person_id, SUM(points) AS score, RANK() OVER (ORDER BY SUM(points) DESC) AS rank
    FROM points_pointentry WHERE campaign_id = %s
    GROUP BY person_id ORDER BY score DESC, person_id LIMIT 50"""
STRAIGHT_UNITS = """
    SELECT SUBSTR(u.path, 1, {prefix}) AS county, SUM(e.points) AS score, RANK() OVER (ORDER BY SUM(e.points) DESC) AS rank
    FROM points_pointentry e JOIN org_unit u ON u.id = e.unit_id
    WHERE e.campaign_id = %s AND u.depth >= 2
    GROUP BY 1 ORDER BY score DESC"""


def measure_straightforward(stage: Stage, campaign) -> None:
    from xuebi.org.models import Unit

    def run(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    prefix = Unit.steplen * 2
    rows = []
    for label, key, page, sql, params in [
        ("people: GROUP BY person over the journal, top 50", "straight_people", "board_league", STRAIGHT_PEOPLE, [campaign.pk]),
        (
            "units: GROUP BY county over the journal",
            "straight_units",
            "units",
            STRAIGHT_UNITS.format(prefix=prefix),
            [campaign.pk],
        ),
    ]:
        median = median_ms(lambda: run(sql, params), SLOW_RUNS)
        stage.figures[key] = median
        times = median / stage.figures[page]
        fresh = median / stage.figures[page + "_fresh"]
        cold = median / stage.figures[page + "_cold"]
        stage.figures[f"{key}_times"] = times
        stage.figures[f"{key}_times_fresh"] = fresh
        stage.figures[f"{key}_times_cold"] = cold
        rows.append(
            [
                label,
                median,
                f"{times:,.0f}×",
                f"{fresh:,.0f}×",
                f"{cold:,.0f}×",
                "ok" if min(times, fresh) >= TIMES_FASTER else f"MISSES ≥ {TIMES_FASTER}×",
            ]
        )
    table(
        ["straightforward query", "median ms", "page is faster by", "fresh page", "cold page", "requirement"],
        rows,
        title=f"The straightforward query, in the database ({SLOW_RUNS} runs) — against the league's page",
    )


def measure_own_rank(stage: Stage, campaign, last: bool) -> None:
    from xuebi.org.models import Person
    from xuebi.points import boards
    from xuebi.points.models import PersonTotal
    from xuebi.points.selectors import county_of

    ranked = PersonTotal.objects.overall().filter(campaign=campaign).order_by("-total", "person_id")
    count = ranked.count()
    middle = Person.objects.select_related("unit").get(pk=ranked.values_list("person_id", flat=True)[count // 2])
    bottom = Person.objects.select_related("unit").get(pk=ranked.values_list("person_id", flat=True)[count - 1])
    rows = []
    for label, key, person, paths in [
        ("middle of the league", "rank_middle", middle, None),
        ("bottom of the league", "rank_bottom", bottom, None),
        ("middle, within their county", "rank_middle_county", middle, [county_of(middle.unit).path]),
    ]:
        call = lambda: boards.person_rank(campaign, person, paths)  # noqa: E731
        wall = median_ms(call)
        with QueryLog() as queries:
            rank, _score = call()
        db = None
        if PG:
            db = 0.0
            for i, (sql, params, _ms) in enumerate(queries.queries, 1):
                plan, ms = explain(sql, params, runs=SLOW_RUNS)
                db += ms
                if last and key != "rank_bottom":
                    stage.plans.append(
                        (
                            f"own rank, {label} (rank {rank:,}), query {i} of {len(queries.queries)}: {ms:.3f} ms",
                            bound_sql(sql, params) + "\n" + clip(plan),
                        )
                    )
        stage.figures[key] = db if db is not None else wall
        verdict = ("ok" if db <= RANK_MS else f"MISSES ≤ {RANK_MS} ms") if db is not None else "(EXPLAIN on PostgreSQL only)"
        writes = sum(is_write(sql) for sql, _params, _ms in queries.queries)
        rows.append([label, rank, wall, len(queries.queries), writes, db, verdict])
    table(
        ["person_rank", "rank", "call ms", "queries", "of them writes", "db execution ms", "requirement"],
        rows,
        title=f"A viewer's own rank among {count:,} ranked people (boards.person_rank; EXPLAIN ANALYZE × {SLOW_RUNS})",
    )


def measure_award(stage: Stage, campaign) -> None:
    from xuebi.org.models import Person
    from xuebi.points.engine import Participation, Source, award
    from xuebi.points.models import PersonTotal, PointEntry

    top = (
        PersonTotal.objects.overall()
        .filter(campaign=campaign)
        .exclude(person__account__isnull=False)
        .order_by("-total")
        .values_list("person_id", flat=True)[0]
    )  # the top of the board (not a demo viewer)
    person = Person.objects.get(pk=top)
    entries = PointEntry.objects.filter(person=person).count()
    # a ledger record's id (the rules are for ledger records): nine-digit numbers no record has,
    # above those of earlier runs on the same database
    last = scalar(
        "SELECT MAX(CAST(source_id AS BIGINT)) FROM points_pointentry WHERE source_type = 'ledger' AND source_id LIKE '9________'"
    )
    counter = iter(range((last or 900_000_000) + 1, 10**9))

    def one():
        i = next(counter)
        source = Source(
            type="ledger",
            id=str(i),
            version=1,
            kind="self_study",
            occurred_on=LAST_DAY - dt.timedelta(days=i % 30),
            label="自学（基准测试）",
            participants=(Participation(person.pk, person.unit_id, "author"),),
        )
        made = award(source)
        assert len(made) == 1, made

    median = median_ms(one, AWARDS)
    with QueryLog() as queries:
        one()
    stage.figures["award"] = median
    table(
        ["award", "median ms", "queries", "db ms", "requirement"],
        [
            [
                f"engine.award, 自学 (cap 2/day), person with {entries:,} entries",
                median,
                len(queries.queries),
                queries.total_ms,
                "ok" if median < AWARD_MS else f"MISSES < {AWARD_MS} ms",
            ]
        ],
        title=f"Awarding one approval, each in its own transaction ({AWARDS} awards)",
    )


def measure_load(stage: Stage, clients) -> None:
    """The baseline is /healthz with the same session cookie as the pages (the minimal view
    served the same way: session and user loaded by the middleware); anonymous for reference."""
    if not have_wrk():
        print("\n(load test skipped: wrk is not installed — apt-get install wrk)")
        return
    cookies = {
        who: f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}" for who, c in clients.items()
    }
    targets = [
        ("/healthz, signed in (baseline)", "load_healthz", "league", "/healthz"),
        ("/healthz, anonymous", "load_healthz_anonymous", None, "/healthz"),
        ("people board, league", "load_board_league", "league", "/points/board/"),
        ("people board, cadre", "load_board_cadre", "cadre", "/points/board/"),
        ("unit board", "load_units", "league", "/points/board/?board=units"),
    ]
    rows, commands = [], []
    with served(WORKERS) as server:
        port, command = server.port, server.command
        for label, key, who, path in targets:
            cookie = cookies.get(who)
            status, size = get_status(port, path, cookie)
            if status != 200:  # say what the server said, and go on with the others
                print(f"\n!! {path} as {who} answered HTTP {status} under gunicorn; its log:\n{server.log()}")
                rows.append([label, None, None, None, None, None, None, None, None, None, f"FAILED: HTTP {status}"])
                continue
            wrk(f"http://127.0.0.1:{port}{path}", seconds=2, cookie=cookie)  # warm the workers
            result = wrk(f"http://127.0.0.1:{port}{path}", seconds=LOAD_SECONDS, cookie=cookie)
            commands.append(result["command"].replace(f":{port}", ":PORT"))
            stage.figures[key] = result["rps"]
            share = result["rps"] / stage.figures.get("load_healthz", result["rps"])
            anonymous = stage.figures.get("load_healthz_anonymous")
            verdict = ""
            if key == "load_healthz_anonymous" and "load_healthz" in stage.figures and rows:
                signed_in = stage.figures["load_signed_in_share"] = stage.figures["load_healthz"] / result["rps"]
                rows[0][3] = f"{signed_in:.1%}"
                rows[0][-1] = "ok" if signed_in >= SIGNED_IN_SHARE else f"MISSES ≥ {SIGNED_IN_SHARE:.0%} of anon."
            if key == "load_board_league":
                stage.figures["load_share"] = share
                stage.figures["load_share_anonymous"] = result["rps"] / anonymous
                verdict = "ok" if share >= LOAD_SHARE else f"MISSES ≥ {LOAD_SHARE:.0%}"
            rows.append(
                [
                    label,
                    result["rps"],
                    f"{share:.1%}",
                    f"{result['rps'] / anonymous:.1%}" if anonymous else None,
                    result["requests"],
                    result["non200"],
                    result["errors"],
                    result["p50"],
                    result["p99"],
                    f"{size:,} B",
                    verdict,
                ]
            )
    table(
        [
            "served by gunicorn, loaded by wrk",
            "req/s",
            "of signed-in",
            "of anonymous",
            "requests",
            "non-200",
            "socket errors",
            "p50 ms",
            "p99 ms",
            "page",
            "requirement",
        ],
        rows,
        title=f"Under load ({LOAD_SECONDS} s each after a 2 s warm-up): {command.replace(f':{port}', ':PORT')}\n"
        f"  wrk: {commands[-1].rsplit(' ', 1)[0] if commands else '—'} URL",
    )


# --- the run ------------------------------------------------------------------------------------


def code_version() -> str:
    """The commit of the code measured (and whether its src/ had changes not committed)."""
    import xuebi

    src = os.path.dirname(os.path.dirname(xuebi.__file__))
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=src, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."], cwd=src, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"in {src} (not a git checkout)"
    return f"{head}{' + uncommitted changes' if dirty else ''} in {src}"


def short(n: int) -> str:
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k" if n >= 1e3 else str(n)


def stages() -> list[tuple[int, int]]:
    if REUSE:
        return [(0, 0)]
    sizes = [(PEOPLE // 10, ENTRIES // 10), (PEOPLE, ENTRIES // 10), (PEOPLE, ENTRIES)] if GROWTH else [(PEOPLE, ENTRIES)]
    return [s for i, s in enumerate(sizes) if s not in sizes[:i]]


def main() -> int:
    started = time.perf_counter()
    if PG and not REUSE:
        recreate_postgres_database()
    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))
    from django.db.models import Count

    from xuebi.org.models import Person, User
    from xuebi.points.models import PersonTotal, PointEntry, UnitTotal
    from xuebi.points.selectors import current_campaign

    campaign = current_campaign(timezone.localdate())
    generator = Generator(campaign)
    viewer_ids = [pk for pk in User.objects.filter(person__isnull=False).values_list("person_id", flat=True)]
    version = scalar("SHOW server_version") if PG else scalar("SELECT sqlite_version()")
    print(
        f"xuebi points benchmark — {'PostgreSQL' if PG else 'SQLite'} {version}; today {timezone.localdate()}; "
        f"campaign {campaign.name}; {os.cpu_count()} CPUs; code {code_version()}"
    )
    done: list[Stage] = []
    plan = stages()
    for number, (people, entries) in enumerate(plan, 1):
        begin = time.perf_counter()
        if not REUSE:
            generator.people(people)
            again = bool(done) and people != plan[number - 2][0]  # more people: deal the journal again over all
            generator.journal(entries, viewer_ids, again=again)
        generated = time.perf_counter() - begin
        rebuilt, vacuumed = rebuild_totals(campaign)
        counts = dict(PointEntry.objects.values_list("entry_type").annotate(n=Count("pk")).order_by())
        people_now, entries_now = Person.objects.count(), sum(counts.values())
        stage = Stage(f"{short(people_now)} / {short(entries_now)}")
        print(
            f"\n{'=' * 100}\nStage {number}/{len(plan)}: {people_now:,} people, {entries_now:,} journal entries "
            f"({counts.get('award', 0):,} awards, {counts.get('adjustment', 0):,} adjustments, {counts.get('reversal', 0):,} reversals)"
        )
        print(
            f"generated in {generated:.0f} s; standings.rebuild in {rebuilt:.1f} s "
            f"({PersonTotal.objects.count():,} person and {UnitTotal.objects.count():,} unit total rows); "
            f"{'VACUUM ANALYZE' if PG else 'ANALYZE'} in {vacuumed:.1f} s"
        )
        stage.figures.update(rebuild_s=rebuilt, people=people_now, entries=entries_now)
        last = number == len(plan)
        clients = viewers()
        measure_pages(stage, campaign, clients)
        measure_straightforward(stage, campaign)
        measure_own_rank(stage, campaign, last)
        measure_award(stage, campaign)
        measure_load(stage, clients)
        done.append(stage)
    summarise(done)
    explain_slow(done[-1])
    print(f"\ntotal run time {(time.perf_counter() - started) / 60:.1f} min")
    return 0


GROWTH_ROWS = [
    ("people", "people", None),
    ("journal entries", "entries", None),
    ("standings.rebuild s", "rebuild_s", None),
    ("/healthz ms", "healthz", None),
    ("people board, league ms", "board_league", f"< {BOARD_MS}"),
    ("  fresh ms", "board_league_fresh", f"< {BOARD_MS}"),
    ("  cold ms", "board_league_cold", None),
    ("people board, abag ms", "board_abag", f"< {BOARD_MS}"),
    ("  fresh ms", "board_abag_fresh", f"< {BOARD_MS}"),
    ("  cold ms", "board_abag_cold", None),
    ("people board, cadre ms", "board_cadre", f"< {BOARD_MS}"),
    ("  fresh ms", "board_cadre_fresh", f"< {BOARD_MS}"),
    ("  cold ms", "board_cadre_cold", None),
    ("  month ms", "board_month", None),
    ("  month, fresh ms", "board_month_fresh", None),
    ("  indicator ms", "board_indicator", None),
    ("  custom range, fresh ms", "board_custom_fresh", None),
    ("unit board ms", "units", f"< {BOARD_MS}"),
    ("  fresh ms", "units_fresh", f"< {BOARD_MS}"),
    ("  cold ms", "units_cold", None),
    ("  per head, fresh ms", "units_per_head_fresh", f"< {BOARD_MS}"),
    ("API people ms", "api_people", None),
    ("API units ms", "api_units", None),
    ("straightforward people ms", "straight_people", None),
    ("  page faster by ×", "straight_people_times", f"≥ {TIMES_FASTER}"),
    ("  fresh page faster by ×", "straight_people_times_fresh", f"≥ {TIMES_FASTER}"),
    ("  cold page faster by ×", "straight_people_times_cold", None),
    ("straightforward units ms", "straight_units", None),
    ("  page faster by ×", "straight_units_times", f"≥ {TIMES_FASTER}"),
    ("  fresh page faster by ×", "straight_units_times_fresh", f"≥ {TIMES_FASTER}"),
    ("  cold page faster by ×", "straight_units_times_cold", None),
    (f"own rank, middle, {'db' if PG else 'call'} ms", "rank_middle", f"≤ {RANK_MS}"),
    (f"own rank, bottom, {'db' if PG else 'call'} ms", "rank_bottom", f"≤ {RANK_MS}"),
    (f"own rank, middle in county, {'db' if PG else 'call'} ms", "rank_middle_county", f"≤ {RANK_MS}"),
    ("award ms", "award", f"< {AWARD_MS}"),
    ("load /healthz signed in req/s", "load_healthz", None),
    ("load /healthz anonymous req/s", "load_healthz_anonymous", None),
    ("  signed-in share of anonymous", "load_signed_in_share", f"≥ {SIGNED_IN_SHARE:.0%}"),
    ("load people board req/s", "load_board_league", None),
    ("  share of signed-in /healthz", "load_share", f"≥ {LOAD_SHARE:.0%}"),
    ("  share of anonymous /healthz", "load_share_anonymous", None),
]


def summarise(done: list[Stage]) -> None:
    rows = []
    for label, key, requirement in GROWTH_ROWS:
        values = [s.figures.get(key) for s in done]
        if all(v is None for v in values):
            continue
        shown = [f"{v:.1%}" if key.startswith(("load_share", "load_signed_in_share")) and v is not None else v for v in values]
        growth = [f"{values[i] / values[i - 1]:.2f}×" if values[i] and values[i - 1] else None for i in range(1, len(values))]
        rows.append([label, *shown, *growth, requirement or ""])
    heads = [s.label for s in done]
    growth_heads = [f"{heads[i - 1]} → {heads[i]}" for i in range(1, len(heads))]
    print(f"\n{'=' * 100}")
    table(
        ["growth", *heads, *growth_heads, "requirement"],
        rows,
        title="How the costs grow (people / entries); the last columns are the ratios between stages",
    )


def bound_sql(sql: str, params, limit: int = 1500) -> str:
    """The statement with its parameters in place, cut short when long (a bulk INSERT or a
    DELETE … IN of thousands of ids)."""
    text = connection.ops.compose_sql(sql, params)
    return text if len(text) <= limit else f"{text[:limit]} … [{len(text) - limit:,} more characters]"


def clip(plan: str, limit: int = 400) -> str:
    """A plan with each line cut short (an ``id = ANY('{…}')`` condition can run to pages)."""
    return "\n".join(line if len(line) <= limit else f"{line[:limit]} …" for line in plan.splitlines())


def explain_slow(stage: Stage) -> None:
    """The plans of the last stage: the own-rank queries, then the slowest query of each page
    over its budget (each distinct statement once)."""
    if not PG:
        return
    for label, plan in stage.plans:
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) — {label}\n{plan}")
    seen: dict[str, str] = {}
    for label, sql, params in stage.slow:
        if sql in seen:
            print(f"\n{label}: the same statement as for {seen[sql]}")
            continue
        seen[sql] = label.split(" — ")[0]
        plan, ms = explain(sql, params)
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) — {label}; execution {ms:.1f} ms\n{bound_sql(sql, params)}\n{clip(plan)}")


if __name__ == "__main__":
    sys.exit(main())
