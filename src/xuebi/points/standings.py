"""The maintained totals (``PersonTotal``, ``UnitTotal``): written by the engine with every
journal row, in the same transaction, and rebuildable from the journal at any time.

Each journal row adds its points to the rows of its person and of its unit at the time for the
whole campaign, its quarter and its month, each once for all indicators and once for its own
indicator — one ``INSERT … ON CONFLICT DO UPDATE`` per table and key, on SQLite and PostgreSQL
alike. A leaderboard of any period, 类别 or indicator is then an indexed read of one set of rows.

The campaign board's "previous" ranking is the standing at the end of last month: the
``Period.SNAPSHOT`` rows, built from the month rows once a month (``ensure_snapshot``) and kept up
to date here when a late approval is dated before that month end.
"""

from __future__ import annotations

from typing import Any

import datetime as dt
import math
from collections import Counter
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, Floor, TruncMonth, TruncQuarter
from django.db.models.sql import InsertQuery
from django.utils import timezone

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign
from xuebi.org.models import Person
from xuebi.org.selectors import county_of

from . import sql as statements
from .models import Period, PersonTotal, PointEntry, RankCount, StandingSnapshot, Totals, UnitTotal

__all__ = [
    "add_entry",
    "lock_person",
    "ensure_person_row",
    "ensure_snapshot",
    "build_due_snapshots",
    "person_rows",
    "snapshot_month",
    "ranks_from_counts",
    "scores_of",
    "points_value",
    "month_start",
    "quarter_start",
    "rebuild",
    "expected_rows",
    "stored_rows",
]

DIMENSIONS = [d.value for d in Dimension]
COLUMNS = statements.COLUMNS
CENT = Decimal("0.01")
# The band counts (RankCount) are written as deltas, one +1/−1 row per award that moves someone
# between bands, so that concurrent awards never wait on a shared counter row; a rank read folds
# them once they pile up (``statements.COUNTIES``, ``compact_counts``).
GAP_ROWS = statements.GAP_ROWS  # nearby bands read as one range (sql.py says why); here, so a test can lower it
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _upsert_sql(
    model: type[Totals],
    owner_id: int,
    campaign_id: int,
    indicator_id: int | None,
    keys: list[tuple[str, dt.date]],
    amounts: dict[str, Decimal],
    county_id: int | None = None,
    *,
    create_only: bool = False,
) -> tuple[str, list]:
    """The statement adding ``amounts`` to the rows of ``keys``, creating them where missing (a
    person's new rows filed under their county, ``county_id``); ``create_only``: creating them, and
    leaving rows that exist alone (its row count says whether it created any)."""
    counted = model is PersonTotal
    rows = [
        (
            campaign_id,
            owner_id,
            indicator_id,
            period,
            start,
            *(amounts.get(c, Decimal(0)) for c in COLUMNS),
            *([county_id] if counted else []),
        )
        for period, start in keys
    ]
    return statements.upsert_totals(
        model._meta.db_table,
        model.owner_field,
        rows,
        all_indicators=indicator_id is None,
        counted=counted,
        create_only=create_only,
    )


def _counts_sql(rows: list[RankCount]) -> tuple[str, list] | None:
    """The INSERT of rank-count delta rows (``bulk_create`` as one statement among others)."""
    if not rows:
        return None
    return statements.insert_counts(
        [(r.campaign_id, r.indicator_id, r.period, r.period_start, r.column, r.county_id, r.bucket, r.people) for r in rows]
    )


def _run(statements: list[tuple[str, list] | None]) -> list[tuple]:
    """Run writes in order: on PostgreSQL with client-side binding (psycopg's default, and
    Django's) in one round trip, as one string of statements; otherwise one after the other.
    Returns the rows the first statement returns (an ``INSERT … RETURNING``), if any."""
    statements = [s for s in statements if s]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get("server_side_binding"):
            # psycopg leaves the cursor on the first statement's result
            cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
            return cursor.fetchall() if cursor.description else []
        first = []
        for sql, params in statements:
            cursor.execute(sql, params)
            first = first if first or cursor.description is None else cursor.fetchall()
        return first


def _insert_sql(entry: PointEntry) -> tuple[str, list]:
    """A new journal row's ``INSERT … RETURNING id``, compiled by Django as ``save()`` would
    (``created_at`` set, values adapted), to run with the totals' writes."""
    fields = [f for f in PointEntry._meta.concrete_fields if not f.primary_key]
    query = InsertQuery(PointEntry)
    query.insert_values(fields, [entry])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [PointEntry._meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def lock_person(campaign_id: int, person_id: int) -> bool:
    """Lock the person's whole-campaign row (``SELECT … FOR UPDATE``; SQLite's IMMEDIATE
    transactions serialise writers anyway); False when the row does not exist yet."""
    return bool(
        fetch(statements.lock_person(connection.features.has_select_for_update), [campaign_id, person_id, Period.CAMPAIGN])
    )


def county_of_person(person_id: int) -> int | None:
    """The 旗县市区委组织部 (depth 2) — or the 盟委组织部's own section — a person is in now."""
    person = Person.objects.select_related("unit").filter(pk=person_id).first()
    return county_of(person.unit).pk if person else None


def ensure_person_row(campaign_id: int, person_id: int, start: dt.date) -> None:
    """Make sure the person's whole-campaign row exists (the engine locks it), counted in its band
    by whoever created it: two first writes for a person at once both get here, and the second,
    its insert waiting for the first's commit, must not count the person again."""
    keys, county_id = [(Period.CAMPAIGN, start)], county_of_person(person_id)
    with connection.cursor() as cursor:
        cursor.execute(*_upsert_sql(PersonTotal, person_id, campaign_id, None, keys, {}, county_id, create_only=True))
        created = cursor.rowcount > 0
    if created:
        _run([_counts_sql(_deltas(campaign_id, None, keys, {}, {}, county_id))])


def snapshot_month(campaign: Campaign) -> dt.date | None:
    """The month end the campaign's ``Period.SNAPSHOT`` rows hold, if any (read once per campaign
    object: the engine loads it with the rules)."""
    try:
        return campaign.standing_snapshot.month
    except StandingSnapshot.DoesNotExist:
        return None


def _entry_keys(campaign: Campaign, day: dt.date) -> tuple[list, list]:
    """The (period, start) of the rows an entry of ``day`` counts in: the unit's, and the person's
    (these also in the month-end snapshot when the day is on or before its month end)."""
    keys = [(Period.CAMPAIGN, campaign.start_date), (Period.QUARTER, quarter_start(day)), (Period.MONTH, month_start(day))]
    snapshot = snapshot_month(campaign)
    if snapshot is not None and day <= month_end(snapshot):
        return keys, [*keys, (Period.SNAPSHOT, snapshot)]
    return keys, keys


def person_rows(campaign: Campaign, person_id: int, indicator_id: int, day: dt.date, also: dict) -> Any:
    """indicator id (None: all) → (period, start) → the person's rows an entry would change, as
    they are now — read by the engine under the person's lock, for the caps (the indicator's
    campaign total) and then for ``add_entry`` — and the engine's other reads (``also``: name →
    a one-value read, (sql, params); see ``_rows_before``), all in one statement."""
    return _rows_before(person_id, campaign.pk, [None, indicator_id], _entry_keys(campaign, day)[1], also)


def add_entry(entry: PointEntry, before: dict | None = None) -> None:
    """Add one journal row to every total it counts in, and move the band counts it changes: one
    round trip on PostgreSQL. ``before`` is ``person_rows`` of the entry, when already read. A
    new entry (no pk yet) is inserted in the same round trip, first. Called only by
    ``engine.journal_append``, the journal's one door (which takes the person's lock first)."""
    amounts = {"total": entry.points, entry.dimension: entry.points}
    keys, person_keys = _entry_keys(entry.campaign, entry.occurred_on)
    if before is None:
        before = _rows_before(entry.person_id, entry.campaign_id, [None, entry.indicator_id], person_keys)
    overall = before[None].get((Period.CAMPAIGN, entry.campaign.start_date))  # the row the engine locked
    county_id = overall["county_id"] if overall else county_of_person(entry.person_id)
    statements, deltas = [], []
    for indicator_id in (None, entry.indicator_id):
        statements.append(
            _upsert_sql(PersonTotal, entry.person_id, entry.campaign_id, indicator_id, person_keys, amounts, county_id)
        )
        statements.append(_upsert_sql(UnitTotal, entry.unit_id, entry.campaign_id, indicator_id, keys, amounts))
        deltas += _deltas(entry.campaign_id, indicator_id, person_keys, before[indicator_id], amounts, county_id)
    if entry.pk is None and not connection.features.can_return_columns_from_insert:
        entry.save()  # a backend without INSERT … RETURNING (SQLite before 3.35): its own statement
    new = entry.pk is None
    returned = _run([_insert_sql(entry) if new else None, *statements, _counts_sql(deltas)])
    if new:
        entry.pk = returned[0][0]
        entry._state.adding, entry._state.db = False, connection.alias


# --- the rank counts (RankCount) ---------------------------------------------------------------


def counted_columns(indicator_id) -> list[str]:
    """The columns a set of rows is ranked on: an indicator's rows only by their total."""
    return COLUMNS if indicator_id is None else ["total"]


def _rows_before(person_id: int, campaign_id: int, indicators: list, keys, also: dict | None = None):
    """indicator id (None: all) → the person's rows of these keys as they are now, in one
    written-out statement (the engine holds the person's lock; it asks for the periods and the
    starts separately — a few rows more, dropped here). ``also``: name → a one-value read
    (sql, params) in the same statement (each row carries it; a subquery without outer references runs
    once); then ``(rows, {name: value})`` is returned."""
    keys = set(keys)
    also = also or {}
    found: dict = {indicator_id: {} for indicator_id in indicators}
    periods, starts = sorted({p for p, _ in keys}), sorted({s for _, s in keys})
    ids = [i for i in indicators if i is not None]
    rows = fetch(*statements.person_rows(campaign_id, person_id, ids, periods, starts, also.values()))
    values = dict(zip(also, rows[0][4 + len(COLUMNS) :])) if rows else {}
    for indicator_id, period, start, county_id, *figures in rows:
        start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        if (period, start) in keys and indicator_id in found:
            found[indicator_id][(period, start)] = {
                "county_id": county_id,
                **{column: points_value(value) for column, value in zip(COLUMNS, figures)},
            }
    if not also:
        return found
    if not rows:  # no row yet to carry the other reads
        values = _one_statement(also)
    return found, values


def _one_statement(reads: dict) -> dict:
    """Several one-value reads (name → (sql, params)) as one statement, ``SELECT (…), (…)``:
    name → value."""
    return dict(zip(reads, fetch(*statements.one_row(reads.values()))[0]))


def _deltas(
    campaign_id: int, indicator_id: int | None, keys, before: dict, amounts: dict, county_id: int | None
) -> list[RankCount]:
    """Which whole-point band each changed row left and entered, as delta rows."""
    deltas: Counter = Counter()
    for period, start in keys:
        old = before.get((period, start))
        for column in counted_columns(indicator_id):
            new = (old[column] if old else Decimal(0)) + amounts.get(column, Decimal(0))
            if old is None:
                deltas[(period, start, column, county_id, math.floor(new))] += 1
            elif math.floor(old[column]) != math.floor(new):
                deltas[(period, start, column, old["county_id"], math.floor(old[column]))] -= 1
                deltas[(period, start, column, old["county_id"], math.floor(new))] += 1
    for (period, start, column, _county, band), people in list(deltas.items()):  # and the league's own rows
        deltas[(period, start, column, None, band)] += people
    return _count_rows_of(campaign_id, indicator_id, deltas)


def _count_rows_of(campaign_id: int, indicator_id: int | None, deltas: Counter) -> list[RankCount]:
    return [
        RankCount(
            campaign_id=campaign_id,
            indicator_id=indicator_id,
            period=period,
            period_start=start,
            column=column,
            county_id=county,
            bucket=bucket,
            people=people,
        )
        for (period, start, column, county, bucket), people in deltas.items()
        if people
    ]


def move_person(person_id: int) -> None:
    """After a person moved: file their rows under their new county and move their band counts."""
    county_id = county_of_person(person_id)
    rows = PersonTotal.objects.filter(person_id=person_id).exclude(county_id=county_id)
    deltas: dict[tuple, Counter] = {}
    for row in rows.values("campaign_id", "indicator_id", "period", "period_start", "county_id", *COLUMNS):
        counter = deltas.setdefault((row["campaign_id"], row["indicator_id"]), Counter())
        for column in counted_columns(row["indicator_id"]):
            band = math.floor(row[column])
            counter[(row["period"], row["period_start"], column, row["county_id"], band)] -= 1
            counter[(row["period"], row["period_start"], column, county_id, band)] += 1
    RankCount.objects.bulk_create(
        [
            row
            for (campaign_id, indicator_id), counter in deltas.items()
            for row in _count_rows_of(campaign_id, indicator_id, counter)
        ]
    )
    rows.update(county_id=county_id)


def _count_rows(rows) -> None:
    """INSERT the band counts of a set of PersonTotal rows (every column it is ranked on)."""
    for by_indicator in (False, True):
        chosen = rows.filter(indicator__isnull=not by_indicator)
        for column in counted_columns(1 if by_indicator else None):
            for county in ("county_id", "league"):  # each county's rows, and the league's (county empty)
                grouped = (
                    chosen.annotate(c=Value(column), league=Value(None, output_field=IntegerField()), b=Floor(column))
                    .order_by()
                    .values("campaign_id", "indicator_id", "period", "period_start", "c", county, "b")
                    .annotate(n=Count("pk"))
                )
                with connection.cursor() as cursor:
                    cursor.execute(*statements.insert_counts_from(*grouped.query.sql_with_params()))


def compact_counts(key: dict) -> None:
    """Fold a key's delta rows into one row per band and column (deleting exactly the rows summed,
    so deltas written meanwhile by other transactions stay and still count)."""
    with transaction.atomic():
        rows = list(
            RankCount.objects.select_for_update().filter(**key).values_list("pk", "column", "county_id", "bucket", "people")
        )
        sums: Counter = Counter()
        for _pk, column, county, bucket, people in rows:
            sums[(column, county, bucket)] += people
        RankCount.objects.filter(pk__in=[r[0] for r in rows]).delete()
        RankCount.objects.bulk_create(
            [
                RankCount(**key, column=column, county_id=county, bucket=bucket, people=people)
                for (column, county, bucket), people in sums.items()
                if people
            ]
        )


def ranks_from_counts(key: dict, column: str, values: list[Decimal], county_id: int | None = None) -> dict[Decimal, int]:
    """value → rank among a key's rows of everyone, or of one county (1 + how many have more): the
    band counts above the value's band, plus a count of the rows above the value inside its band,
    on the rows' index — a few hundred rows read however many people there are.

    Its two statements are written out (``sql.bands``, ``sql.counts_inside``) rather than built by
    the ORM: a board asks for ranks twice (the viewer's now, everyone's before), and building the
    queries cost more than running them."""
    if not values:
        return {}
    where, params = key_sql(key, county_id)
    lowest = min(math.floor(v) for v in values)  # only the bands at or above the lowest value count
    bands = fetch(*statements.bands(where, params, column, lowest))
    if sum(rows for *_, rows in bands) > statements.COUNTIES * len(bands) + statements.BAND_SLACK:
        # the deltas piled up beyond a row per county and band
        compact_counts(key)
    people_in = Counter({bucket: n for bucket, n, _rows in bands})
    exact = _counts_inside(key, column, values, county_id, people_in)
    above_band, running = {}, 0  # band → people in the bands above it
    for bucket in sorted(people_in, reverse=True):
        above_band[bucket] = running
        running += people_in[bucket]
    in_band: dict[int, list] = {}
    for v, n in exact.items():
        in_band.setdefault(math.floor(v), []).append((v, n))
    ranks = {}
    for value in values:
        band = math.floor(value)
        above = above_band[band] if band in above_band else sum(n for bucket, n in people_in.items() if bucket > band)
        ranks[value] = above + sum(n for v, n in in_band.get(band, ()) if v > value) + 1
    return ranks


def scores_of(key: dict, column: str, person_ids: list[int]) -> dict[int, Decimal]:
    """person id → their figure in one set of rows (those without a row left out)."""
    statements.column(column)
    if not person_ids:
        return {}
    where, params = key_sql(key, None, rows=True)
    return {pid: points_value(value) for pid, value in fetch(*statements.scores_of(where, params, column, person_ids))}


def key_sql(key: dict, county_id: int | None, *, rows: bool = False) -> tuple[str, list]:
    """The WHERE of one set of rows (campaign, indicator or all, period, start) for the rank
    counts — of one county, or (``county_id`` None) the league's own — or, with ``rows``, for the
    ``PersonTotal`` rows themselves (any county unless one is given)."""
    campaign, indicator = key["campaign"], key["indicator"]
    return statements.key_where(
        getattr(campaign, "pk", campaign),
        getattr(indicator, "pk", indicator),
        key["period"],
        key["period_start"],
        county_id,
        rows=rows,
    )


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def points_value(value) -> Decimal:
    """A points figure as a raw query gives it (SQLite: a float or an int) as Decimal in cents."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


def _counts_inside(key: dict, column: str, values: list[Decimal], county_id: int | None, people_in: Counter) -> Counter:
    """value → rows holding it, for the values above each asked-for value within its band: one
    range per run of nearby bands (a board's top 50 are one run; a viewer far below, another), so
    the query stays a couple of index ranges rather than one per band."""
    lowest_in_band: dict[int, Decimal] = {}
    for value in values:
        band = math.floor(value)
        lowest_in_band[band] = min(value, lowest_in_band.get(band, value))
    ranges: list[list] = []  # [above this value, below this band start]
    for band in sorted(lowest_in_band):
        between = sum(people_in[b] for b in range(ranges[-1][1], band)) if ranges else None
        if between is not None and between <= GAP_ROWS:
            ranges[-1][1] = band + 1
        else:
            ranges.append([lowest_in_band[band], band + 1])
    where, params = key_sql(key, county_id, rows=True)
    counts: Counter = Counter()
    for value, n in fetch(*statements.counts_inside(where, params, column, ranges)):
        counts[points_value(value)] += n
    return counts


def people_ranked(campaign: Campaign) -> int:
    """How many people the whole-campaign board ranks: the band counts' sum, not a count."""
    return (
        RankCount.objects.filter(
            campaign=campaign,
            indicator__isnull=True,
            period=Period.CAMPAIGN,
            county__isnull=True,
            period_start=campaign.start_date,
            column="total",
        ).aggregate(n=Sum("people"))["n"]
        or 0
    )


# --- from the journal -------------------------------------------------------------------------


def _grouped(entries, owner: str, period: str, start_expr, by_indicator: bool):
    """The journal summed the way one set of total rows is: a queryset of rows in the column order
    of ``_insert_select``."""
    group = ["campaign_id", owner] + (["indicator_id"] if by_indicator else [])
    sums = {c: Coalesce(Sum("points", filter=Q(dimension=c)), ZERO) for c in DIMENSIONS}
    return entries.annotate(p=Value(period), ps=start_expr).values(*group, "p", "ps").annotate(t=Sum("points"), **sums).order_by()


def _sets(campaign: Campaign, snapshot: dt.date | None):
    """(model, owner, period, period start expression, entries) for every set of rows."""
    journal = PointEntry.objects.filter(campaign=campaign)
    periods = [
        (Period.CAMPAIGN, Value(campaign.start_date), journal),
        (Period.QUARTER, TruncQuarter("occurred_on"), journal),
        (Period.MONTH, TruncMonth("occurred_on"), journal),
    ]
    for model, owner in ((PersonTotal, "person_id"), (UnitTotal, "unit_id")):
        for period, start, entries in periods:
            yield model, owner, period, start, entries
    if snapshot is not None:
        yield (PersonTotal, "person_id", Period.SNAPSHOT, Value(snapshot), journal.filter(occurred_on__lte=month_end(snapshot)))


def _insert_select(model: type[Totals], grouped, by_indicator: bool) -> None:
    """INSERT INTO totals SELECT … GROUP BY …: the database does the summing, on both backends.
    A person's rows are filed under the county of their unit now (joined, not looked up per row)."""
    names = ["campaign_id", model.owner_field] + (["indicator_id"] if by_indicator else []) + ["period", "period_start", *COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(*statements.insert_totals_from(model._meta.db_table, names, *grouped.query.sql_with_params()))


@transaction.atomic
def rebuild(campaign: Campaign) -> None:
    """Throw the campaign's totals away and sum them again from the journal."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    snapshot = snapshot_month(campaign)
    for model in (PersonTotal, UnitTotal, RankCount):
        model.objects.filter(campaign=campaign).delete()
    for model, owner, period, start, entries in _sets(campaign, snapshot):
        for by_indicator in (False, True):
            _insert_select(model, _grouped(entries, owner, period, start, by_indicator), by_indicator)
    _count_rows(PersonTotal.objects.filter(campaign=campaign))
    _analyze(statements.ANALYZE_TOTALS)


def _analyze(statement: str) -> None:
    """Fresh planner statistics after a bulk write, on PostgreSQL. A month-end snapshot adds a set
    of rows the size of the league at once; until autovacuum gets to them the planner takes the
    set for empty, and reading 50 people's previous ranks walked the whole set (100 ms instead of
    1 at 100,000 people). ANALYZE samples a fixed number of rows and blocks no reads or writes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(statement)


def _month_before(today: dt.date, campaign: Campaign) -> dt.date | None:
    """The last month that has ended, as seen on ``today`` — within the campaign. Once the campaign
    is over it is the month before its last: its final board keeps the movement of its last month
    rather than comparing the final standing with itself."""
    now = min(today, campaign.end_date)
    month = month_start(month_start(now) - dt.timedelta(days=1))
    return month if month >= month_start(campaign.start_date) else None


def ensure_snapshot(campaign: Campaign, today: dt.date | None = None) -> dt.date | None:
    """The month whose end the campaign board compares with, its snapshot built if not yet."""
    month = _month_before(today or timezone.localdate(), campaign)
    if month is None:
        return None
    if snapshot_month(campaign) == month:  # (``current_campaign`` reads the snapshot's month with the campaign)
        return month
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if StandingSnapshot.objects.filter(campaign=campaign, month=month).exists():
            return month
        for model in (PersonTotal, RankCount):
            model.objects.filter(campaign=campaign, period=Period.SNAPSHOT).delete()
        journal = PointEntry.objects.filter(campaign=campaign, occurred_on__lte=month_end(month))
        for by_indicator in (False, True):
            _insert_select(PersonTotal, _grouped(journal, "person_id", Period.SNAPSHOT, Value(month), by_indicator), by_indicator)
        _count_rows(PersonTotal.objects.filter(campaign=campaign, period=Period.SNAPSHOT))
        _analyze(statements.ANALYZE_SNAPSHOT)
        campaign.standing_snapshot, _ = StandingSnapshot.objects.update_or_create(campaign=campaign, defaults={"month": month})
    return month


def build_due_snapshots(today: dt.date | None = None) -> list[tuple[Campaign, dt.date]]:
    """Build the month-end snapshot each campaign's board compares with, where it is due (the month
    that ended last, as seen on ``today``) and not built yet: what the scheduled month-end task
    runs (and the demo, once loaded). Idempotent: a snapshot already built is left alone. Returns
    (campaign, month) of every campaign that has one."""
    today = today or timezone.localdate()
    built = []
    for campaign in Campaign.objects.filter(start_date__lte=today).select_related("standing_snapshot").order_by("pk"):
        month = ensure_snapshot(campaign, today)
        if month is not None:
            built.append((campaign, month))
    return built


# --- checking ---------------------------------------------------------------------------------


def _normal(rows) -> set[tuple]:
    return {
        tuple(Decimal(v).quantize(Decimal("0.01")) if isinstance(v, (Decimal, float)) else v for v in row)
        for row in rows
        if any(row[-5:])
    }


def expected_rows(campaign: Campaign) -> set[tuple]:
    """What every total row should hold, summed from the journal (rows of zero left out)."""
    snapshot = StandingSnapshot.objects.filter(campaign=campaign).values_list("month", flat=True).first()
    rows = []
    for model, owner, period, start, entries in _sets(campaign, snapshot):
        for by_indicator in (False, True):
            for row in _grouped(entries, owner, period, start, by_indicator):
                rows.append(
                    (
                        model.__name__,
                        row["campaign_id"],
                        row[owner],
                        row.get("indicator_id"),
                        row["p"],
                        _date(row["ps"]),
                        row["t"],
                        *(row[c] for c in DIMENSIONS),
                    )
                )
    return _normal(rows) | _band_counts(PersonTotal.objects.filter(campaign=campaign))


def stored_rows(campaign: Campaign) -> set[tuple]:
    rows = []
    for model in (PersonTotal, UnitTotal):
        for row in model.objects.filter(campaign=campaign).values_list(
            "campaign_id", model.owner_field, "indicator_id", "period", "period_start", *COLUMNS
        ):
            rows.append((model.__name__, *row[:4], _date(row[4]), *row[5:]))
    counts = (
        RankCount.objects.filter(campaign=campaign)
        .order_by()
        .values_list("indicator_id", "period", "period_start", "column", "county_id", "bucket")
        .annotate(n=Sum("people"))
    )
    return _normal(rows) | {("RankCount", *key[:2], _date(key[2]), *key[3:], n) for *key, n in counts if n}


def _band_counts(rows) -> set[tuple]:
    """What the rank counts should hold: the rows counted per column, county (where each person
    is now; empty for the whole league) and whole-point band."""
    counties = {}
    counts: Counter = Counter()
    for row in rows.values("indicator_id", "period", "period_start", "person_id", *COLUMNS):
        if row["person_id"] not in counties:
            counties[row["person_id"]] = county_of_person(row["person_id"])
        for column in counted_columns(row["indicator_id"]):
            for county in (counties[row["person_id"]], None):  # the county's count and the league's
                counts[
                    (row["indicator_id"], row["period"], _date(row["period_start"]), column, county, math.floor(row[column]))
                ] += 1
    return {("RankCount", *key, n) for key, n in counts.items()}


def _date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
