"""Reads behind the ledger's reports: 三会一课 compliance of 党支部 and 五学联动 activity.

Both are one aggregate query over the records the viewer may see (``Record.objects.visible_to``),
grouped by unit, kind or level, and month; the periods (月/季/半年/年) are folded together in
Python from the monthly counts, so a report costs the same whatever the frequencies are and
never one query per cell.

Only records that were handed in count: submitted (待审核) or approved (已通过). A draft is not a
meeting anyone vouches for yet, and a returned record is one the reviewer did not accept.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractMonth, Substr
from django.utils import timezone

from xuebi.org.choices import UnitKind
from xuebi.org.models import Unit

from ..choices import Frequency, RecordStatus, StudyLevel
from ..models import MeetingRequirement, Record

__all__ = [
    "COUNTED_STATUSES",
    "Period",
    "periods",
    "compliance",
    "ComplianceReport",
    "BranchCompliance",
    "RequirementRow",
    "Cell",
    "study_levels",
    "StudyLevelReport",
    "depth_choices",
    "year_choices",
]

COUNTED_STATUSES = (RecordStatus.SUBMITTED, RecordStatus.APPROVED)
FIRST_YEAR = 2021  # the 双学双比 campaign started in 2021; nothing is recorded before it

MONTHS_PER_PERIOD: dict[str, int] = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF: 6, Frequency.YEAR: 12}
_QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
_HALF_NAMES = ("上半年", "下半年")

# Cell states. A period that has not ended yet is "open": it is not counted as missing, because
# a branch that holds its 支委会 on the 25th has not missed it on the 3rd.
OK, MISSING, OPEN, FUTURE = "ok", "missing", "open", "future"


def year_choices(today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year, min(FIRST_YEAR, today.year) - 1, -1))


# --- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    index: int  # 1-based within the year
    label: str  # 3月 / 第一季度 / 上半年 / 全年
    start: dt.date
    end: dt.date
    months: tuple[int, ...]
    state: str  # closed / open / future (relative to today)

    @property
    def span(self) -> int:
        """How many month columns the period covers (the colspan in the report's grid)."""
        return len(self.months)


def _label(frequency: str, index: int, first_month: int) -> str:
    if frequency == Frequency.MONTH:
        return f"{first_month}月"
    if frequency == Frequency.QUARTER:
        return _QUARTER_NAMES[index - 1]
    if frequency == Frequency.HALF:
        return _HALF_NAMES[index - 1]
    return "全年"


def periods(year: int, frequency: str, today: dt.date) -> list[Period]:
    """The periods of ``year`` at ``frequency``, each marked closed, open (contains today) or future."""
    span = MONTHS_PER_PERIOD[frequency]
    result = []
    for index, first in enumerate(range(1, 13, span), start=1):
        last = first + span - 1
        start = dt.date(year, first, 1)
        end = dt.date(year, last, calendar.monthrange(year, last)[1])
        state = "future" if start > today else ("open" if end >= today else "closed")
        result.append(Period(index, _label(frequency, index, first), start, end, tuple(range(first, last + 1)), state))
    return result


# --- 三会一课 compliance ------------------------------------------------------------------------


@dataclass
class Cell:
    period: Period
    count: int
    required: int
    state: str  # ok / missing / open / future

    @property
    def shortfall(self) -> int:
        return max(self.required - self.count, 0) if self.state == MISSING else 0


@dataclass
class RequirementRow:
    requirement: MeetingRequirement
    cells: list[Cell]

    @property
    def missing(self) -> int:
        """Meetings short in the periods that have ended."""
        return sum(c.shortfall for c in self.cells)

    @property
    def held(self) -> int:
        return sum(c.count for c in self.cells)


@dataclass
class BranchCompliance:
    unit: Unit
    parent_name: str
    rows: list[RequirementRow]

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.rows)


@dataclass
class ComplianceReport:
    year: int
    today: dt.date
    requirements: list[MeetingRequirement]
    branches: list[BranchCompliance]
    total_branches: int = 0
    months: list[int] = field(default_factory=lambda: list(range(1, 13)))

    @property
    def missing(self) -> int:
        return sum(b.missing for b in self.branches)


def _cell(period: Period, count: int, required: int) -> Cell:
    if period.state == "future":
        state = FUTURE
    elif count >= required:
        state = OK
    else:
        state = OPEN if period.state == "open" else MISSING
    return Cell(period, count, required, state)


def branches_for(user, *, within: Unit | None = None):
    """The active 党支部 the user may see, optionally only those under ``within``."""
    branches = Unit.objects.visible_to(user).filter(kind=UnitKind.BRANCH, is_active=True)
    if within is not None:
        branches = branches.filter(path__startswith=within.path)
    return branches


def parent_names(units) -> dict[int, str]:
    """{unit id: its parent's short name} in one query, so a list of branches reads
    “阿巴嘎旗委组织部 · 机关第一党支部” rather than a column of look-alike names."""
    parent_paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    names = (
        {
            path: short or name
            for path, short, name in Unit.objects.filter(path__in=parent_paths).values_list("path", "short_name", "name")
        }
        if parent_paths
        else {}
    )
    return {u.pk: names.get(u.path[: -Unit.steplen], "") for u in units}


def compliance(*, user, year: int, branches, today: dt.date | None = None) -> ComplianceReport:
    """三会一课 and 主题党日 per branch for ``year``: each active requirement × each period.

    ``branches`` is a list of units (already scoped and, for long lists, paginated by the
    caller): the counts are read for exactly those, in one GROUP BY (unit, kind, month) query.
    """
    today = today or timezone.localdate()
    requirements = list(MeetingRequirement.objects.filter(is_active=True).select_related("kind"))
    branches = list(branches)
    counts: dict[tuple[int, int, int], int] = {}
    if branches and requirements:
        rows = (
            Record.objects.visible_to(user)
            .filter(
                unit_id__in=[b.pk for b in branches],
                kind_id__in=[r.kind_id for r in requirements],
                status__in=COUNTED_STATUSES,
                occurred_on__gte=dt.date(year, 1, 1),
                occurred_on__lte=dt.date(year, 12, 31),
            )
            .annotate(month=ExtractMonth("occurred_on"))
            .order_by()
            .values_list("unit_id", "kind_id", "month")
            .annotate(n=Count("pk"))
        )
        counts = {(unit_id, kind_id, month): n for unit_id, kind_id, month, n in rows}
    period_sets: dict[str, list[Period]] = {f: periods(year, f, today) for f in MONTHS_PER_PERIOD}
    names = parent_names(branches)
    report = []
    for branch in branches:
        lines = []
        for req in requirements:
            cells = [
                _cell(p, sum(counts.get((branch.pk, req.kind_id, m), 0) for m in p.months), req.min_count)
                for p in period_sets[req.frequency]
            ]
            lines.append(RequirementRow(req, cells))
        report.append(BranchCompliance(branch, names.get(branch.pk, ""), lines))
    return ComplianceReport(year=year, today=today, requirements=requirements, branches=report, total_branches=len(branches))


# --- 五学联动 -------------------------------------------------------------------------------------

DEPTH_LABELS = {1: "盟级", 2: "旗县市区", 3: "科室、党支部"}


def depth_label(depth: int) -> str:
    return DEPTH_LABELS.get(depth, f"第{depth}级单位")


def depth_choices(user) -> tuple[list[tuple[int, str]], int | None]:
    """([(depth, label)], default) for grouping: from the top of the user's scope down to the
    deepest unit they see. The default is one level below their top (a league admin compares
    county departments; a county admin compares their sections)."""
    depths = sorted(set(Unit.objects.visible_to(user).values_list("depth", flat=True).distinct().order_by()))
    if not depths:
        return [], None
    default = depths[1] if len(depths) > 1 else depths[0]
    return [(d, depth_label(d)) for d in depths], default


@dataclass
class LevelLine:
    level: str
    label: str
    months: list[int]

    @property
    def total(self) -> int:
        return sum(self.months)


@dataclass
class UnitLevels:
    unit: Unit
    lines: list[LevelLine]

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def month_totals(self) -> list[int]:
        return [sum(col) for col in zip(*(line.months for line in self.lines))]


@dataclass
class StudyLevelReport:
    year: int
    depth: int
    summary: list[LevelLine]
    units: list[UnitLevels]

    @property
    def total(self) -> int:
        return sum(line.total for line in self.summary)

    @property
    def month_totals(self) -> list[int]:
        return [sum(col) for col in zip(*(line.months for line in self.summary))]


def study_levels(*, user, year: int, depth: int, within: Unit | None = None) -> StudyLevelReport:
    """Collective studies per 五学联动 level × unit × month of ``year``.

    Records are grouped by the ancestor of their unit at ``depth`` (the first ``depth`` steps of
    its materialized path); a record of a unit above that depth stays with its own unit. One
    aggregate query, plus one for the units the groups name.
    """
    records = (
        Record.objects.visible_to(user)
        .filter(
            status__in=COUNTED_STATUSES,
            occurred_on__gte=dt.date(year, 1, 1),
            occurred_on__lte=dt.date(year, 12, 31),
        )
        .exclude(study_level="")
    )
    if within is not None:
        records = records.filter(unit__path__startswith=within.path)
    rows = (
        records.annotate(group=Substr("unit__path", 1, depth * Unit.steplen), month=ExtractMonth("occurred_on"))
        .order_by()
        .values_list("group", "study_level", "month")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {lv: [0] * 12 for lv in StudyLevel.values})
    for group, level, month, n in rows:
        if level in StudyLevel.values:
            counts[group][level][month - 1] += n
    units = Unit.objects.visible_to(user).filter(is_active=True, depth=depth)
    if within is not None:
        units = units.filter(path__startswith=within.path)
    units = list((units | Unit.objects.visible_to(user).filter(path__in=list(counts))).order_by("path"))
    per_unit = []
    summary = {lv: [0] * 12 for lv in StudyLevel.values}
    for unit in units:
        levels = counts.get(unit.path) or {lv: [0] * 12 for lv in StudyLevel.values}
        for lv, months in levels.items():
            summary[lv] = [a + b for a, b in zip(summary[lv], months)]
        per_unit.append(UnitLevels(unit, [LevelLine(lv, str(label), levels[lv]) for lv, label in StudyLevel.choices]))
    return StudyLevelReport(
        year=year,
        depth=depth,
        summary=[LevelLine(lv, str(label), summary[lv]) for lv, label in StudyLevel.choices],
        units=per_unit,
    )
