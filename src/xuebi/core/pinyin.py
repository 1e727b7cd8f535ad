"""Pinyin keys for searching names: 巴依斯古楞 → "bayisigulen" and initials "bysgl"."""
from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def full(name: str) -> str:
    return "".join(lazy_pinyin(name or "", errors="ignore")).lower()


def initials(name: str) -> str:
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER, strict=False, errors="ignore")
    return "".join(parts).lower()
