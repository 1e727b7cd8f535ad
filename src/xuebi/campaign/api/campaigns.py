"""/api/v1/campaigns: the same form, services and role rule as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt
from xuebi.core.forms import error_detail
from xuebi.org.choices import BUSINESS_ROLES, Role
from xuebi.org.scoping import has_role

from ..services import campaigns as services
from ..forms.campaigns import CampaignForm
from ..models import Campaign

router = Router(tags=["活动"])


class CampaignOut(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    is_closed: bool


class CampaignIn(Schema):
    """Dates may be written as people type them (2026-01-01, 2026.1.1, 2026年1月1日)."""

    name: str
    start_date: str = Field(..., description="开始日期")
    end_date: str = Field(..., description="结束日期")
    is_closed: bool = False


class CampaignPatch(Schema):
    name: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    is_closed: bool | None = None


class ErrorOut(Schema):
    detail: list[dict] | str


def _require_league_admin(user) -> None:
    if not has_role(user, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以设置活动。")


def _form_data(values: dict) -> dict:
    data = {k: ("" if v is None else v) for k, v in values.items()}
    if "is_closed" in data:
        data["is_closed"] = "on" if data["is_closed"] else ""
    return data


def _errors(form) -> dict:
    return {"detail": error_detail(form)}


@router.get("/campaigns", response=list[CampaignOut], summary="活动列表")
def list_campaigns(request):
    if not has_role(request.auth, *BUSINESS_ROLES):
        raise PermissionDenied("您的角色无权查看活动。")
    return Campaign.objects.all()


@router.post("/campaigns", response={201: CampaignOut, 422: ErrorOut}, summary="新建活动（盟级管理员）")
def create_campaign(request, payload: CampaignIn):
    _require_league_admin(request.auth)
    form = CampaignForm(data=_form_data(payload.dict()))
    if not form.is_valid():
        return Status(422, _errors(form))
    return Status(201, services.campaign_create(actor=request.auth, **form.values()))


@router.patch("/campaigns/{campaign_id}", response={200: CampaignOut, 422: ErrorOut}, summary="修改活动（盟级管理员）")
def update_campaign(request, campaign_id: DbInt, payload: CampaignPatch):
    _require_league_admin(request.auth)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    current = {
        "name": campaign.name,
        "start_date": campaign.start_date.isoformat(),
        "end_date": campaign.end_date.isoformat(),
        "is_closed": campaign.is_closed,
    }
    form = CampaignForm(data=_form_data({**current, **payload.dict(exclude_unset=True)}), instance=campaign)
    if not form.is_valid():
        return Status(422, _errors(form))
    return services.campaign_update(actor=request.auth, campaign=campaign, **form.values())
