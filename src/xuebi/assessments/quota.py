"""The arithmetic of grade quotas (公务员考核规定 and local practice; DOMAIN.md "Civil-servant assessment"):
pure, exact (``Fraction``/``Decimal``, never a float), no database and no clock.

* **The cap** on a top grade is ``floor(share × people assessed)`` — 40% of 10 is 4, of 9 is 3 (3.6 rounds down:
  the rule says "within 40%", so 4 of 9 = 44% would break it). A unit may instead be configured to a fixed count
  (``Quota.count``).
* **Fewer people than make one place** (floor gives 0, e.g. 20% of 4): the configured ``small_unit`` rule says
  what happens — ``"one"`` (one place anyway; the common reading, so a small unit is not barred from 优秀) or
  ``"none"`` (no place). Nobody assessed, no place, whatever the rule.
* **优秀 eligibility** from the year's quarterly grades: 好 in *more than* half of the quarters assessed (3 of 4,
  2 of 3, 2 of 2, 1 of 1; 2 of 4 is not enough) and no 一般 or 较差 (``Eligibility``: both configurable).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "SMALL_UNIT_RULES",
    "Quota",
    "cap",
    "over_cap_message",
    "Eligibility",
    "excellent_eligible",
    "as_fraction",
]

# What a unit too small for one place gets: "one" place anyway, or "none".
SMALL_UNIT_RULES = ("one", "none")


def as_fraction(value: Fraction | Decimal | int | str) -> Fraction:
    """A share as an exact fraction: Decimal("0.4"), "40%", "2/5" and Fraction(2, 5) are the same. A float is
    refused: 0.1 + 0.2 is not 0.3, and a quota must not depend on that."""
    if isinstance(value, float):
        raise TypeError("份额须用精确数（Decimal、Fraction 或字符串），不能用浮点数。")
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return Fraction(Decimal(text[:-1])) / 100
        return Fraction(text)
    return Fraction(value)


@dataclass(frozen=True)
class Quota:
    """How many people may get a grade: ``share`` of those assessed (rounded down), or a fixed ``count`` when one
    is configured; ``small_unit`` ("one" / "none") when the share gives no place."""

    share: Fraction | Decimal | int | str  # stored as a Fraction (``__post_init__``)
    small_unit: str = "one"
    count: int | None = None

    def __post_init__(self):
        share = as_fraction(self.share)
        if not 0 <= share <= 1:
            raise ValueError("份额应在 0 与 100% 之间。")
        if self.small_unit not in SMALL_UNIT_RULES:
            raise ValueError(f"人数不足一个名额时的规则应为 {'、'.join(SMALL_UNIT_RULES)} 之一。")
        if self.count is not None and self.count < 0:
            raise ValueError("名额不能为负数。")
        object.__setattr__(self, "share", share)

    @property
    def percent(self) -> str:
        """The share as people write it: 40%, 20%, 12.5%."""
        value = as_fraction(self.share) * 100
        return f"{value.numerator}%" if value.denominator == 1 else f"{Decimal(value.numerator) / value.denominator:f}%"


def cap(quota: Quota, assessed: int) -> int:
    """The most people that may get the grade among ``assessed``."""
    if assessed < 0:
        raise ValueError("被考核人数不能为负数。")
    if assessed == 0:
        return 0
    if quota.count is not None:
        return min(quota.count, assessed)
    places = math.floor(as_fraction(quota.share) * assessed)  # Fraction: exact, floor of 2/5 × 10 is 4, not 3.9999
    if places == 0 and quota.small_unit == "one" and as_fraction(quota.share) > 0:
        return 1
    return places


def over_cap_message(grade: str, places: int, given: int) -> str | None:
    """The refusal when ``given`` people hold ``grade`` and only ``places`` may: "好 最多 3 人，现为 4 人"."""
    if given <= places:
        return None
    return f"{grade} 最多 {places} 人，现为 {given} 人，请调整后再确定。"


@dataclass(frozen=True)
class Eligibility:
    """The local rule for 优秀 from the quarterly grades: ``top`` in more than ``share`` of the quarters assessed,
    and none of ``barred``."""

    top: str = "good"
    share: Fraction | Decimal | int | str = Fraction(1, 2)  # stored as a Fraction
    barred: tuple[str, ...] = ("fair", "poor")

    def __post_init__(self):
        object.__setattr__(self, "share", as_fraction(self.share))


def excellent_eligible(quarter_grades: Iterable[str | None], rule: Eligibility = Eligibility()) -> tuple[bool, str]:
    """(eligible, why) from one person's quarterly grades of the year (None or "" for a quarter not assessed)."""
    grades = [g for g in quarter_grades if g]
    if not grades:
        return False, "本年度没有平时考核结果"
    barred = [g for g in grades if g in rule.barred]
    if barred:
        return False, "平时考核有一般或较差等次"
    tops = sum(1 for g in grades if g == rule.top)
    if Fraction(tops, len(grades)) > as_fraction(rule.share):
        return True, f"{len(grades)}个季度中{tops}个为好"
    return False, f"{len(grades)}个季度中仅{tops}个为好，未超过半数"
