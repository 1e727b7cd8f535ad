"""/api/v1/reports/summary: the annual summary's figures and drafted text, through the same
selectors and scoping as the page (``views.summary``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from xuebi.campaign.models import Campaign
from xuebi.core.api import DbInt, ErrorOut
from xuebi.org.scoping import has_role

from ..selectors import summary as selectors
from ..selectors.summary import SUMMARY_ROLES

router = Router(tags=["通报与总结"])


class FigureOut(Schema):
    key: str
    label: str
    value: int | float = Field(..., description="确数")
    display: str = Field(..., description="按取整规则的写法，如 20余部")
    unit_word: str
    rounding_unit: int | None = Field(None, description="取整单位；空为确数")
    chosen: bool = Field(..., description="是否默认写入正文")


class NamedOut(Schema):
    id: int
    name: str


class DraftOut(Schema):
    figures: list[str]
    text: str
    updated_at: dt.datetime


class SummaryOut(Schema):
    campaign: NamedOut
    unit: NamedOut
    year: int
    text: str = Field(..., description="按所选数字生成的正文")
    figures: list[FigureOut]
    draft: DraftOut | None = Field(None, description="已保存的总结（所选数字、编辑后的正文）")


@router.get(
    "/summary",
    response={200: SummaryOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="年度总结：活动期间本单位及下级已审核台账的数字和生成的正文",
)
def summary(request, campaign_id: DbInt, unit_id: DbInt | None = None):
    """``unit_id``: whose subtree (default: the top of the caller's admin grants — the league for a
    league admin, the county for a county admin). The text is drafted from the catalogue's default
    figures (``chosen``); the draft kept for this campaign and unit, if any, comes beside it."""
    if not has_role(request.auth, *SUMMARY_ROLES):
        raise PermissionDenied("您的角色无权访问此接口。")
    unit = selectors.scope_unit(request.auth, unit_id)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    result = selectors.summary_for(campaign=campaign, unit=unit, chosen=selectors.DEFAULT)
    draft = result.draft
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name},
        "unit": {"id": unit.pk, "name": unit.name},
        "year": result.year,
        "text": result.text,
        "figures": [
            {
                "key": v.key,
                "label": v.label,
                "value": v.value if isinstance(v.value, int) else float(v.value),
                "display": v.display,
                "unit_word": v.figure.unit_word,
                "rounding_unit": v.figure.rounding_unit,
                "chosen": v.key in result.chosen_set,
            }
            for v in result.values
        ],
        "draft": None if draft is None else {"figures": draft.figures, "text": draft.text, "updated_at": draft.updated_at},
    }
