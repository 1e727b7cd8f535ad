"""The monthly and quarterly ranking of the county departments, as pure functions: periods, the
quota check and the ranks (ties share a rank: 1, 2, 2, 4). ``selectors.ranking`` reads the
tallies from the database and hands them here."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from .conf import Quota

__all__ = ["Period", "parse_period", "period_of", "recent_periods", "Tally", "Row", "shortfalls", "rank"]

QUARTERS = "一二三四"
_CODE = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4]))$")


@dataclass(frozen=True)
class Period:
    kind: str  # "month" or "quarter"
    start: dt.date
    end: dt.date

    @property
    def code(self) -> str:
        """2026-11 for a month, 2026-Q4 for a quarter (the page's and the API's ``period``)."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年第{QUARTERS[(self.start.month - 1) // 3]}季度"

    @property
    def kind_label(self) -> str:
        return "月度" if self.kind == "month" else "季度"


def _month_end(start: dt.date) -> dt.date:
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def period_of(kind: str, day: dt.date) -> Period:
    """The month or the quarter ``day`` falls in."""
    if kind == "month":
        start = day.replace(day=1)
        return Period("month", start, _month_end(start))
    if kind != "quarter":
        raise ValidationError({"period": "期间应为月度或季度。"})
    first = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first, 1)
    return Period("quarter", start, _month_end(dt.date(day.year, first + 2, 1)))


def parse_period(code: str | None, *, today: dt.date) -> Period:
    """``2026-11`` (a month) or ``2026-Q4`` (a quarter); empty: this quarter. A wrong one is
    refused with the field named."""
    code = (code or "").strip()
    if not code:
        return period_of("quarter", today)
    match = _CODE.match(code)
    if not match:
        raise ValidationError({"period": f"期间“{code}”应写成 2026-11（月度）或 2026-Q4（季度）。"})
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise ValidationError({"period": f"期间“{code}”的年份不对。"})
    if match["quarter"]:
        return period_of("quarter", dt.date(year, int(match["quarter"]) * 3, 1))
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise ValidationError({"period": f"期间“{code}”的月份应为1至12。"})
    return period_of("month", dt.date(year, month, 1))


def recent_periods(today: dt.date, *, months: int = 12, quarters: int = 6) -> list[Period]:
    """The picker's choices: this quarter and the ones before it, then this month and the ones before."""
    made = []
    day = today
    for _ in range(quarters):
        made.append(period_of("quarter", day))
        day = made[-1].start - dt.timedelta(days=1)
    day = today
    for _ in range(months):
        made.append(period_of("month", day))
        day = made[-1].start - dt.timedelta(days=1)
    return made


@dataclass
class Tally:
    """One county department in one period: items submitted, adoptions by outlet (code → count),
    those at an outlet that counts for the quota (盟 or above), 批示, and the adoptions' points
    (each adoption once, by the rules' table — not once per author)."""

    unit_id: int
    name: str
    submitted: int = 0
    adopted: dict[str, int] = field(default_factory=dict)
    quota_adopted: int = 0
    instructions: int = 0
    points: Decimal = Decimal(0)

    @property
    def adopted_total(self) -> int:
        return sum(self.adopted.values())


@dataclass
class Row:
    rank: int
    tally: Tally
    shortfalls: list[str]

    @property
    def quota_met(self) -> bool:
        return not self.shortfalls


def shortfalls(tally: Tally, quota: Quota, *, period_word: str = "本期") -> list[str]:
    """What the department is short of, in words ("报送3条，少于10条"); empty when the quota is met
    (or there is none)."""
    missing = []
    if quota.items and tally.submitted < quota.items:
        missing.append(f"{period_word}报送{tally.submitted}条，少于{quota.items}条")
    if quota.adopted and tally.quota_adopted < quota.adopted:
        missing.append(f"盟级以上采用{tally.quota_adopted}条，少于{quota.adopted}条")
    return missing


def rank(tallies: list[Tally], quota: Quota, *, period_word: str = "本期") -> list[Row]:
    """Highest points first; equal points share a rank and the next rank skips (1, 2, 2, 4); within
    a tie, the department with more adoptions first, then the order given (the units' tree order)."""
    order = sorted(enumerate(tallies), key=lambda it: (-it[1].points, -it[1].adopted_total, it[0]))
    rows: list[Row] = []
    for place, (_i, tally) in enumerate(order, start=1):
        shared = rows and rows[-1].tally.points == tally.points
        rows.append(Row(rows[-1].rank if shared else place, tally, shortfalls(tally, quota, period_word=period_word)))
    return rows
