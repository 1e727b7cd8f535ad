"""Figures and dates are written one way everywhere (core.formatting)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xuebi.core.formatting import date_text, points_text


@pytest.mark.parametrize(
    "value,text",
    [
        (Decimal("12.50"), "12.5"),
        (Decimal("15.00"), "15"),
        (Decimal("-0.50"), "-0.5"),
        (Decimal("2.25"), "2.25"),
        (Decimal("10"), "10"),
        (Decimal("1E+1"), "10"),
        (3, "3"),
        (0.5, "0.5"),
        (Decimal("2.005"), "2.01"),
        (None, ""),
        ("", ""),
    ],
)
def test_points_are_written_without_trailing_zeros_or_exponents(value, text):
    assert points_text(value) == text


def test_dates_are_written_as_the_pages_write_them():
    assert date_text(dt.date(2026, 11, 5)) == "2026年11月5日"
    assert date_text(dt.date(2001, 7, 1), "month") == "2001年7月"
    assert date_text(None) == ""
