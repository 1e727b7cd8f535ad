"""党龄 and the 光荣在党50年纪念章 (DOMAIN.md): 党龄 runs from 转正 — the roster holds the final 转正
date, the later one when probation was extended — and a member qualifies when it reaches 50 full
years by the cut-off (七一 of the year by default).

How a date counts:
* **day precision** — the anniversary is the same day 50 years on; a 29 February 转正 reaches its
  anniversary on 1 March in a year without one (the 50 years are full only when February is over);
* **month precision** (1976年7月) — counts from the last day of that month: only then is it certain
  that the person had been a full member for the whole time;
* **year precision** (1976年) — counts from 31 December of that year, for the same reason.
"""

from __future__ import annotations

import calendar
import datetime as dt

from xuebi.core import dates

__all__ = ["MEDAL_YEARS", "counted_from", "anniversary", "party_years", "reaches", "default_cutoff", "latest_qualifying"]

MEDAL_YEARS = 50


def counted_from(full_member: dt.date, precision: str = dates.DAY) -> dt.date:
    """The day 党龄 counts from, given how precisely 转正 is known."""
    if precision == dates.YEAR:
        return dt.date(full_member.year, 12, 31)
    if precision == dates.MONTH:
        return full_member.replace(day=calendar.monthrange(full_member.year, full_member.month)[1])
    return full_member


def anniversary(start: dt.date, years: int) -> dt.date:
    """``years`` full years after ``start``; 29 February → 1 March in a year without one."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return dt.date(start.year + years, 3, 1)


def party_years(full_member: dt.date, at: dt.date, precision: str = dates.DAY) -> int:
    """Full years of 党龄 on ``at``."""
    start = counted_from(full_member, precision)
    years = at.year - start.year
    return years if anniversary(start, years) <= at else years - 1


def reaches(full_member: dt.date, cutoff: dt.date, precision: str = dates.DAY, years: int = MEDAL_YEARS) -> bool:
    return anniversary(counted_from(full_member, precision), years) <= cutoff


def latest_qualifying(cutoff: dt.date, years: int = MEDAL_YEARS) -> dt.date:
    """No 转正 after this day can reach ``years`` by ``cutoff`` (whatever its precision): the
    database's bound before the precise check."""
    try:
        return cutoff.replace(year=cutoff.year - years)
    except ValueError:
        return dt.date(cutoff.year - years, 2, 28)


def default_cutoff(today: dt.date) -> dt.date:
    """七一 of the year: the medals are awarded around 1 July."""
    return dt.date(today.year, 7, 1)
