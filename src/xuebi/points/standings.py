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

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils import timezone

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign

from .models import Period, PersonTotal, PointEntry, StandingSnapshot, Totals, UnitTotal

__all__ = ["add_entry", "ensure_person_row", "ensure_snapshot", "month_start", "quarter_start", "rebuild",
           "expected_rows", "stored_rows"]

DIMENSIONS = [d.value for d in Dimension]
COLUMNS = ["total", *DIMENSIONS]
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _upsert(model: type[Totals], owner_id: int, campaign_id: int, indicator_id: int | None,
            keys: list[tuple[str, dt.date]], amounts: dict[str, Decimal]) -> None:
    """Add ``amounts`` to the rows of ``keys`` — creating them where missing — in one statement."""
    table = model._meta.db_table
    names = ["campaign_id", model.owner_field, "indicator_id", "period", "period_start", *COLUMNS]
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    conflict = model.keys()[0 if indicator_id is None else 1]
    where = "indicator_id IS NULL" if indicator_id is None else "indicator_id IS NOT NULL"
    params: list = []
    for period, start in keys:
        params += [campaign_id, owner_id, indicator_id, period, start, *(amounts.get(c, Decimal(0)) for c in COLUMNS)]
    sql = (f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row] * len(keys))} "
           f"ON CONFLICT ({', '.join(conflict)}) WHERE {where} DO UPDATE SET "
           + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ensure_person_row(campaign_id: int, person_id: int, start: dt.date) -> None:
    """Make sure the person's whole-campaign row exists (the engine locks it)."""
    _upsert(PersonTotal, person_id, campaign_id, None, [(Period.CAMPAIGN, start)], {})


def add_entry(entry: PointEntry) -> None:
    """Add one journal row to every total it counts in."""
    amounts = {"total": entry.points, entry.dimension: entry.points}
    keys = [(Period.CAMPAIGN, entry.campaign.start_date), (Period.QUARTER, quarter_start(entry.occurred_on)),
            (Period.MONTH, month_start(entry.occurred_on))]
    person_keys = list(keys)
    snapshot = StandingSnapshot.objects.filter(campaign_id=entry.campaign_id).values_list("month", flat=True).first()
    if snapshot is not None and entry.occurred_on <= month_end(snapshot):
        person_keys.append((Period.SNAPSHOT, snapshot))
    for indicator_id in (None, entry.indicator_id):
        _upsert(PersonTotal, entry.person_id, entry.campaign_id, indicator_id, person_keys, amounts)
        _upsert(UnitTotal, entry.unit_id, entry.campaign_id, indicator_id, keys, amounts)


# --- from the journal -------------------------------------------------------------------------

def _grouped(entries, owner: str, period: str, start_expr, by_indicator: bool):
    """The journal summed the way one set of total rows is: a queryset of rows in the column order
    of ``_insert_select``."""
    group = ["campaign_id", owner] + (["indicator_id"] if by_indicator else [])
    sums = {c: Coalesce(Sum("points", filter=Q(dimension=c)), ZERO) for c in DIMENSIONS}
    return (entries.annotate(p=Value(period), ps=start_expr).values(*group, "p", "ps")
            .annotate(t=Sum("points"), **sums).order_by())


def _sets(campaign: Campaign, snapshot: dt.date | None):
    """(model, owner, period, period start expression, entries) for every set of rows."""
    journal = PointEntry.objects.filter(campaign=campaign)
    periods = [(Period.CAMPAIGN, Value(campaign.start_date), journal),
               (Period.QUARTER, TruncQuarter("occurred_on"), journal),
               (Period.MONTH, TruncMonth("occurred_on"), journal)]
    for model, owner in ((PersonTotal, "person_id"), (UnitTotal, "unit_id")):
        for period, start, entries in periods:
            yield model, owner, period, start, entries
    if snapshot is not None:
        yield (PersonTotal, "person_id", Period.SNAPSHOT, Value(snapshot),
               journal.filter(occurred_on__lte=month_end(snapshot)))


def _insert_select(model: type[Totals], grouped, by_indicator: bool) -> None:
    """INSERT INTO totals SELECT … GROUP BY …: the database does the summing, on both backends."""
    names = ["campaign_id", model.owner_field] + (["indicator_id"] if by_indicator else []) + ["period", "period_start", *COLUMNS]
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) {sql}", params)


@transaction.atomic
def rebuild(campaign: Campaign) -> None:
    """Throw the campaign's totals away and sum them again from the journal."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    snapshot = StandingSnapshot.objects.filter(campaign=campaign).values_list("month", flat=True).first()
    PersonTotal.objects.filter(campaign=campaign).delete()
    UnitTotal.objects.filter(campaign=campaign).delete()
    for model, owner, period, start, entries in _sets(campaign, snapshot):
        for by_indicator in (False, True):
            _insert_select(model, _grouped(entries, owner, period, start, by_indicator), by_indicator)


def _month_before(today: dt.date, campaign: Campaign) -> dt.date | None:
    """The last month that has ended, as seen on ``today`` — within the campaign."""
    now = min(today, campaign.end_date + dt.timedelta(days=1))
    month = month_start(month_start(now) - dt.timedelta(days=1))
    return month if month >= month_start(campaign.start_date) else None


def ensure_snapshot(campaign: Campaign, today: dt.date | None = None) -> dt.date | None:
    """The month whose end the campaign board compares with, its snapshot built if not yet."""
    month = _month_before(today or timezone.localdate(), campaign)
    if month is None:
        return None
    if StandingSnapshot.objects.filter(campaign=campaign, month=month).exists():
        return month
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if StandingSnapshot.objects.filter(campaign=campaign, month=month).exists():
            return month
        PersonTotal.objects.filter(campaign=campaign, period=Period.SNAPSHOT).delete()
        journal = PointEntry.objects.filter(campaign=campaign, occurred_on__lte=month_end(month))
        for by_indicator in (False, True):
            _insert_select(PersonTotal, _grouped(journal, "person_id", Period.SNAPSHOT, Value(month), by_indicator),
                           by_indicator)
        StandingSnapshot.objects.update_or_create(campaign=campaign, defaults={"month": month})
    return month


# --- checking ---------------------------------------------------------------------------------

def _normal(rows) -> set[tuple]:
    return {tuple(Decimal(v).quantize(Decimal("0.01")) if isinstance(v, (Decimal, float)) else v for v in row)
            for row in rows if any(row[-5:])}


def expected_rows(campaign: Campaign) -> set[tuple]:
    """What every total row should hold, summed from the journal (rows of zero left out)."""
    snapshot = StandingSnapshot.objects.filter(campaign=campaign).values_list("month", flat=True).first()
    rows = []
    for model, owner, period, start, entries in _sets(campaign, snapshot):
        for by_indicator in (False, True):
            for row in _grouped(entries, owner, period, start, by_indicator):
                rows.append((model.__name__, row["campaign_id"], row[owner], row.get("indicator_id"), row["p"],
                             _date(row["ps"]), row["t"], *(row[c] for c in DIMENSIONS)))
    return _normal(rows)


def stored_rows(campaign: Campaign) -> set[tuple]:
    rows = []
    for model in (PersonTotal, UnitTotal):
        for row in model.objects.filter(campaign=campaign).values_list(
                "campaign_id", model.owner_field, "indicator_id", "period", "period_start", *COLUMNS):
            rows.append((model.__name__, *row[:4], _date(row[4]), *row[5:]))
    return _normal(rows)


def _date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
