"""身份证号 and phone numbers never appear in full in the audit log (DOMAIN.md: shown masked, every
reveal audited). Masked when an entry is written, and again when one is shown or exported, for the
rows written before the log masked them (the table is append-only, so those stay as they are).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from xuebi.core import idcard, phone

__all__ = ["mask_changes", "mask_text"]

# An 18-character 身份证号 or an 11-digit mobile number standing alone: not part of a longer run
# of digits or letters (a request id, an amount), so only what looks like one is masked.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
HIDDEN = "（已隐藏）"


def mask_text(text: str) -> str:
    """The text with every 身份证号 and mobile number in it masked (152501********1234, 138****5678)."""
    if len(text) < 11:
        return text  # shorter than a mobile number: most audited values (names, choices, dates)
    text = _ID_NUMBER.sub(lambda m: idcard.mask(m.group()), text)
    return _MOBILE.sub(lambda m: phone.mask(m.group()), text)


def _hidden(_value) -> str:
    return HIDDEN  # ciphertext or lookup hash of a 身份证号: nothing an auditor can read


@functools.lru_cache(maxsize=1024)
def _mask_for(key: str):
    """How a field's values are masked, by its name (a few dozen names recur: worked out once)."""
    if "encrypted" in key or key.endswith("_hash"):
        return _hidden
    if "id_number" in key:
        return lambda value: idcard.mask(str(value))
    if "phone" in key:
        return lambda value: phone.mask(str(value))
    return mask_value


def _mask_field(mask, value: Any) -> Any:
    if value is None or value == "":
        return value
    if isinstance(value, list):  # [before, after]
        return [v if v is None or v == "" else mask(v) if not isinstance(v, list) else _mask_field(mask, v) for v in value]
    return mask(value)


def mask_value(value: Any) -> Any:
    if type(value) is str:
        return mask_text(value)
    if value is None or type(value) in (int, bool, float):
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return mask_changes(value)
    if isinstance(value, (list, tuple)):
        return [mask_value(v) for v in value]
    return value


def mask_changes(changes: dict) -> dict:
    """``{field: [before, after]}`` (or any JSON) with the values of 身份证号 and phone fields masked,
    by the field's name (id_number…, phone…) and by what a value looks like."""
    return {key: _mask_field(_mask_for(str(key)), value) for key, value in (changes or {}).items()}
