"""Reads of study progress and completion that know the user.

Completion is computed by the database, not by looping over people in Python: the hours a person
logged on an item are a correlated subquery, and "complete" (hours > 0 and hours ≥ required — so
an item asking 0 hours is complete once anything is logged) and "overdue" (past the due date and
not complete) are conditions on it. A page therefore costs the same few queries for 10 people or
10,000. Sums are rounded to the one decimal hours are entered with, because SQLite adds them as
binary floats (0.7 + 0.2 < 0.9 there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least, Round, Substr
from django.utils import timezone

from xuebi.org.choices import PersonStatus
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import subtree_q, unit_paths
from xuebi.org.selectors import label_units

from .models import READ_ROLES, StudyItem, StudyList, StudyProgress

__all__ = [
    "items_with_progress",
    "reached_people",
    "completion",
    "Completion",
    "UnitRow",
    "default_report_root",
    "label_units",
    "tenths",
    "hours_text",
    "PERSON_STATES",
]

HOURS = DecimalField(max_digits=8, decimal_places=1)
ZERO = Value(Decimal("0"), output_field=HOURS)


def tenths(value) -> Decimal:
    """Hours to one decimal: sums computed by SQLite come back as floats (0.900000000000000)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def hours_text(value) -> str:
    """1.50 → "1.5", 2.0 → "2": hours as people write them."""
    return f"{tenths(value):f}".removesuffix(".0")


def _hours(item, person):
    """Hours ``person`` logged on ``item`` (each a value or an OuterRef), rounded; 0 when none."""
    total = (
        StudyProgress.objects.filter(item=item, person=person)
        .order_by()
        .annotate(total=Func(F("hours"), function="SUM", output_field=HOURS))
        .values("total")
    )
    return Round(Coalesce(Subquery(total, output_field=HOURS), ZERO), 1, output_field=HOURS)


def _complete_q(hours: str = "hours_done") -> Q:
    return Q(**{f"{hours}__gt": 0}) & Q(**{f"{hours}__gte": F("required_hours")})


def _count(qs):
    """COUNT(*) of a correlated queryset as a scalar subquery (no GROUP BY needed)."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _sum(qs, expression):
    summed = qs.order_by().annotate(s=Func(expression, function="SUM", output_field=HOURS)).values("s")
    return Round(Coalesce(Subquery(summed, output_field=HOURS), ZERO), 1, output_field=HOURS)


def items_with_progress(items, person_id: int, *, today: dt.date | None = None):
    """Items annotated with one person's ``hours_done``, ``is_complete`` and ``is_overdue``."""
    today = today or timezone.localdate()
    return items.annotate(hours_done=_hours(OuterRef("pk"), person_id)).annotate(
        is_complete=ExpressionWrapper(_complete_q(), output_field=BooleanField()),
        is_overdue=ExpressionWrapper(Q(due_date__lt=today) & ~_complete_q(), output_field=BooleanField()),
    )


def reached_people(study_list: StudyList, viewer, *, target_paths: list[str] | None = None, unit: Unit | None = None):
    """Active people the list reaches that the viewer may see, optionally within one unit's subtree."""
    if target_paths is None:
        target_paths = list(study_list.target_units.values_list("path", flat=True))
    people = Person.objects.visible_to(viewer).filter(status=PersonStatus.ACTIVE).filter(subtree_q(target_paths, "unit"))
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    return people


def _with_stats(people, study_list: StudyList, today: dt.date):
    """People annotated with items_done, items_overdue and hours_done (capped at each item's requirement)."""
    items = StudyItem.objects.filter(study_list=study_list).annotate(
        hours_done=_hours(OuterRef("pk"), OuterRef(OuterRef("pk"))),
    )
    return people.annotate(
        items_done=_count(items.filter(_complete_q())),
        items_overdue=_count(items.filter(due_date__lt=today).exclude(_complete_q())),
        hours_done=_sum(items, Least(F("hours_done"), F("required_hours"))),
    )


@dataclass
class UnitRow:
    unit: Unit | None
    is_root: bool
    reached: int
    complete: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.reached) if self.reached else 0


@dataclass
class Completion:
    study_list: StudyList
    root: Unit | None
    items: list
    item_count: int
    required_hours: Decimal
    by_unit: list[UnitRow]
    people: object  # queryset of Person with the stats annotations, for the caller to paginate
    reached: int
    complete: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.reached) if self.reached else 0


def default_report_root(viewer) -> Unit | None:
    """Where a viewer's by-unit breakdown starts: the unit their read grants share (usually their own)."""
    tops = unit_paths(viewer, READ_ROLES)
    if not tops:
        return None
    common = tops[0]
    for path in tops[1:]:
        while not path.startswith(common):
            common = common[: -Unit.steplen]
    return Unit.objects.filter(path=common).first() if common else None


PERSON_STATES = {"complete", "overdue", "incomplete"}


def completion(
    study_list: StudyList, viewer, *, unit: Unit | None = None, state: str = "", today: dt.date | None = None
) -> Completion:
    """The completion report of a list as the viewer may see it: per item, per unit, per person.

    ``unit`` narrows everything to that subtree and is where the by-unit rows start (its children
    and itself for people directly in it). ``state`` filters the people: complete / overdue / incomplete.
    """
    today = today or timezone.localdate()
    target_paths = list(study_list.target_units.values_list("path", flat=True))
    people = reached_people(study_list, viewer, target_paths=target_paths, unit=unit)
    root = unit or default_report_root(viewer)

    items = list(
        StudyItem.objects.filter(study_list=study_list).annotate(
            completed=_count(
                people.annotate(hours_done=_hours(OuterRef(OuterRef("pk")), OuterRef("pk"))).filter(
                    hours_done__gt=0, hours_done__gte=OuterRef("required_hours")
                )
            )
        )
    )
    item_count = len(items)
    stats = _with_stats(people, study_list, today)

    level = (root.depth + 1) if root is not None else 1
    grouped = (
        stats.annotate(branch=Substr("unit__path", 1, Unit.steplen * level))
        .order_by()
        .values("branch")
        .annotate(
            reached=Count("pk"),
            complete=Count("pk", filter=Q(items_done__gte=item_count)),
            overdue=Count("pk", filter=Q(items_overdue__gt=0)),
        )
    )
    grouped = list(grouped)
    units = {u.path: u for u in Unit.objects.filter(path__in=[g["branch"] for g in grouped])}
    by_unit = sorted(
        (
            UnitRow(
                unit=units.get(g["branch"]),
                is_root=root is not None and g["branch"] == root.path,
                reached=g["reached"],
                complete=g["complete"],
                overdue=g["overdue"],
            )
            for g in grouped
        ),
        key=lambda row: (not row.is_root, row.unit.path if row.unit else ""),
    )
    reached_total = sum(r.reached for r in by_unit)
    for row in items:  # the page's figures, set on each item as attributes
        row.overdue = (reached_total - row.completed) if row.due_date < today else 0  # type: ignore[attr-defined]
        row.percent = round(100 * row.completed / reached_total) if reached_total else 0  # type: ignore[attr-defined]

    if state == "complete":
        stats = stats.filter(items_done__gte=item_count)
    elif state == "overdue":
        stats = stats.filter(items_overdue__gt=0)
    elif state == "incomplete":
        stats = stats.filter(items_done__lt=item_count)
    return Completion(
        study_list=study_list,
        root=root,
        items=items,
        item_count=item_count,
        required_hours=sum((i.required_hours for i in items), Decimal("0")),
        by_unit=by_unit,
        people=stats.select_related("unit").order_by("unit__path", "name_pinyin", "pk"),
        reached=sum(r.reached for r in by_unit),
        complete=sum(r.complete for r in by_unit),
        overdue=sum(r.overdue for r in by_unit),
    )
