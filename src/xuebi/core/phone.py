from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize(value: str) -> str:
    value = re.sub(r"[\s-]", "", str(value or ""))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


def validate(value: str) -> str:
    number = normalize(value)
    if not _MOBILE.match(number):
        raise ValidationError("手机号码应为11位中国大陆手机号（以1开头，第二位为3–9）。", code="phone")
    return number


def mask(number: str) -> str:
    """138****5678"""
    if not number:
        return ""
    return number[:3] + "****" + number[-4:]
