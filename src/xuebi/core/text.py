"""Text as people and programs send it: characters no database column should hold, and names
cleaned of characters nobody can see."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["BadText", "bad_character", "find_bad_text", "message_for", "shown", "strip_invisible"]

# PostgreSQL refuses NUL in text; a lone surrogate (JSON's "\ud800") cannot be encoded as UTF-8
# by either database's driver. Both arrive only from scripts or crafted requests.
_BAD = re.compile("[\x00\ud800-\udfff]")

# U+180E MONGOLIAN VOWEL SEPARATOR is a format character (Cf) too, but it is part of how
# Mongolian script is written (names in 锡林郭勒 may be), so it is kept inside a name.
_KEPT_FORMAT = {"\u180e"}


class BadText(ValueError):
    """A request value holds a character the database cannot store; ``loc`` says where."""

    def __init__(self, loc: list[str], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


def bad_character(value: str) -> str | None:
    """What is wrong with ``value`` in words (空字符 / 不成对的代理字符), or None if nothing is."""
    match = _BAD.search(value)
    if match is None:
        return None
    return "空字符（NUL）" if match.group() == "\x00" else "无效的 Unicode 字符（不成对的代理项）"


def shown(value: str) -> str:
    """``value`` safe to echo in an answer: each bad character as “?”."""
    return _BAD.sub("?", value)


def message_for(field: str, problem: str) -> str:
    return f"字段“{field}”含有{problem}，请删除后重试。"


def find_bad_text(value, loc: list[str]) -> None:
    """Walk a parsed JSON value (keys too) and raise BadText at the first bad string; the
    message names the innermost field (a list's items by the list's name)."""
    if isinstance(value, str):
        problem = bad_character(value)
        if problem:
            field = next((part for part in reversed(loc[1:]) if not part.isdigit()), "请求内容")
            raise BadText(loc, message_for(field, problem))
    elif isinstance(value, dict):
        for key, item in value.items():
            here = [*loc, shown(str(key))]
            find_bad_text(key, here)
            find_bad_text(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            find_bad_text(item, [*loc, str(index)])


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def strip_invisible(value: str) -> str:
    """A name without format characters nobody can see — zero-width spaces and joiners
    (U+200B–U+200D, U+2060, U+FEFF), bidi controls (U+202A–U+202E, U+2066–U+2069, U+061C), soft
    hyphens and the rest of Unicode's Cf category — and without surrounding whitespace.
    A name that is nothing else comes back empty, so a required field refuses it."""
    kept = "".join(c for c in value if not _invisible(c) or c in _KEPT_FORMAT).strip()
    return kept if any(not _invisible(c) and not c.isspace() for c in kept) else ""
