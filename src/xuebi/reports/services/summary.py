"""Writes of the annual summary (年度总结): the draft an admin keeps (figures chosen, text edited),
the league admin's settings of the catalogue's figures, and the .docx export.

The kept text follows the data until someone edits it: saving a draft whose text is still the
drafted one (or empty) keeps the freshly drafted text; an edited text is kept as edited, and the
page shows the fresh text beside it (``Summary.moved_on``) until the admin takes it
(``regenerate=True``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.campaign.models import Campaign
from xuebi.core import officialdoc
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Unit
from xuebi.org.permissions import require_in_scope
from xuebi.org.scoping import has_role
from xuebi.org.selectors import county_of

from ..models import SummaryDraft, SummaryFigure
from ..selectors import summary as selectors
from ..selectors.notices import letterhead

__all__ = [
    "ACTION_SAVE",
    "ACTION_FIGURES",
    "ACTION_EXPORT",
    "MAX_TEXT",
    "MAX_ROUNDING_UNIT",
    "summary_save",
    "summary_figures_update",
    "summary_docx",
    "docx_name",
    "title",
]

# Audit action codes (labels can join xuebi.audit.models.Action; the log shows the code meanwhile).
ACTION_SAVE = Action.SUMMARY_SAVE
ACTION_FIGURES = Action.SUMMARY_FIGURES
ACTION_EXPORT = Action.SUMMARY_EXPORT

MAX_TEXT = 20_000
MAX_ROUNDING_UNIT = 100_000_000
DRAFT_FIELDS = ["figures", "text"]


def _admin_of(actor, unit: Unit) -> None:
    if not has_role(actor, *ADMIN_ROLES):
        raise PermissionDenied("只有盟级管理员和旗县市区管理员可以起草年度总结。")
    if not Unit.objects.visible_to(actor, "change").filter(pk=unit.pk).exists():
        raise PermissionDenied("超出您的管理范围。")


@transaction.atomic
def summary_save(
    *, actor, campaign: Campaign, unit: Unit, figures: list[str], text: str = "", regenerate: bool = False
) -> SummaryDraft:
    """Keep the summary of ``campaign`` for ``unit``'s subtree: the figures chosen (catalogue keys,
    in catalogue order) and the text. ``regenerate`` replaces the text with the drafted one."""
    _admin_of(actor, unit)
    known = [f.key for f in selectors.catalogue()]
    unknown = [key for key in figures if key not in known]
    if unknown:
        raise ValidationError({"figures": f"没有这些数字：{'、'.join(unknown)}。"})
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"正文不能超过{MAX_TEXT}字（现有{len(text)}字）。"})
    chosen = [key for key in known if key in set(figures)]
    summary = selectors.summary_for(campaign=campaign, unit=unit, chosen=chosen)
    draft = SummaryDraft.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    before = snapshot(draft, DRAFT_FIELDS) if draft is not None else {}
    following = not text or (draft is not None and text == draft.generated)
    if draft is None:
        draft = SummaryDraft(campaign=campaign, unit=unit, created_by=actor)
    draft.figures = chosen
    draft.text = summary.text if regenerate or following else text
    draft.generated = summary.text
    draft.updated_by = actor
    draft.save()
    require_in_scope(actor, draft, "change")
    changes = diff(before, snapshot(draft, DRAFT_FIELDS))
    if changes:
        audit_record(actor=actor, action=ACTION_SAVE, target=draft, changes=changes)
    return draft


@transaction.atomic
def summary_figures_update(*, actor, settings: dict[str, tuple[int | None, bool]]) -> int:
    """Set figures' rounding units (None: exact) and whether new drafts take them, {key: (unit,
    included)}; league admins only. Returns how many changed; each change is audited."""
    if not has_role(actor, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以设置总结数字。")
    catalogue = {f.key: f for f in selectors.catalogue()}
    errors = {}
    for key, (rounding_unit, _included) in settings.items():
        if key not in catalogue:
            errors[key] = f"没有这个数字：{key}。"
        elif rounding_unit is not None and not (isinstance(rounding_unit, int) and 1 <= rounding_unit <= MAX_ROUNDING_UNIT):
            errors[key] = f"“{catalogue[key].label}”的取整单位应为 1 到 {MAX_ROUNDING_UNIT} 之间的整数，或留空写确数。"
    if errors:
        raise ValidationError(errors)
    rows = {s.key: s for s in SummaryFigure.objects.select_for_update().filter(key__in=list(settings))}
    changed = 0
    for key, (rounding_unit, included) in settings.items():
        figure = catalogue[key]
        if (figure.rounding_unit, figure.included) == (rounding_unit, included):
            continue
        row = rows.get(key) or SummaryFigure(key=key)
        before = {"rounding_unit": figure.rounding_unit, "included": figure.included}
        row.rounding_unit, row.included, row.updated_by = rounding_unit, included, actor
        row.save()
        audit_record(
            actor=actor,
            action=ACTION_FIGURES,
            target=row,
            target_repr=figure.label,
            changes=diff(before, {"rounding_unit": rounding_unit, "included": included}),
        )
        changed += 1
    return changed


def title(summary: selectors.Summary) -> str:
    """关于2026年双学双比活动开展情况的总结 — whose it is, the letterhead says."""
    name = summary.campaign.name
    return f"关于{name}{'' if name.endswith('活动') else '活动'}开展情况的总结"


def docx_name(summary: selectors.Summary) -> str:
    return f"{summary.subject}{summary.campaign.name}总结.docx"


def summary_docx(*, actor, summary: selectors.Summary) -> bytes:
    """The summary as a .docx in the department's document style (``core.officialdoc``): a summary,
    not a numbered notice — no 发文字号, no 主送机关. Audited as an export."""
    _admin_of(actor, summary.unit)
    body = [paragraph for paragraph in summary.edited_text.splitlines() if paragraph.strip()]
    document = officialdoc.Document(
        authority=_authority(summary.unit),
        title=title(summary),
        body=body,
        signature=_authority(summary.unit),
        date=timezone.localdate(),
    )
    content = officialdoc.render_docx(document)
    audit_record(
        actor=actor,
        action=ACTION_EXPORT,
        target=summary.draft,
        target_repr=f"{summary.campaign.name} · {summary.unit.name}",
        changes={"campaign": summary.campaign.name, "unit": summary.unit.name},
    )
    return content


def _authority(unit: Unit) -> str:
    """中共锡林郭勒盟委组织部: the unit's department, as it signs."""
    return letterhead(county_of(unit)).authority
