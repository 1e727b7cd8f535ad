"""How figures and dates are written on every page, export and message: the one place to change it.

``points_text`` writes a points figure (12.50 → "12.5", 15.00 → "15", -0.50 → "-0.5"; two decimals
at most, never an exponent); ``date_text`` writes a date as the pages do (2021年7月1日, or 2021年7月
for a date given to the month), ``core.dates.display``'s rule."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from .dates import DAY, display

__all__ = ["date_text", "points_text"]

CENT = Decimal("0.01")


def points_text(value) -> str:
    """A points figure as every page shows it; empty for None."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(str(value)).quantize(CENT, ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def date_text(value: dt.date | None, precision: str = DAY) -> str:
    """2021年7月1日 (or 2021年7月 / 2021年 at month or year precision); empty for None."""
    return display(value, precision)
