"""Leaderboards (排行榜): people within a unit subtree, units across the league or within one
unit — by campaign, 类别, indicator and period, with the movement since the previous period.

Every ranking is computed by the database: ``RANK()`` over the maintained totals (``standings``)
for the whole campaign, a quarter or a month, read in the order of a rank index (by total, by
类别, per indicator, per county), so the top 50 are read without sorting the rest. A custom range
is summed from the journal (the only slow path; see bench/points.py). Ties share a rank (1, 2,
2, 4). A viewer's own rank and the previous ranks of the people shown are ``1 + how many have
more``, from the band counts (``standings.ranks_from_counts``) among the league or one county,
else a range count on the index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.db import transaction
from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Coalesce, Rank

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.choices import UnitKind
from xuebi.org.models import Person, Unit
from xuebi.org.selectors import unit_label
from xuebi.core import prefetch
from xuebi.core.formatting import date_text
from xuebi.org.scoping import ACCESS_KEY

from . import sql as statements
from . import standings
from .models import Period, PersonTotal, PointEntry

__all__ = [
    "Span",
    "Board",
    "span_for",
    "previous_span",
    "people_board",
    "unit_board",
    "person_rank",
    "person_standing",
    "version",
    "Version",
    "PERIODS",
    "may_drill_into",
]

DIMENSIONS = [(d.value, d.label) for d in Dimension]
CACHE_SECONDS = 600  # boards, their pages and the campaign shown: a safety net (the keys carry ``version()``)
HEADCOUNT_SECONDS = 3600
PERIODS = [("campaign", "活动期间"), ("year", "全年"), ("quarter", "季度"), ("month", "月"), ("custom", "自定义")]


@dataclass(frozen=True)
class Span:
    """The dates a board covers, and where its figures are kept: ``key`` names the rows of
    ``PersonTotal``/``UnitTotal`` that hold exactly this span; ``upto`` marks the standing at
    the end of a month (the campaign board's previous ranking); neither — summed from the journal."""

    kind: str
    start: dt.date
    end: dt.date
    label: str
    key: tuple[str, dt.date] | None = None
    upto: dt.date | None = None


def _month(campaign: Campaign, day: dt.date) -> Span:
    start = standings.month_start(day)
    return Span("month", start, standings.month_end(start), f"{start.year}年{start.month}月", (Period.MONTH, start))


def _quarter(campaign: Campaign, day: dt.date) -> Span:
    start = standings.quarter_start(day)
    end = standings.month_end(start.replace(month=start.month + 2))
    return Span("quarter", start, end, f"{start.year}年第{(start.month - 1) // 3 + 1}季度", (Period.QUARTER, start))


def _whole(campaign: Campaign) -> Span:
    return Span("campaign", campaign.start_date, campaign.end_date, "活动期间", (Period.CAMPAIGN, campaign.start_date))


def span_for(
    campaign: Campaign,
    kind: str = "campaign",
    *,
    on: dt.date | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
) -> Span:
    """The span a board asks for. ``on`` is any day of the month, quarter or year (default: today,
    or the campaign's last day once it is over). Raises ``ValidationError`` naming the field."""
    today = today or timezone.localdate()
    if kind not in dict(PERIODS):
        raise ValidationError({"period": f"期间应为：{'、'.join(label for _, label in PERIODS)}。"})
    if kind == "campaign":
        return _whole(campaign)
    if kind == "custom":
        if start is None or end is None:
            raise ValidationError({"start" if start is None else "end": "自定义期间请填写开始日期和结束日期。"})
        if start > end:
            raise ValidationError({"end": "结束日期不能早于开始日期。"})
        for name, day in (("start", start), ("end", end)):
            if not campaign.start_date <= day <= campaign.end_date:
                raise ValidationError(
                    {name: f"日期应在活动期间内（{date_text(campaign.start_date)}—{date_text(campaign.end_date)}）。"}
                )
        return Span("custom", start, end, f"{date_text(start)}—{date_text(end)}")
    day = on or min(max(today, campaign.start_date), campaign.end_date)
    if not campaign.start_date <= day <= campaign.end_date:
        raise ValidationError({"on": f"日期应在活动期间内（{date_text(campaign.start_date)}—{date_text(campaign.end_date)}）。"})
    if kind == "month":
        return _month(campaign, day)
    if kind == "quarter":
        return _quarter(campaign, day)
    if campaign.start_date.year == campaign.end_date.year:  # the usual one-year campaign: its year is itself
        return replace(_whole(campaign), kind="year", label=f"{campaign.start_date.year}年")
    first, last = max(dt.date(day.year, 1, 1), campaign.start_date), min(dt.date(day.year, 12, 31), campaign.end_date)
    return Span("year", first, last, f"{day.year}年")


def previous_span(campaign: Campaign, span: Span, *, today: dt.date | None = None) -> Span | None:
    """What "movement" compares with: the previous month or quarter, the standing at the end of
    last month for the campaign, the same number of days before a custom range."""
    if span.kind == "month":
        day = span.start - dt.timedelta(days=1)
        return _month(campaign, day) if day >= campaign.start_date else None
    if span.kind == "quarter":
        day = span.start - dt.timedelta(days=1)
        return _quarter(campaign, day) if day >= campaign.start_date else None
    if span.kind == "custom":
        length = span.end - span.start
        end = span.start - dt.timedelta(days=1)
        if end < campaign.start_date:
            return None
        start = max(end - length, campaign.start_date)
        return Span("custom", start, end, f"{date_text(start)}—{date_text(end)}")
    if span.key and span.key[0] == Period.CAMPAIGN:
        # The latest month-end snapshot there is: a page never builds one (that is an INSERT … SELECT
        # over the whole campaign, under its lock); the scheduled task does (build_due_snapshots).
        month = standings.snapshot_month(campaign)
        if month is None:
            return None
        return Span(
            "upto",
            span.start,
            standings.month_end(month),
            f"截至{month.year}年{month.month}月底",
            (Period.SNAPSHOT, month),
            upto=month,
        )
    return None


@dataclass
class Board:
    """One leaderboard as asked for: campaign, span, 类别 (``total`` or a dimension) or indicator."""

    campaign: Campaign
    span: Span
    dimension: str = "total"
    indicator: Indicator | None = None
    previous: Span | None = None
    rows: list = field(default_factory=list)
    me: dict | None = None

    @property
    def compared_with(self) -> str | None:
        return self.previous.label if self.previous else None

    @property
    def category_label(self) -> str:
        return f"指标“{self.indicator.name}”" if self.indicator else str(dict(DIMENSIONS).get(self.dimension, "总分"))

    @property
    def column(self) -> str:
        """The totals column ranked on: an indicator's rows hold it in ``total``."""
        return "total" if self.indicator or self.dimension not in dict(DIMENSIONS) else self.dimension


# --- people ------------------------------------------------------------------------------------


class Scope:
    """Whose people a board ranks: the subtrees of ``paths`` (``None``: the whole league) — and,
    when that is exactly one county (or one of the 盟委组织部's sections), the county's id, read
    once: the scope of every county admin, reviewer and cadre, served by the rows' own county."""

    def __init__(self, paths: list[str] | None):
        self.paths = paths

    @cached_property
    def county(self) -> int | None:
        paths = self.paths
        if paths and len(paths) == 1 and len(paths[0]) == 2 * Unit.steplen:
            return Unit.objects.filter(path=paths[0]).values_list("pk", flat=True).first()
        return None


def _scope(rows: QuerySet, scope: Scope, field: str = "person__unit") -> QuerySet:
    """Only people whose current unit lies in the scope."""
    if scope.paths is None:
        return rows
    if rows.model is PersonTotal and scope.county is not None:
        return rows.filter(county_id=scope.county)
    units = Q(pk__in=[])
    for path in scope.paths:
        units |= Q(path__startswith=path)
    return rows.filter(**{f"{field}__in": Unit.objects.filter(units).values("pk")})


def _kept(board: Board, span: Span) -> QuerySet:
    period, start = span.key
    return PersonTotal.objects.filter(campaign=board.campaign, period=period, period_start=start, indicator=board.indicator)


def _journal(board: Board, span: Span) -> QuerySet:
    entries = PointEntry.objects.filter(campaign=board.campaign, occurred_on__range=(span.start, span.end))
    if board.indicator:
        entries = entries.filter(indicator=board.indicator)
    elif board.column != "total":
        entries = entries.filter(dimension=board.column)
    return entries


def _ranked_people(board: Board, span: Span, scope: Scope) -> QuerySet:
    """Rows with ``person_id``, ``score`` and ``rank``, best first."""
    if span.key:
        column = F(board.column)
        return (
            _scope(_kept(board, span), scope)
            .annotate(score=column, rank=Window(Rank(), order_by=column.desc()))
            .order_by(column.desc(), "person_id")
        )
    score = Sum("points")
    return (
        _scope(_journal(board, span), scope)
        .values("person_id")
        .annotate(score=score, rank=Window(Rank(), order_by=score.desc()))
        .order_by(F("score").desc(), "person_id")
    )


def _ranks_among(ranked: QuerySet, ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """person id → (rank, score) for a few people within a ranking summed from the journal: the
    ranking is one query, read from outside (a filter inside would change who is ranked)."""
    if not ids:
        return {}
    sql, params = ranked.values("person_id", "score", "rank").query.sql_with_params()
    return {pid: (rank, Decimal(score)) for pid, rank, score in standings.fetch(*statements.ranks_among(sql, params, ids))}


def _key(board: Board, span: Span) -> dict:
    period, start = span.key
    return {"campaign": board.campaign, "indicator": board.indicator, "period": period, "period_start": start}


def _kept_ranks(
    board: Board, span: Span, scope: Scope, ids: list[int], scores: dict[int, Decimal] | None = None
) -> dict[int, tuple[int, Decimal]]:
    """person id → (rank, score) from kept rows: 1 + how many in scope have more — among everyone
    or within one county from the band counts (``standings.ranks_from_counts``), within any other
    subtree as a range count on the index (one query for all). ``scores``: the people's figures
    when the caller read them already (those without a row left out)."""
    county = scope.county
    if scope.paths is None or county is not None:
        key = _key(board, span)
        scores = standings.scores_of(key, board.column, ids) if scores is None else scores
        ranks = standings.ranks_from_counts(key, board.column, list(set(scores.values())), county)
        return {pid: (ranks[score], score) for pid, score in scores.items()}
    rows = _scope(_kept(board, span), scope)
    above = (
        rows.filter(**{f"{board.column}__gt": OuterRef(board.column)})
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    found = (
        _kept(board, span)
        .filter(person_id__in=ids)
        .annotate(above=Coalesce(Subquery(above), 0))
        .values_list("person_id", "above", board.column)
    )
    return {pid: (above + 1, score) for pid, above, score in found}


def _ranks(
    board: Board, span: Span, scope: Scope, ids: list[int], scores: dict[int, Decimal] | None = None
) -> dict[int, tuple[int, Decimal]]:
    if span.key:
        return _kept_ranks(board, span, scope, ids, scores)
    return _ranks_among(_ranked_people(board, span, scope), ids)


def people_board(
    board: Board, paths: list[str] | None, *, viewer_id: int | None = None, limit: int = 50, today: dt.date | None = None
) -> Board:
    """The top ``limit`` people in the subtrees of ``paths`` (``None``: the whole league), each
    with rank, score and movement; and — when the viewer (a person id) is not among them — the
    viewer's own row."""
    scope = Scope(paths)
    board.previous = previous_span(board.campaign, board.span, today=today)
    shown = _shown(board, scope, limit, viewer_id)
    board.rows = [row for row in shown if row["rank"] is not None]
    me = next((row for row in shown if row["rank"] is None), None)
    if me is not None:
        now = {viewer_id: me["score"]} if me["score"] is not None else {}
        rank, score = _ranks(board, board.span, scope, [viewer_id], now if board.span.key else None).get(
            viewer_id, (None, Decimal(0))
        )
        board.me = {**me, "rank": rank, "score": score}
        shown = [*board.rows, board.me]
    if board.previous:
        kept = {row["person_id"]: row["before"] for row in shown if row["before"] is not None}
        before = _ranks(board, board.previous, scope, [row["person_id"] for row in shown], kept if board.previous.key else None)
    else:
        before = {}
    for row in shown:
        rank, score = before.get(row["person_id"], (None, None))
        _movement(row, rank if score else None)
    return board


def _top_sql(board: Board, scope: Scope, limit: int) -> tuple[str, list]:
    """SQL of the top ``limit`` (person_id, score, rank), best first: written out for kept rows
    among everyone or in one county (every board but a custom range or an admin of several
    subtrees), else the queryset's."""
    span = board.span
    if span.key and (scope.paths is None or scope.county is not None):
        where, params = standings.key_sql(_key(board, span), scope.county, rows=True)
        return statements.top_people(where, params, board.column, limit)
    return _ranked_people(board, span, scope).values("person_id", "score", "rank")[:limit].query.sql_with_params()


def _shown(board: Board, scope: Scope, limit: int, viewer_id: int | None) -> list[dict]:
    """The top ``limit`` best first, then the viewer when not among them (``rank`` None), each
    with name, unit label, ``score`` (the viewer's: from the kept row, None without one) and
    ``before`` (the figure in the previous span when it is kept, else None) — one statement:
    the ranking with the names, the units, their counties and the kept rows read alongside."""
    column = statements.column(board.column)
    top_sql, params = _top_sql(board, scope, limit)

    def figure(span: Span | None, person: str, person_params: list) -> tuple[str, list] | None:
        """The person's figure in a kept span (None: not kept)."""
        if span is None or not span.key:
            return None
        where, key_params = standings.key_sql(_key(board, span), None, rows=True)
        sql, key_params = statements.kept_figure(where, key_params, column, person)
        return sql, [*key_params, *person_params]

    viewer = None
    if viewer_id:
        viewer = (viewer_id, figure(board.span, "%s", [viewer_id]) or ("NULL", []))
    sql, params = statements.people_shown(top_sql, params, viewer, figure(board.previous, "s.person_id", []))

    def value(v):
        return None if v is None else standings.points_value(v)

    return [
        {
            "person_id": pid,
            "rank": rank,
            "score": value(score),
            "name": name,
            "unit_name": unit_label(unit, depth, county),
            "before": value(before),
        }
        for pid, score, rank, name, unit, depth, county, before in standings.fetch(sql, params)
    ]


def _movement(row: dict, previous_rank: int | None) -> None:
    """``move``: places gained since the previous period (negative: lost); ``None`` when there is
    no previous rank to compare with (no points then). ``up``/``down`` are for the page's ↑3 ↓1."""
    row["previous_rank"] = previous_rank
    row["move"] = previous_rank - row["rank"] if previous_rank and row["rank"] else None
    row["up"] = row["move"] if row["move"] and row["move"] > 0 else 0
    row["down"] = -row["move"] if row["move"] and row["move"] < 0 else 0


def person_rank(campaign: Campaign, person: Person, paths: list[str] | None) -> tuple[int | None, Decimal]:
    """A person's rank on the whole-campaign board of the scope, and their total."""
    board = Board(campaign, _whole(campaign))
    return _kept_ranks(board, board.span, Scope(paths), [person.pk]).get(person.pk, (None, Decimal(0)))


def person_standing(campaign: Campaign, person_id: int, paths: list[str] | None, *, today: dt.date | None = None) -> dict:
    """A person's place on the whole-campaign board of the scope, for their home page: ``rank``,
    ``score`` and the movement since the end of last month (``move``/``up``/``down`` as on the
    board, ``compared_with`` its label) — the own-rank reads of ``person_rank``, twice."""
    board = Board(campaign, _whole(campaign))
    scope = Scope(paths)
    rank, score = _kept_ranks(board, board.span, scope, [person_id]).get(person_id, (None, Decimal(0)))
    row = {"rank": rank, "score": score, "compared_with": None}
    previous = previous_span(campaign, board.span, today=today)
    before = (None, None)
    if previous is not None and rank is not None:
        row["compared_with"] = previous.label
        before = _kept_ranks(board, previous, scope, [person_id]).get(person_id, (None, None))
    _movement(row, before[0] if before[1] else None)
    return row


# --- units -------------------------------------------------------------------------------------


def _subtree_sums(board: Board, span: Span, width: int, under: str) -> tuple[str, list]:
    """SQL of (path of the unit ``width`` characters deep above each row's unit, points) for the
    span — the points earned in each subtree below ``under``, as one GROUP BY over the kept unit
    rows (a few per unit) or, for a custom range, the journal. Written out: the ORM took longer to
    build this than the database to run it."""
    indicator_id = board.indicator.pk if board.indicator else None
    if span.upto:  # the standing at a month end: the months up to it
        source: dict = {"upto": (Period.MONTH, span.upto)}
    elif span.key:
        source = {"kept": span.key}
    else:
        source = {"journal": (span.start, span.end)}
    return statements.subtree_sums(
        campaign_id=board.campaign.pk,
        indicator_id=indicator_id,
        column_name=board.column,
        width=width,
        under=under,
        **source,
    )


def _ranked_units(board: Board, heads: dict[str, int], per_head: bool, depth: int, under: str, counties: bool) -> list[tuple]:
    """(unit id, path, name, short name, total, previous total, headcount, rank, previous rank),
    best first, for the active units at ``depth`` below ``under`` (``counties``: only the county
    departments): RANK() over the units joined to their subtrees' sums now and before, in one
    statement. ``* 1.0`` makes SQLite divide as decimals (13 / 27 is 0 between integers)."""
    width = depth * Unit.steplen
    if not under.isalnum() and under:
        raise ValueError(under)  # tree paths are letters and digits: nothing to escape in LIKE
    now = _subtree_sums(board, board.span, width, under)
    before = _subtree_sums(board, board.previous, width, under) if board.previous else (statements.NO_SUMS, [])
    shown = {path: n for path, n in heads.items() if len(path) == width and path.startswith(under)}
    return standings.fetch(
        *statements.ranked_units(
            now=now,
            before=before,
            headcounts=shown,
            per_head=per_head,
            depth=depth,
            under=under,
            kind=UnitKind.COUNTY_DEPT if counties else None,
        )
    )


def cache_key(prefix: str, *parts) -> str:
    """A cache key for what a board depends on: the parts' repr, hashed (dates and tuples
    included, and short enough for any cache backend)."""
    return f"{prefix}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _local():
    """The app server's own copy of the board caches, in front of the shared cache (Redis) — or
    None when the cache is this process's anyway. Safe across servers because every key carries
    the ``version()`` parts it depends on: a key names one state of the data, so a copy kept in
    one process can never be another state's answer; only ``version()`` itself (a database read)
    has to be fresh. It saves a round trip to Redis for each of a board page's three or four
    cached parts, which cost more than the rest of a cached page together."""
    return caches["boards"] if settings.XUEBI_SHARED_CACHE else None


def cached(key: str):
    """What ``keep`` kept under ``key`` (None if nothing): this process's copy first, then the
    shared cache's (copied here for the next request)."""
    local = _local()
    if local is not None:
        found = local.get(key)
        if found is not None:
            return found
    found = cache.get(key)
    if found is not None and local is not None:
        local.set(key, found, CACHE_SECONDS)
    return found


def keep(key: str, value, seconds: int = CACHE_SECONDS) -> None:
    """Keep a board, page, form or count under a key made by ``cache_key`` (with its version parts)."""
    cache.set(key, value, seconds)
    local = _local()
    if local is not None:
        local.set(key, value, min(seconds, CACHE_SECONDS))


def headcounts(roster: tuple | None = None) -> dict[str, int]:
    """unit path → the active people in the unit's subtree now. One count over the roster's
    (unit, status) index, summed up the tree here — and, given the roster's version
    (``version().roster``), kept in the cache until the roster or the units change,
    so a board recomputed after new points does not count 100,000 people again."""
    key = cache_key("points-headcounts", roster) if roster is not None else None
    found = cached(key) if key else None
    if found is None:
        found = Counter()
        per_unit = dict(
            Person.objects.filter(status="active")
            .order_by()
            .values("unit")  # the index alone: counting
            .annotate(n=Count("unit"))
            .values_list("unit", "n")
        )  # a column of it skips the table
        for unit_id, path in Unit.objects.filter(pk__in=per_unit).values_list("pk", "path"):
            n = per_unit[unit_id]
            for depth in range(1, len(path) // Unit.steplen + 1):
                found[path[: depth * Unit.steplen]] += n
        found = dict(found)
        if key:
            keep(key, found, HEADCOUNT_SECONDS)
    return found


def may_drill_into(unit: Unit, paths: list[str] | None) -> bool:
    """Whether a viewer whose board reaches ``paths`` (``selectors.board_paths``) may see the units under
    ``unit``: its sections' totals and headcounts are their own subtree's business — for an admin
    or a reviewer the units they see (``Unit.objects.visible_to``), for a cadre the county their
    people board shows. The counties' board itself is the league's and open to every board role."""
    return paths is None or any(unit.path.startswith(path) for path in paths)


def unit_board(
    board: Board, *, parent: Unit | None = None, per_head: bool = False, today: dt.date | None = None, roster: tuple | None = None
) -> Board:
    """The 13 旗县市区委组织部 (the county departments at depth 2, not the 盟委组织部's own
    sections) — or the units directly under ``parent`` — by the points their people earned while
    in them, in total or per head of their active people, with the movement since the previous
    period (per head of today's roster, both times). ``roster``: see ``headcounts``."""
    board.previous = previous_span(board.campaign, board.span, today=today)
    board.rows = []
    depth, under = (parent.depth + 1, parent.path) if parent else (2, "")
    ranked = _ranked_units(board, headcounts(roster), per_head, depth, under, counties=parent is None)
    for pk, path, name, short_name, total, before, people, rank, previous_rank in ranked:
        total, unit = standings.points_value(total), Unit(pk=pk, path=path, name=name, short_name=short_name)
        average = (total / people).quantize(Decimal("0.01")) if people else Decimal(0)
        row = {
            "unit": unit,
            "unit_id": pk,
            "unit_name": unit.name,
            "rank": rank,
            "total": total,
            "people": people,
            "average": average,
            "score": average if per_head else total,
        }
        _movement(row, previous_rank if board.previous and before else None)
        board.rows.append(row)
    return board


class Version(NamedTuple):
    """What every board depends on, as index reads (``version()``): a cached board, form or
    campaign is used only while its part is the same."""

    entry: int | None  # the newest journal row: every award, reversal and adjustment adds one
    person: dt.datetime | None  # the latest roster change (moves, names, status)
    unit: dt.datetime | None  # the latest unit change
    indicator: dt.datetime | None  # the latest indicator change (the drop-down and the labels)
    campaign: dt.datetime | None  # the latest campaign change (names, dates, closing)
    snapshot: dt.datetime | None  # the latest month-end snapshot (the campaign board's previous ranking)

    @property
    def roster(self) -> tuple:
        """Who is in which unit: the headcounts' part."""
        return self.person, self.unit

    @property
    def setup(self) -> tuple:
        """The campaign, its indicators and the units: the board form's part (new points leave it)."""
        return self.unit, self.indicator, self.campaign, self.snapshot


# With a shared cache the version is kept there too, so that a cached board page asks the
# database nothing: VERSION_KEY holds (the tokens it was read under, the Version), and it is used
# only while both tokens are the same — the access token (``org.scoping.ACCESS_KEY``: renewed on
# every change of a person or a unit) and DATA_KEY (renewed at the commit of every journal row and
# of every change of an indicator, a campaign or a month-end snapshot: ``data_changed``). Both
# tokens are read before the database is, so a version read while a write commits is stored under
# the tokens the commit then replaces, and never used. The three keys come with the session, in
# its one round trip (``core.prefetch``). VERSION_SECONDS is a safety net for a write that
# bypasses both (a database restored under a running Redis).
DATA_KEY = "xuebi:points-data"
VERSION_KEY = "xuebi:points-version"
VERSION_SECONDS = 60
prefetch.register(ACCESS_KEY, DATA_KEY, VERSION_KEY)


def data_changed() -> None:
    """A journal row, an indicator, a campaign or a snapshot changed: the kept version is out of
    date — at once, and again at commit (renewed whatever the cache, as ``scoping.access_changed``)."""

    def renew():
        cache.set(DATA_KEY, uuid.uuid4().hex, None)

    renew()
    transaction.on_commit(renew)


def read_version() -> Version:
    """The ``Version`` of everything a board shows, read from the database in one statement."""
    return Version(*standings.fetch(statements.VERSION, [])[0])


def version() -> Version:
    """The ``Version`` of everything a board shows: from the database, or — with a shared cache —
    the one kept there while nothing it depends on has changed."""
    if not settings.XUEBI_SHARED_CACHE:
        return read_version()
    found = prefetch.found()
    if found is None:  # no session read in this request (an API token): one round trip of its own
        found = cache.get_many([ACCESS_KEY, DATA_KEY, VERSION_KEY])
    tokens = (found.get(ACCESS_KEY), found.get(DATA_KEY))
    kept = found.get(VERSION_KEY)
    if kept is not None and None not in tokens and kept[0] == tokens:
        return Version(*kept[1])
    current = read_version()
    if None in tokens:  # never set, or evicted: set now, and keep nothing under them this time
        for key, token in zip((ACCESS_KEY, DATA_KEY), tokens):
            if token is None:
                cache.add(key, uuid.uuid4().hex, None)
    else:
        cache.set(VERSION_KEY, (tokens, tuple(current)), VERSION_SECONDS)
    return current
