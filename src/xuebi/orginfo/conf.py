"""What a deployment may configure about 组工信息, with the defaults of DOMAIN.md.

The points per outlet, length and 批示 are **not** here: they are campaign rules (rules as data,
LOOKUP rules on the keys below). This module holds the vocabulary the rules are written in — the
outlets an item may be adopted by, the length threshold — and the quotas of the ranking. Each may
be overridden in the settings (``XUEBI_ORGINFO_OUTLETS``, ``XUEBI_ORGINFO_LONG_FROM``,
``XUEBI_ORGINFO_QUOTAS``); the names of the outlets are the keys a rule's 选项分值 use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

__all__ = ["Outlet", "outlets", "outlet", "outlet_choices", "long_from", "Quota", "quota_for", "LENGTH_NAMES"]


@dataclass(frozen=True)
class Outlet:
    """An outlet level (采用载体的级别): ``code`` is stored, ``name`` is the key the rules use
    (中组部 / 自治区 / 盟 / 本级), ``label`` is shown; ``rank`` orders them (1 the highest);
    ``counts_for_quota``: adoptions here count towards the "adopted at 盟 or above" quota."""

    code: str
    name: str
    label: str
    rank: int
    counts_for_quota: bool


DEFAULT_OUTLETS = (
    ("central", "中组部", "中央/中组部", True),
    ("region", "自治区", "自治区/自治区党委组织部", True),
    ("league", "盟", "盟/盟委组织部", True),
    ("own", "本级", "本级简报", False),
)

# The words a rule's 选项分值 use for the length of a piece (Example B: 800 字以上为长篇).
LENGTH_NAMES = {"long": "长篇", "short": "短篇"}


def outlets() -> list[Outlet]:
    rows = getattr(settings, "XUEBI_ORGINFO_OUTLETS", DEFAULT_OUTLETS)
    return [Outlet(code, name, label, rank, bool(quota)) for rank, (code, name, label, quota) in enumerate(rows, start=1)]


def outlet(code: str) -> Outlet | None:
    return next((o for o in outlets() if o.code == code), None)


def outlet_choices() -> list[tuple[str, str]]:
    return [(o.code, o.label) for o in outlets()]


def long_from() -> int:
    """A piece of at least this many characters (spaces not counted) is 长篇."""
    return int(getattr(settings, "XUEBI_ORGINFO_LONG_FROM", 800))


@dataclass(frozen=True)
class Quota:
    """At least ``items`` submitted and ``adopted`` adopted at an outlet that counts for the
    quota (盟 or above), in a month or a quarter. 0 means no requirement."""

    items: int = 0
    adopted: int = 0

    @property
    def any(self) -> bool:
        return bool(self.items or self.adopted)


DEFAULT_QUOTAS = {"quarter": {"items": 10, "adopted": 2}, "month": {"items": 3, "adopted": 0}}


def quota_for(kind: str) -> Quota:
    quotas = getattr(settings, "XUEBI_ORGINFO_QUOTAS", DEFAULT_QUOTAS)
    return Quota(**quotas.get(kind, {}))
