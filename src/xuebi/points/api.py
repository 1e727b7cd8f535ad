"""/api/v1/points…: my points and journal, leaderboards, adjustments — the same selectors,
services and scoping as the pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xuebi.campaign.models import Indicator
from xuebi.core import dates
from xuebi.core.permissions import get_visible_or_404
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Person
from xuebi.org.scoping import has_role

from . import recompute, selectors, services
from .models import PointEntry
from .views import BOARD_ROLES, board_units

router = Router(tags=["积分与排行"])


class EntryOut(Schema):
    id: int
    occurred_on: dt.date
    entry_type: str
    points: Decimal
    base_points: Decimal | None
    note: str
    indicator: str = Field(..., alias="indicator.name")
    dimension: str
    source_type: str
    source_id: str
    source_label: str
    reverses_id: int | None


class SummaryOut(Schema):
    campaign: str
    total: Decimal
    dimensions: dict[str, Decimal]
    indicators: list[dict]
    rank_league: int
    rank_county: int


class PersonRowOut(Schema):
    rank: int
    person_id: int
    name: str = Field(..., alias="person.name")
    unit: str = Field(..., alias="person.unit.name")
    score: Decimal


class UnitRowOut(Schema):
    rank: int
    unit_id: int
    unit: str
    total: Decimal
    people: int
    average: Decimal


class AdjustIn(Schema):
    person_id: int
    indicator_id: int
    points: Decimal
    reason: str
    occurred_on: str = ""


def _campaign():
    campaign = selectors.current_campaign(timezone.localdate())
    if campaign is None:
        raise Http404("尚未设置活动。")
    return campaign


def _require_board_role(request):
    if not has_role(request.auth, *BOARD_ROLES):
        raise PermissionDenied("您的角色无权查看积分。")


@router.get("/points/me", response=SummaryOut, summary="我的积分：总分、类别、指标、排名")
def my_points(request):
    _require_board_role(request)
    if not request.auth.person_id:
        raise PermissionDenied("您的账号未关联花名册人员，没有个人积分。")
    campaign = _campaign()
    summary = selectors.person_summary(request.auth.person, campaign)
    return {
        "campaign": campaign.name, "total": summary["total"],
        "dimensions": {str(label): value for label, value in summary["dimensions"]},
        "indicators": [{"id": r["indicator"].pk, "name": r["indicator"].name, "points": r["points"],
                        "max_points": r["indicator"].max_points} for r in summary["indicators"]],
        "rank_league": summary["rank_league"], "rank_county": summary["rank_county"],
    }


@router.get("/points/journal", response=list[EntryOut], summary="积分明细：本人的，或可见范围内某人的（person_id）")
@paginate(LimitOffsetPagination)
def journal(request, person_id: int | None = None):
    _require_board_role(request)
    entries = PointEntry.objects.visible_to(request.auth).filter(campaign=_campaign())
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    elif request.auth.person_id:
        entries = entries.filter(person_id=request.auth.person_id)
    return entries.select_related("indicator").order_by("-occurred_on", "-pk")


@router.get("/points/leaderboard/people", response=list[PersonRowOut], summary="个人排行榜（前50，并列同名次）")
def people_board(request, dimension: str = "total"):
    _require_board_role(request)
    return list(selectors.people_board(_campaign(), board_units(request.auth), dimension=dimension))


@router.get("/points/leaderboard/units", response=list[UnitRowOut], summary="单位排行榜（总分或人均）")
def unit_board(request, dimension: str = "total", per_head: bool = False):
    _require_board_role(request)
    return [{**row, "unit_id": row["unit"].pk, "unit": row["unit"].name}
            for row in selectors.unit_board(_campaign(), dimension=dimension, per_head=per_head)]


@router.post("/points/adjustments", response={201: EntryOut, 422: dict}, summary="加分/扣分（管理员，须填写理由）")
def adjust(request, payload: AdjustIn):
    if not has_role(request.auth, *ADMIN_ROLES):
        raise PermissionDenied("只有管理员可以加分或扣分。")
    person = get_visible_or_404(Person, request.auth, payload.person_id, "change")
    indicator = get_object_or_404(Indicator, pk=payload.indicator_id)
    day = dates.parse(payload.occurred_on, allow_partial=False).date if payload.occurred_on else timezone.localdate()
    entry = services.points_adjust(actor=request.auth, person=person, indicator=indicator, points=payload.points,
                                   reason=payload.reason, occurred_on=day)
    return Status(201, entry)


class ChangeOut(Schema):
    person_id: int
    name: str
    before: Decimal
    after: Decimal
    change: Decimal


@router.post("/points/recompute/preview", response={200: list[ChangeOut], 422: dict}, summary="预览重算：谁得分、谁失分")
def recompute_preview(request):
    return recompute.preview(actor=request.auth, campaign=_campaign())


@router.post("/points/recompute", response={200: list[ChangeOut], 422: dict}, summary="按当前规则重算积分（盟级管理员）")
def recompute_apply(request):
    return recompute.apply(actor=request.auth, campaign=_campaign())
