"""Pinyin keys for searching names: 巴依斯古楞 → "bayisigulen" and initials "bysgl"."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


# Cached per name: a roster import fills the keys of thousands of people, and names repeat.
@lru_cache(maxsize=8192)
def full(name: str) -> str:
    return "".join(lazy_pinyin(name or "", errors="ignore")).lower()


@lru_cache(maxsize=8192)
def initials(name: str) -> str:
    parts = lazy_pinyin(name or "", style=Style.FIRST_LETTER, strict=False, errors="ignore")
    return "".join(parts).lower()
