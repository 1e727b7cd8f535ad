"""Reads behind the annual summary (年度总结): the catalogue as configured, the figures of a scope,
the drafted text and the draft kept for it.

Whose figures: a unit's subtree — the league (全盟) for a league admin, their county (全旗、全市 …)
for a county admin. The unit is looked up in the admin's scope (``scope_unit``:
``Unit.objects.visible_to(user, "change")``, out of scope is a 404); the records counted are the
approved records of that unit's subtree, which an admin of the unit sees by the same rule
(``Record.scope_roles``), so the figure queries filter by the subtree alone and need not repeat the
user's grants.

Which records: approved (已通过) records whose date (``occurred_on``) lies within the campaign's
dates. All ledger figures are **one** conditional aggregate (``Count``/``Sum`` with ``filter=``),
whatever the number of figures; choice filters read the JSON key (``data__level__in``), sums cast
the number field's text (numbers are kept as decimal strings, ``ledger.schema``). A provider figure
is one call of its provider. So a summary costs: the figure settings, the kinds' ids, the
aggregate, one query per provider figure, and the draft — bounded, and tested.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Aggregate, Count, DecimalField, Q, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from xuebi.campaign.models import Campaign
from xuebi.core.formatting import date_text
from xuebi.ledger.choices import RecordStatus
from xuebi.ledger.models import Record, RecordKind
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Unit
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import subtree_q, unit_paths
from xuebi.org.selectors import county_of

from .. import figures
from ..figures import COUNT, Figure, Number
from ..models import SummaryDraft, SummaryFigure

__all__ = [
    "SUMMARY_ROLES",
    "DEFAULT",
    "FigureValue",
    "Summary",
    "catalogue",
    "compute",
    "compose",
    "area_of",
    "subject_of",
    "scope_unit",
    "scope_units",
    "summary_for",
    "describe",
]

# What a sum is cast to: room for any sum of the ledger's number fields (12 digits, 2 decimals each).
SUMMARY_ROLES = (Role.LEAGUE_ADMIN, Role.UNIT_ADMIN)
DEFAULT = "default"  # summary_for(chosen=DEFAULT): the catalogue's default figures, whatever the draft

SUM_FIELD = DecimalField(max_digits=24, decimal_places=2)
COUNTY_SUFFIXES = "旗市县区"


@dataclass(frozen=True)
class FigureValue:
    figure: Figure
    value: Number

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def label(self) -> str:
        return self.figure.label

    @property
    def display(self) -> str:
        return figures.display(self.value, self.figure.unit_word, self.figure.rounding_unit)

    @property
    def exact(self) -> str:
        return figures.number_text(self.value)

    def phrase(self, area: str) -> str:
        return self.figure.phrase.format(display=self.display, area=area)


@dataclass
class Summary:
    """A summary as its page and the API show it."""

    campaign: Campaign
    unit: Unit
    values: list[FigureValue]  # every figure of the catalogue, chosen or not
    chosen: list[str]  # the keys the text is drafted from: the draft's choice, else the catalogue's default
    text: str  # drafted from the data, now
    draft: SummaryDraft | None = None
    subject: str = ""
    area: str = ""
    chosen_set: frozenset[str] = field(default=frozenset())

    @property
    def year(self) -> int:
        return self.campaign.start_date.year

    @property
    def period(self) -> str:
        return f"{date_text(self.campaign.start_date)}—{date_text(self.campaign.end_date)}"

    @property
    def saved_at(self) -> str:
        if self.draft is None:
            return ""
        at = timezone.localtime(self.draft.updated_at)
        return f"{date_text(at.date())} {at:%H:%M}"

    @property
    def edited_text(self) -> str:
        """What the export prints: the kept text if there is a draft, else the drafted one."""
        return self.draft.text if self.draft is not None else self.text

    @property
    def moved_on(self) -> bool:
        """The data (or the choice of figures) has changed since the kept text was drafted."""
        return self.draft is not None and self.draft.generated != self.text

    @property
    def edited(self) -> bool:
        return self.draft is not None and self.draft.text != self.draft.generated


# --- the catalogue ----------------------------------------------------------------------------


def catalogue() -> list[Figure]:
    """The default catalogue with the league admin's settings (one query), without the figures
    whose provider is not registered."""
    settings = {s.key: s for s in SummaryFigure.objects.all()}
    ready = figures.providers()
    result = []
    for figure in figures.CATALOGUE:
        if figure.provider and figure.provider not in ready:
            continue
        setting = settings.get(figure.key)
        if setting is not None:
            figure = figure.with_settings(rounding_unit=setting.rounding_unit, included=setting.included)
        result.append(figure)
    return result


def describe(catalogue: list[Figure]) -> dict[str, str]:
    """key → what each figure counts, in the kinds' own words (one query): 宣传稿件 记录数（刊播平台为
    微信公众号）, 培训班 参训人数之和（…）."""
    kinds = {k.code: k for k in RecordKind.objects.filter(code__in={f.kind for f in catalogue if f.from_ledger})}
    described = {}
    for figure in catalogue:
        kind = kinds.get(figure.kind)
        if not figure.from_ledger:
            described[figure.key] = "由其他模块提供"
            continue
        if kind is None:
            described[figure.key] = f"台账类型“{figure.kind}”尚未设置"
            continue
        labels = {f["key"]: f["label"] for f in kind.fields}
        what = "记录数" if figure.measure == COUNT else f"{labels.get(figure.measure, figure.measure)}之和"
        conditions = "；".join(f"{labels.get(key, key)}为{'、'.join(choices)}" for key, choices in figure.filters)
        described[figure.key] = f"{kind.name} {what}" + (f"（{conditions}）" if conditions else "")
    return described


# --- the figures ------------------------------------------------------------------------------


def _number(value) -> Number:
    if value is None:
        return 0
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()


def _condition(figure: Figure, kind_id: int) -> Q:
    condition = Q(kind_id=kind_id)
    for key, choices in figure.filters:
        condition &= Q(**{f"data__{key}__in": list(choices)})
    return condition


def _ledger(catalogue: list[Figure], *, unit: Unit, start: dt.date, end: dt.date) -> dict[str, Number]:
    """The ledger figures of ``unit``'s subtree: two queries (the kinds' ids, one aggregate)."""
    wanted = [f for f in catalogue if f.from_ledger]
    if not wanted:
        return {}
    kind_ids = dict(RecordKind.objects.filter(code__in={f.kind for f in wanted}).values_list("code", "pk"))
    aggregates: dict[str, Aggregate] = {}
    for figure in wanted:
        kind_id = kind_ids.get(figure.kind)
        if kind_id is None:  # the kind is not set up here: nothing to count
            continue
        condition = _condition(figure, kind_id)
        if figure.measure == COUNT:
            aggregates[f"f_{figure.key}"] = Count("pk", filter=condition)
        else:
            # NULLIF: an empty text would stop PostgreSQL's cast; a missing key is NULL already
            number = Cast(NullIf(KeyTextTransform(figure.measure, "data"), Value("")), SUM_FIELD)
            aggregates[f"f_{figure.key}"] = Sum(number, filter=condition)
    if not aggregates:
        return {}
    records = Record.objects.filter(
        status=RecordStatus.APPROVED, occurred_on__range=(start, end), kind_id__in=set(kind_ids.values())
    )
    if unit.depth > 1:  # the league's subtree is everything: no condition to test on every row
        records = records.filter(subtree_q([unit.path], "unit"))
    row = records.order_by().aggregate(**aggregates)
    return {key.removeprefix("f_"): _number(value) for key, value in row.items()}


def compute(catalogue: list[Figure], *, unit: Unit, start: dt.date, end: dt.date) -> list[FigureValue]:
    """Every figure of ``catalogue`` for ``unit``'s subtree over [start, end], in catalogue order."""
    ledger = _ledger(catalogue, unit=unit, start=start, end=end)
    values = []
    for figure in catalogue:
        if figure.from_ledger:
            value = ledger.get(figure.key, 0)
        else:
            fn = figures.provider(figure.provider)
            value = _number(fn([unit.path], start, end)) if fn is not None else 0
        values.append(FigureValue(figure, value))
    return values


# --- the text ---------------------------------------------------------------------------------


def _county_word(unit: Unit) -> str | None:
    """旗, 市, 县 or 区 from the county's short name (阿巴嘎旗 → 旗; 乌拉盖管理区 → 区), else its name
    without 委组织部 (阿巴嘎旗委组织部 → 旗)."""
    for name in (unit.short_name, unit.name):
        base = name.removesuffix("组织部").removesuffix("党工委").removesuffix("委")
        if base and base[-1] in COUNTY_SUFFIXES:
            return base[-1]
    return None


def area_of(unit: Unit) -> str:
    """Whose figures, as the text says it: 全盟, 全旗 (a county), or the unit's name below that."""
    if unit.depth == 1:
        return "全盟"
    if unit.depth == 2:
        word = _county_word(unit)
        return f"全{word}" if word else unit.display_name
    return unit.display_name


def subject_of(unit: Unit) -> str:
    """The subject the text opens with: 全盟组织系统, 全旗组织系统; below a county, the unit named
    with its county (阿巴嘎旗组织股)."""
    if unit.depth <= 2:
        return f"{area_of(unit)}组织系统"
    return f"{county_of(unit).display_name}{unit.name}"


def compose(values: list[FigureValue], chosen, *, area: str, subject: str) -> str:
    """The factual paragraph: the subject (``subject_of``), then the chosen figures' phrases joined
    by "，", then "。". A figure of 0 is left out (拍摄专题片0部 is not a sentence anyone writes); no
    figure, no text."""
    chosen = set(chosen)
    phrases = [v.phrase(area) for v in values if v.key in chosen and v.value]
    if not phrases:
        return ""
    return subject + "，".join(phrases) + "。"


# --- the scope and the summary ----------------------------------------------------------------


def scope_unit(user, unit_id: int | None) -> Unit:
    """The unit whose subtree a summary covers: the one asked for, if the user administers it
    (else 404); by default the top of the user's admin grants (the league, or their county)."""
    if unit_id is not None:
        return get_visible_or_404(Unit, user, unit_id, "change")
    paths = unit_paths(user, ADMIN_ROLES)
    return get_visible_or_404(Unit, user, Unit.objects.filter(path__in=paths[:1]).values_list("pk", flat=True).first(), "change")


def scope_units(user):
    """The units an admin may draft a summary for: the league and the counties within their scope,
    and the tops of their own grants (a section's admin)."""
    paths = unit_paths(user, ADMIN_ROLES)
    return Unit.objects.visible_to(user, "change").filter(Q(depth__lte=2) | Q(path__in=paths), is_active=True).order_by("path")


def summary_for(*, campaign: Campaign, unit: Unit, chosen: list[str] | str | None = None) -> Summary:
    """The summary of ``campaign`` for ``unit``'s subtree: every figure, the draft kept (if any), and
    the text drafted now from ``chosen`` — by default the draft's figures, else (or with ``DEFAULT``)
    the catalogue's."""
    figures_ = catalogue()
    values = compute(figures_, unit=unit, start=campaign.start_date, end=campaign.end_date)
    draft = SummaryDraft.objects.select_related("updated_by").filter(campaign=campaign, unit=unit).first()
    if chosen is None and draft is not None:
        chosen = list(draft.figures)
    elif chosen is None or chosen == DEFAULT:
        chosen = [f.key for f in figures_ if f.included]
    known = {f.key for f in figures_}
    chosen = [key for key in chosen if key in known]
    area, subject = area_of(unit), subject_of(unit)
    return Summary(
        campaign=campaign,
        unit=unit,
        values=values,
        chosen=chosen,
        chosen_set=frozenset(chosen),
        text=compose(values, chosen, area=area, subject=subject),
        draft=draft,
        subject=subject,
        area=area,
    )
