"""居民身份证号码 (GB 11643-1999): check digit, birth date and sex, masking.

The check character is ISO 7064 MOD 11-2 over the first 17 digits.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_PATTERN_18 = re.compile(r"^\d{17}[\dX]$")
_PATTERN_15 = re.compile(r"^\d{15}$")


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def normalize(value: str) -> str:
    """Upper-case, strip spaces, and widen an old 15-digit number to 18 (insert 19, add the check)."""
    value = (value or "").strip().replace(" ", "").upper().replace("x", "X")
    if _PATTERN_15.match(value):
        first17 = value[:6] + "19" + value[6:]
        return first17 + check_char(first17)
    return value


def parse(value: str, *, today: dt.date | None = None) -> tuple[str, dt.date, str]:
    """Validate and return (normalized number, birth date, sex 'M'/'F'); raise ValidationError in Chinese.

    ``today`` saves asking the clock once per number when many are checked at once (an import)."""
    number = normalize(value)
    if not _PATTERN_18.match(number):
        raise ValidationError("身份证号应为18位（最后一位可以是X），或15位旧号码。", code="format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期不存在。", code="birth_date") from None
    if birth.year < 1900 or birth > (today or timezone.localdate()):
        raise ValidationError("身份证号中的出生日期不合理。", code="birth_date")
    if check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号校验码不正确，请核对后重新输入。", code="check_digit")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return number, birth, sex


def mask(number: str) -> str:
    """152501********1234 — the first 6 and last 4 stay visible."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
