"""The points engine: a source (anything approved or final) → the rules for it → journal rows.

The engine knows a source only as a ``Source`` (type, id, version, kind, date, field values,
participants). The ledger is its first client (``receivers.py``); exams, contests, checklists
and assessments plug in by building a ``Source`` and calling ``award`` / ``reverse``.

Correctness under concurrency:
* idempotency — the ``points_award_once`` unique constraint: the same (rule, source, version,
  person) is awarded once; awards to a person are checked for it under the person's lock (below),
  so a duplicate request finds the award already committed and skips it;
* caps — all awards to one person in one campaign first lock that person's ``PersonTotal``
  row (SELECT … FOR UPDATE; SQLite's IMMEDIATE transactions serialise writers anyway), so two
  approvals at the same moment see each other's points when they check a cap.
All arithmetic is Decimal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from xuebi.campaign.choices import Recipients, RuleMethod
from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.core.formatting import points_text

from . import readmodel
from .models import EntryType, Period, PointEntry

__all__ = [
    "Participation",
    "Source",
    "Credit",
    "Preview",
    "award",
    "preview",
    "adjust",
    "adjustment_credit",
    "reverse",
    "reverse_entries",
    "reflow",
    "journal_append",
    "fit_caps",
    "rule_points",
    "CAP_LABELS",
]

CENT = Decimal("0.01")
CAP_LABELS = {"day": "每日", "week": "每周", "month": "每月", "campaign": "活动期间"}


@dataclass(frozen=True)
class Participation:
    person_id: int
    unit_id: int
    role: str  # author / presenter / attendee
    hours: Decimal | None = None


@dataclass(frozen=True)
class Source:
    type: str
    id: str
    version: int
    kind: str
    occurred_on: dt.date
    label: str
    data: dict = field(default_factory=dict)
    participants: tuple[Participation, ...] = ()


# --- what a rule gives ------------------------------------------------------------------------


def _recipients(rule: Rule, source: Source) -> list[Participation]:
    if rule.recipients == Recipients.ALL:
        return list(source.participants)
    if rule.recipients == Recipients.ATTENDEES:
        return [p for p in source.participants if p.role == "attendee"]
    if rule.recipients == Recipients.PRESENTER:
        return [p for p in source.participants if p.role == "presenter"] or [p for p in source.participants if p.role == "author"]
    return [p for p in source.participants if p.role == "author"]


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def rule_points(rule: Rule, source: Source, who: Participation) -> tuple[Decimal, str]:
    """(points before caps, the value they were counted on) for one recipient."""
    if rule.method == RuleMethod.FIXED:
        value = str(source.data.get(rule.field_key, "")) if rule.field_key else ""
        return rule.points, value
    if rule.method == RuleMethod.PER_UNIT:
        amount = who.hours if rule.field_key == "hours" and who.hours is not None else _decimal(source.data.get(rule.field_key))
        if amount is None:
            return Decimal(0), ""
        return (rule.points * amount).quantize(CENT, ROUND_HALF_UP), str(amount)
    given = source.data.get(rule.field_key)
    value = given if isinstance(given, str) else ""
    return (_decimal(rule.lookup.get(value)) or Decimal(0)), value


# --- caps -------------------------------------------------------------------------------------


def _window(period: str, day: dt.date, campaign: Campaign) -> tuple[dt.date, dt.date]:
    if period == "day":
        return day, day
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return campaign.start_date, campaign.end_date


def _sum(**filters) -> Decimal:
    return PointEntry.objects.filter(**filters).aggregate(s=Sum("points"))["s"] or Decimal(0)


def _checks(rule: Rule, person_id: int, day: dt.date, value: str, key: dict) -> dict[str, tuple[str, list]]:
    """What an award checks under the person's lock, as one-value reads for one statement: whether
    this award exists (``duplicate``), whether the value already scored once (``valued``), and
    what the rule's family holds in each cap's window (by period). Written out, like the
    statement they join: building them with the ORM cost more than running them."""
    journal = PointEntry._meta.db_table
    family = _rule_family(rule)
    in_family = f"rule_id IN ({', '.join(['%s'] * len(family))}) AND person_id = %s"
    reads = {
        "duplicate": (
            f"SELECT id FROM {journal} WHERE entry_type = %s AND rule_id = %s AND source_type = %s AND source_id = %s "
            f"AND source_version = %s AND person_id = %s AND generation = %s LIMIT 1",
            [
                EntryType.AWARD.value,
                rule.pk,
                key["source_type"],
                key["source_id"],
                key["source_version"],
                person_id,
                key["generation"],
            ],
        )
    }
    if rule.once_per_value and value:
        reads["valued"] = (
            f"SELECT e.id FROM {journal} e WHERE {in_family} AND value_key = %s AND entry_type = %s AND points > 0 "
            f"AND NOT EXISTS (SELECT 1 FROM {journal} r WHERE r.reverses_id = e.id) LIMIT 1",
            [*family, person_id, value, EntryType.AWARD.value],
        )
    for period, _cap in rule.caps():
        reads[period] = (
            f"SELECT SUM(points) FROM {journal} WHERE {in_family} AND occurred_on BETWEEN %s AND %s",
            [*family, person_id, *_window(period, day, rule.campaign)],
        )
    return reads


def fit_caps(
    rule: Rule, base: Decimal, *, value: str, valued: bool, held: dict[str, Decimal], indicator_total: Decimal
) -> tuple[Decimal, str]:
    """The points of ``base`` that fit under every cap of the rule at once, and which cap cut them
    (the journal's note) — the one place the cap arithmetic lives, for ``award`` (the sums read
    under the person's lock) and ``reflow`` (the sums it runs through in order). ``valued``: the
    value already scored once (``once_per_value``); ``held``: period → what the rule's family holds
    in that cap's window; ``indicator_total``: the person's points under the indicator so far."""
    if valued:
        return Decimal(0), f"“{value}”在活动期间已计分"
    points, note = base, ""
    for period, cap in rule.caps():
        room = max(cap - held.get(period, Decimal(0)), Decimal(0))
        if room < points:
            points, note = room, f"已达{CAP_LABELS[period]}上限{cap.normalize():f}分"
    maximum = rule.indicator.max_points
    if maximum is not None:
        room = max(maximum - indicator_total, Decimal(0))
        if room < points:
            points, note = room, f"已达指标“{rule.indicator.name}”满分{maximum.normalize():f}分"
    return points, note


def _rule_family(rule: Rule) -> list[int]:
    """A rule and the versions it superseded, newest first: a cap counts what earlier versions
    awarded too. A changed rule's chain is read in one query, however often it changed."""
    if not rule.supersedes_id:
        return [rule.pk]
    earlier = dict(Rule.objects.filter(campaign_id=rule.campaign_id, supersedes__isnull=False).values_list("pk", "supersedes_id"))
    ids = [rule.pk, rule.supersedes_id]
    while ids[-1] in earlier:
        ids.append(earlier[ids[-1]])
    return ids


# --- writing the journal ----------------------------------------------------------------------


def _lock_total(campaign_id: int, person_id: int) -> None:
    """Lock the person's whole-campaign total row (created if missing): every award, reversal and
    adjustment to one person in one campaign passes here first, so cap checks are serialised."""
    readmodel.lock_person(campaign_id, person_id)


def journal_append(
    entry: PointEntry, before: dict | None = None, *, locked: bool = False, concurrent_ok: bool = False
) -> PointEntry | None:
    """The journal's one door: every row of ``points_pointentry`` is written here. Takes the
    person's lock (``locked``: the caller holds it already — ``award`` locks all its recipients
    first, in the documented order), inserts the row and adds it to every total and band count it
    counts in, in one round trip on PostgreSQL (``readmodel.apply``), inside the caller's
    transaction. ``before``: the person's rows, when the caller read them under the lock.
    ``concurrent_ok``: a unique constraint refusing the row (a reversal made concurrently) is not
    an error — nothing is written and None is returned."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("journal_append runs inside the caller's transaction")
    if not locked:
        _lock_total(entry.campaign_id, entry.person_id)
    if not concurrent_ok:
        readmodel.apply(entry, before)
        return entry
    try:
        with transaction.atomic():  # a savepoint: the row and its totals go together, or neither
            readmodel.apply(entry, before)
    except IntegrityError:
        entry.pk = None
        return None
    return entry


def _rules_for(source: Source):
    return (
        Rule.objects.filter(
            source_type=source.type,
            source_kind=source.kind,
            is_active=True,
            campaign__is_closed=False,
            campaign__start_date__lte=source.occurred_on,
            campaign__end_date__gte=source.occurred_on,
        )
        .select_related("campaign", "campaign__standing_snapshot", "indicator")
        .order_by("pk")
    )


def _award_key(rule: Rule, source: Source, who: Participation) -> dict:
    """The fields that make an award unique (the ``points_award_once`` constraint)."""
    return {
        "rule": rule,
        "source_type": source.type,
        "source_id": source.id,
        "source_version": source.version,
        "person_id": who.person_id,
        "generation": rule.campaign.points_generation,
    }


def _capped(rule: Rule, source: Source, who: Participation, base: Decimal, value: str, key: dict):
    """(the person's rows as they are, points after the caps, why cut) — or None when this award
    exists already. The rows (the indicator's total for its maximum, then the totals' update) and
    the checks are read in one statement."""
    before, standing = readmodel.person_rows(
        rule.campaign,
        who.person_id,
        rule.indicator_id,
        source.occurred_on,
        _checks(rule, who.person_id, source.occurred_on, value, key),
    )
    if standing["duplicate"] is not None:
        return None
    held = {period: readmodel.points_value(standing[period] or 0) for period, _cap in rule.caps()}
    points, note = fit_caps(
        rule,
        base,
        value=value,
        valued=standing.get("valued") is not None,
        held=held,
        indicator_total=_indicator_total(rule.campaign, before, rule.indicator_id),
    )
    return before, points, note


@transaction.atomic
def award(source: Source, *, actor=None) -> list[PointEntry]:
    """Award what the active rules give for this source. Safe to call twice: the second call
    (or a concurrent duplicate) awards nothing."""
    made = []
    awards = [(rule, who) for rule in _rules_for(source) for who in _recipients(rule, source)]
    # Locks in one order, whoever approves what: every recipient's total row first, by (campaign,
    # person), and only then the shared unit rows, unit by unit (``add_entry`` takes a unit's
    # whole-campaign row first). Awarding in the order of the participants instead had two group
    # records with the same people in another order wait on each other (deadlock on PostgreSQL).
    # Each person's awards keep the rules' order, so caps cut the same awards as before.
    for campaign_id, person_id in sorted({(rule.campaign_id, who.person_id) for rule, who in awards}):
        _lock_total(campaign_id, person_id)
    for rule, who in sorted(awards, key=lambda a: (a[0].campaign_id, a[1].unit_id, a[1].person_id)):
        base, value = rule_points(rule, source, who)
        key = _award_key(rule, source, who)
        capped = _capped(rule, source, who, base, value, key)
        if capped is None:
            continue
        before, points, note = capped
        entry = PointEntry(
            campaign=rule.campaign,
            indicator=rule.indicator,
            dimension=rule.indicator.dimension,
            unit_id=who.unit_id,
            occurred_on=source.occurred_on,
            entry_type=EntryType.AWARD,
            points=points,
            base_points=base,
            note=note,
            source_label=source.label[:200],
            value_key=value[:100],
            created_by=actor,
            **key,
        )
        # Inserted with the totals' writes, in one round trip. No savepoint is needed: the
        # person's lock and the check above mean a concurrent duplicate has committed before
        # this one looks; the unique constraint stays the backstop.
        journal_append(entry, before, locked=True)
        made.append(entry)
    return made


@dataclass(frozen=True)
class Preview:
    """What ``award`` would give one person under one rule now, caps applied: read only."""

    person_id: int
    rule: Rule
    points: Decimal
    note: str


def preview(source: Source, *, max_people: int = 20) -> list[Preview]:
    """What awarding ``source`` now would give, person by person (the record page shows it before
    approval). Reads only, takes no lock: ``award`` decides. Several rules of one source are each
    checked against the journal as it is, not against one another. Past ``max_people`` recipients
    the caps are not read (one statement each) and the points are the rule's before caps."""
    made = []
    awards = [(rule, who) for rule in _rules_for(source) for who in _recipients(rule, source)]
    with_caps = len({who.person_id for _rule, who in awards}) <= max_people
    for rule, who in awards:
        base, value = rule_points(rule, source, who)
        if not with_caps:
            made.append(Preview(who.person_id, rule, base, "未计上限"))
            continue
        capped = _capped(rule, source, who, base, value, _award_key(rule, source, who))
        if capped is not None:
            made.append(Preview(who.person_id, rule, capped[1], capped[2]))
    return made


@transaction.atomic
def reverse(source_type: str, source_id: str, *, reason: str, actor=None, version: int | None = None) -> list[PointEntry]:
    """Reverse every standing award of the source (of one version, if given). A closed
    campaign's points are final and stay as they are."""
    awards = PointEntry.objects.filter(
        entry_type=EntryType.AWARD,
        source_type=source_type,
        source_id=source_id,
        reversed_by__isnull=True,
        campaign__is_closed=False,
    )
    if version is not None:
        awards = awards.filter(source_version=version)
    # the same lock order as ``award``: the people first, then (in ``reverse_entries``) unit by unit
    for campaign_id, person_id in sorted(set(awards.values_list("campaign_id", "person_id"))):
        _lock_total(campaign_id, person_id)
    made = reverse_entries(awards, reason=reason, actor=actor)
    for campaign_id, person_id in sorted({(e.campaign_id, e.person_id) for e in made}):
        reflow(campaign_id, person_id, actor=actor)
    return made


def reverse_entries(awards, *, reason: str, actor=None) -> list[PointEntry]:
    made = []
    for original in awards.order_by("campaign_id", "unit_id", "person_id", "pk"):
        _lock_total(original.campaign_id, original.person_id)
        entry = PointEntry(
            campaign_id=original.campaign_id,
            indicator_id=original.indicator_id,
            dimension=original.dimension,
            rule_id=original.rule_id,
            person_id=original.person_id,
            unit_id=original.unit_id,
            occurred_on=original.occurred_on,
            entry_type=EntryType.REVERSAL,
            points=-original.points,
            note=f"冲销：{reason}"[:200],
            source_type=original.source_type,
            source_id=original.source_id,
            source_version=original.source_version,
            generation=original.generation,
            source_label=original.source_label,
            value_key=original.value_key,
            reverses=original,
            created_by=actor,
        )
        if journal_append(entry, locked=True, concurrent_ok=True) is None:  # reversed concurrently
            continue
        made.append(entry)
    return made


# --- adjustments (加分/扣分) --------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    """What an adjustment of ``asked`` points gives a person whose indicator total is ``earned``:
    an indicator's points stay within 0…满分, as an award's do, so 加分 stops at the maximum and 扣分
    at 0 (扣完为止). The preview shows it and the writer books it; both get it from ``_credit``."""

    indicator: Indicator
    asked: Decimal
    earned: Decimal
    credited: Decimal
    note: str  # why less than asked was credited; empty when all of it was

    @property
    def cut(self) -> Decimal:
        return self.asked - self.credited

    @property
    def summary(self) -> str:
        """“将计入 1.5 分（满分 30，已得 28.5）” — what the admin confirms."""
        maximum = self.indicator.max_points
        known = (f"满分 {points_text(maximum)}，" if maximum is not None else "") + f"已得 {points_text(self.earned)}"
        if self.credited < 0:
            return f"将扣除 {points_text(-self.credited)} 分（{known}）"
        return f"将计入 {points_text(self.credited)} 分（{known}）"


def _credit(indicator: Indicator, asked: Decimal, earned: Decimal) -> Credit:
    credited, note, name = asked, "", indicator.name
    if asked > 0 and indicator.max_points is not None:
        room = max(indicator.max_points - earned, Decimal(0))
        if room < asked:
            credited = room
            note = f"已达指标“{name}”满分{points_text(indicator.max_points)}分，核减{points_text(asked - room)}分"
    elif asked < 0:
        floor = -max(earned, Decimal(0))
        if asked < floor:
            credited, note = floor, f"指标“{name}”扣至0分为止，核减{points_text(floor - asked)}分"
    if credited == 0:
        raise ValidationError(
            {
                "points": (
                    f"指标“{name}”已得{points_text(earned)}分，已达满分，不能再加分。"
                    if asked > 0
                    else f"指标“{name}”已得{points_text(earned)}分，不能再扣分。"
                )
            }
        )
    return Credit(indicator, asked, earned, credited, note)


def _indicator_total(campaign: Campaign, rows: dict, indicator_id: int) -> Decimal:
    row = rows[indicator_id].get((Period.CAMPAIGN, campaign.start_date))
    return row["total"] if row else Decimal(0)


def adjustment_credit(
    *, campaign: Campaign, indicator: Indicator, person_id: int, points: Decimal, occurred_on: dt.date
) -> Credit:
    """What ``adjust`` would book now (the preview; it takes no lock, so ``adjust`` checks again)."""
    rows = readmodel.person_rows(campaign, person_id, indicator.pk, occurred_on, {})
    return _credit(indicator, points, _indicator_total(campaign, rows, indicator.pk))


@transaction.atomic
def adjust(
    *,
    campaign: Campaign,
    indicator: Indicator,
    person_id: int,
    unit_id: int,
    points: Decimal,
    reason: str,
    occurred_on: dt.date,
    actor,
    expected: Decimal | None = None,
) -> tuple[PointEntry, Credit]:
    """Book an adjustment through the journal's one door: under the person's lock (so two admins
    at once cannot both fill the same room under the maximum), cut to the indicator's range, the
    cut noted after the reason. ``expected``: the credited figure the admin confirmed; when the
    person's points moved since the preview, nothing is booked and the new figure is the message."""
    _lock_total(campaign.pk, person_id)
    rows = readmodel.person_rows(campaign, person_id, indicator.pk, occurred_on, {})
    credit = _credit(indicator, points, _indicator_total(campaign, rows, indicator.pk))
    if expected is not None and expected != credit.credited:
        raise ValidationError({"points": f"积分已有变化，现在{credit.summary}，请确认后再提交。"})
    suffix = f"（{credit.note}）" if credit.note else ""
    entry = PointEntry(
        campaign=campaign,
        indicator=indicator,
        dimension=indicator.dimension,
        person_id=person_id,
        unit_id=unit_id,
        occurred_on=occurred_on,
        entry_type=EntryType.ADJUSTMENT,
        points=credit.credited,
        base_points=points,
        note=reason[: 200 - len(suffix)] + suffix,
        source_type="adjustment",
        source_label="加分" if points > 0 else "扣分",
        created_by=actor,
    )
    journal_append(entry, rows, locked=True)
    return entry, credit


def _canonical(entry: PointEntry) -> tuple:
    """The order a from-scratch recomputation awards in: by date, then source, then rule."""
    number = int(entry.source_id) if entry.source_id.isdigit() else 0
    return entry.occurred_on, entry.source_type, number, entry.source_id, entry.rule_id, entry.pk


def reflow(campaign_id: int, person_id: int, *, actor=None) -> list[PointEntry]:
    """After a reversal frees room under a cap, give each of the person's standing awards what
    it would get if everything standing had been awarded in order from scratch.

    An award whose figure changes is reversed and awarded again as the next ``revision``, with
    the reason in its note, so the journal shows why a capped entry grew. Without this a person
    whose capped award lost its competitor would keep less than a recomputation gives.
    """
    _lock_total(campaign_id, person_id)
    standing = list(
        PointEntry.objects.filter(
            campaign_id=campaign_id,
            person_id=person_id,
            entry_type=EntryType.AWARD,
            rule__isnull=False,
            reversed_by__isnull=True,
        ).select_related("rule", "rule__campaign", "rule__indicator")
    )
    adjustments = PointEntry.objects.filter(campaign_id=campaign_id, person_id=person_id, entry_type=EntryType.ADJUSTMENT)
    by_indicator: dict[int, Decimal] = {
        row["indicator"]: row["s"] for row in adjustments.values("indicator").annotate(s=Sum("points")).order_by()
    }
    windows: dict[tuple, Decimal] = {}
    valued: set[tuple] = set()
    roots: dict[int, int] = {}  # rule → the first version of its family (read once per rule)
    made = []
    for entry in sorted(standing, key=_canonical):
        rule = entry.rule
        assert rule is not None  # standing awards come from rules (the query above)
        if rule.pk not in roots:
            roots[rule.pk] = _rule_family(rule)[-1]
        family = roots[rule.pk]
        keys = {period: (family, period, _window(period, entry.occurred_on, rule.campaign)[0]) for period, _cap in rule.caps()}
        points, note = fit_caps(
            rule,
            entry.base_points or Decimal(0),
            value=entry.value_key,
            valued=bool(rule.once_per_value and entry.value_key and (family, entry.value_key) in valued),
            held={period: windows.get(key, Decimal(0)) for period, key in keys.items()},
            indicator_total=by_indicator.get(rule.indicator_id, Decimal(0)),
        )
        for key in keys.values():
            windows[key] = windows.get(key, Decimal(0)) + points
        by_indicator[rule.indicator_id] = by_indicator.get(rule.indicator_id, Decimal(0)) + points
        if points > 0 and entry.value_key:
            valued.add((family, entry.value_key))
        if points == entry.points:
            continue
        reverse_entries(PointEntry.objects.filter(pk=entry.pk), reason="其他记录撤销后按上限重新计算", actor=actor)
        fresh = PointEntry(
            campaign_id=entry.campaign_id,
            indicator_id=entry.indicator_id,
            dimension=entry.dimension,
            rule=rule,
            person_id=person_id,
            unit_id=entry.unit_id,
            occurred_on=entry.occurred_on,
            entry_type=EntryType.AWARD,
            points=points,
            base_points=entry.base_points,
            note=note or "其他记录撤销后按上限重新计算",
            source_type=entry.source_type,
            source_id=entry.source_id,
            source_version=entry.source_version,
            generation=entry.generation,
            revision=entry.revision + 1,
            source_label=entry.source_label,
            value_key=entry.value_key,
            created_by=actor,
        )
        journal_append(fresh, locked=True)
        made.append(fresh)
    return made


def journal_total(person_id: int, campaign_id: int) -> Decimal:
    """The journal's own sum — what ``PersonTotal.total`` must always equal."""
    return _sum(person_id=person_id, campaign_id=campaign_id)


__all__ += ["journal_total"]
