"""The figures of the annual summary (年度总结): the catalogue, the providers and the rounding.

A figure is data, like a rule: which records it counts (a record kind, a measure — the count of
records or the sum of a number field — and filters on choice fields), the phrase it is written
into ("拍摄党员教育专题片{display}") and how its number is written (the unit word and the rounding
unit). ``CATALOGUE`` is the default the department starts from, the figures of the seed article in
its order; a league admin changes a figure's rounding unit and whether a new draft takes it
(``models.SummaryFigure``, read by ``selectors.summary.catalogue``).

Figures that are not ledger records (medals issued, later contests, exams, checklists) come from a
**provider**: ``register_provider(key, fn)`` with ``fn(paths, start, end) -> number``, ``paths`` the
unit paths of the scope's subtrees. A figure whose provider is not registered is left out of the
catalogue, so an app that is not installed leaves no empty figure behind.

**Rounding** (``display``), the department's style ("20余部", "2000余条（篇）", "9098人次"):

* no rounding unit → exact: ``9098人次``;
* a value below its rounding unit → exact: 8 at 10 → ``8部``;
* a whole multiple of it → exact: 10 at 10 → ``10部``, 2000 at 1000 → ``2000条（篇）`` (the department
  writes "余" only when there is more than the round number);
* otherwise rounded down to the unit, with "余": 11 at 10 → ``10余部``, 2046 at 1000 →
  ``2000余条（篇）``, 4226 at 10 → ``4220余次``.

Numerals stay arabic and without separators, as the seed writes them (2817, 9098). "万" only where
the rounding unit is itself a whole number of 万 (10000, 50000 …) and the value reaches it: 123456 at
10000 → ``12万余次``; an exact figure is never written in 万 (12345人次). The measures of the default
catalogue are counts and sums of whole-number fields, so values are integers; a sum of a decimal
field (培训天数) is shown exactly with up to two decimals (``core.formatting.points_text``), and
rounded with "余" to a whole multiple of its unit like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from xuebi.core.formatting import points_text
from xuebi.org.medals import medals_issued
from xuebi.orginfo.selectors import adopted_items

__all__ = [
    "COUNT",
    "CATALOGUE",
    "Figure",
    "display",
    "number_text",
    "register_provider",
    "provider",
    "providers",
]

COUNT = "count"  # the measure of a figure that counts records; any other measure names a number field
WAN = 10_000

Number = int | Decimal
Provider = Callable[[list[str], object, object], Number]


@dataclass(frozen=True)
class Figure:
    """One figure of the catalogue. ``phrase`` holds ``{display}`` (the number as written) and may
    hold ``{area}`` (全盟 / 全旗 …: whose figure it is)."""

    key: str
    label: str
    phrase: str
    unit_word: str
    rounding_unit: int | None = None
    kind: str = ""  # the record kind's code (ledger figures)
    measure: str = COUNT  # COUNT, or the key of a number field of the kind to sum
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (choice field key, the choices counted)
    provider: str = ""  # a registered provider's key instead of the ledger
    included: bool = True  # taken into a new draft

    @property
    def from_ledger(self) -> bool:
        return not self.provider

    def with_settings(self, *, rounding_unit: int | None, included: bool) -> Figure:
        return replace(self, rounding_unit=rounding_unit, included=included)

    @property
    def sample(self) -> str:
        """The phrase as an admin reads it: 拍摄党员教育专题片××部."""
        return self.phrase.format(display=f"××{self.unit_word}", area="全盟")


def number_text(value: Number) -> str:
    """A figure's number, exact: 9098, 12.5 (two decimals at most)."""
    if isinstance(value, int) or value == value.to_integral_value():
        return str(int(value))
    return points_text(value)


def display(value: Number, unit_word: str, rounding_unit: int | None) -> str:
    """The number as the department writes it (see the module's docstring for each case)."""
    if not rounding_unit or rounding_unit <= 1 or value < rounding_unit:
        return f"{number_text(value)}{unit_word}"
    rounded = int(value // rounding_unit) * rounding_unit
    more = "余" if value != rounded else ""
    if rounding_unit % WAN == 0:
        return f"{rounded // WAN}万{more}{unit_word}"
    return f"{rounded}{more}{unit_word}"


# --- providers --------------------------------------------------------------------------------

_PROVIDERS: dict[str, Provider] = {}


def register_provider(key: str, fn: Provider) -> None:
    """Let the figures whose ``provider`` is ``key`` be computed by ``fn(paths, start, end)``.
    Called by the app that owns the data (contests, exams, checklists), at start-up."""
    _PROVIDERS[key] = fn


def provider(key: str) -> Provider | None:
    return _PROVIDERS.get(key)


def providers() -> frozenset[str]:
    return frozenset(_PROVIDERS)


# The medals issued (光荣在党50年纪念章) are counted by org, which records them.
register_provider("medals", medals_issued)
# The items adopted at 盟 or above (each once) are counted by orginfo, which records the adoptions.
register_provider("orginfo_adopted", adopted_items)


# --- the default catalogue --------------------------------------------------------------------

TRAINING_CLASSES = ("专题研讨班", "轮训班", "示范班")

CATALOGUE: tuple[Figure, ...] = (
    Figure("feature_films", "党员教育专题片", "拍摄党员教育专题片{display}", "部", 10, kind="feature_film"),
    Figure(
        "wechat_posts",
        "微信公众号刊播转发稿件",
        "微信公众号刊播转发稿件{display}",
        "条（篇）",
        100,
        kind="publicity",
        filters=(("channel", ("微信公众号",)),),
    ),
    Figure(
        "media_articles",
        "中央、自治区主流媒体刊发稿件",
        "中央、自治区主流媒体刊发稿件{display}",
        "篇",
        10,
        kind="media_publication",
        filters=(("level", ("中央", "自治区")),),
    ),
    Figure(
        "video_views",
        "微视频、短视频播放量",
        "拍摄微视频、短视频，播放量达{display}",
        "次",
        10,
        kind="video_views",
        measure="views",
    ),
    Figure(
        "training_classes",
        "专题研讨班、轮训班、示范班期数",
        "举办专题研讨班、轮训班、示范班等{display}",
        "期",
        kind="training",
        filters=(("class_type", TRAINING_CLASSES),),
    ),
    Figure(
        "training_trainees",
        "培训领导干部人次",
        "培训领导干部{display}",
        "人次",
        kind="training",
        measure="trainees",
        filters=(("class_type", TRAINING_CLASSES),),
    ),
    Figure("first_secretaries", "选派第一书记", "选派{display}第一书记", "名", kind="first_secretary"),
    Figure("practical_services", "办好事实事", "共办好事实事{display}", "件", kind="practical_service"),
    # 组工信息 live in the orginfo app (its adoptions), not in the ledger (docs/decisions.md)
    Figure(
        "org_info_adopted",
        "组工信息被盟级以上采用",
        "组工信息被盟级以上采用{display}",
        "篇",
        provider="orginfo_adopted",
        included=False,
    ),
    Figure("medals", "光荣在党50年纪念章", "为{area}光荣在党50年老党员颁发纪念章{display}", "枚", provider="medals"),
)
