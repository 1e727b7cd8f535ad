"""Dates as people type them, with the precision they gave (DOMAIN.md, "Dates people type").

2021-07-01, 2021/7/1, 2021.7.1, 20210701, 2021年7月1日, 2021年7月1号, 2021年7月, 2021.07 and 202107 (month),
2021年 (year), 二〇二一年七月一日, and real Excel date cells (datetime/date objects, or the serial
number when a cell lost its date format).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import NamedTuple

from django.core.exceptions import ValidationError

DAY, MONTH, YEAR = "day", "month", "year"


class PartialDate(NamedTuple):
    date: dt.date  # month precision → the 1st; year precision → 1 January
    precision: str

    def display(self) -> str:
        return display(self.date, self.precision)


_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_number(text: str) -> int:
    """七 → 7, 十二 → 12, 二十一 → 21, 三十 → 30; 二〇二一 → 2021 (digit by digit)."""
    if "十" not in text:
        return int("".join(str(_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


_CN_CHARS = "".join(_DIGITS) + "十"
_CN_DATE = re.compile(rf"^([{_CN_CHARS}]{{4}})年(?:([{_CN_CHARS}]{{1,3}})月(?:([{_CN_CHARS}]{{1,3}})[日号])?)?$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_Y = re.compile(r"^(\d{4})\s*年?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")  # 198503, as some rosters write 出生年月
EXCEL_EPOCH = dt.date(1899, 12, 30)

FORMS_HINT = "可写作 2021-07-01、2021/7/1、2021.7.1、2021年7月1日 或 2021年7月"


def _build(y: int, m: int = 1, d: int = 1, precision: str = DAY) -> PartialDate:
    try:
        return PartialDate(dt.date(y, m, d), precision)
    except ValueError:
        raise ValidationError(
            "日期不存在（%(y)s年%(m)s月%(d)s日）。", params={"y": y, "m": m, "d": d}, code="invalid_date"
        ) from None


def parse(value, *, allow_partial: bool = True) -> PartialDate | None:
    """Parse one value; None for empty; ValidationError with a Chinese message otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return PartialDate(value.date(), DAY)
    if isinstance(value, dt.date):
        return PartialDate(value, DAY)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial number (a date cell whose format was lost): days since 1899-12-30.
        if 1 <= value < 2958466:
            return PartialDate(EXCEL_EPOCH + dt.timedelta(days=int(value)), DAY)
        raise ValidationError("无法识别的日期：%(v)s。" + FORMS_HINT, params={"v": value}, code="invalid_date")
    return _parse_text(str(value), allow_partial)


# Cached per distinct text: a roster repeats the same dates (“1990.07”) thousands of times. Text
# parsing does not depend on the clock; the result is an immutable PartialDate (errors are not cached).
@functools.lru_cache(maxsize=4096)
def _parse_text(value: str, allow_partial: bool) -> PartialDate | None:
    text = value.strip().replace("．", ".").replace("／", "/").replace("－", "-")
    if not text:
        return None
    if m := _COMPACT.match(text):
        result = _build(int(m[1]), int(m[2]), int(m[3]))
    elif m := _COMPACT_MONTH.match(text):
        result = _build(int(m[1]), int(m[2]), precision=MONTH)
    elif m := _YMD.match(text):
        result = _build(int(m[1]), int(m[2]), int(m[3]))
    elif m := _YM.match(text):
        result = _build(int(m[1]), int(m[2]), precision=MONTH)
    elif m := _Y.match(text):
        result = _build(int(m[1]), precision=YEAR)
    elif m := _CN_DATE.match(text):
        year = _cn_number(m[1])
        if m[3]:
            result = _build(year, _cn_number(m[2]), _cn_number(m[3]))
        elif m[2]:
            result = _build(year, _cn_number(m[2]), precision=MONTH)
        else:
            result = _build(year, precision=YEAR)
    else:
        raise ValidationError("无法识别的日期“%(v)s”。" + FORMS_HINT + "。", params={"v": text}, code="invalid_date")
    if not allow_partial and result.precision != DAY:
        raise ValidationError("请填写到具体日期（年月日）。", code="partial_date")
    return result


def display(date: dt.date | None, precision: str = DAY) -> str:
    """2021年7月1日 / 2021年7月 / 2021年"""
    if date is None:
        return ""
    if precision == YEAR:
        return f"{date.year}年"
    if precision == MONTH:
        return f"{date.year}年{date.month}月"
    return f"{date.year}年{date.month}月{date.day}日"
