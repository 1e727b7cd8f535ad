"""/api/v1/points…: my points and journal, leaderboards, adjustments — the same selectors,
services and scoping as the pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from xuebi.campaign.models import Indicator
from xuebi.core.api import DbInt, LimitOffsetPagination, paginate
from xuebi.core import dates
from xuebi.core.permissions import get_visible_or_404
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Person
from xuebi.org.scoping import has_role

from . import boards, recompute, selectors, services
from .models import PointEntry
from .forms import BoardForm
from .views import BOARD_ROLES, show_board

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


class MoveOut(Schema):
    rank: int | None
    previous_rank: int | None = Field(None, description="上期名次；上期没有积分时为空")
    move: int | None = Field(None, description="比上期上升的名次（负数为下降）")


class PersonRowOut(MoveOut):
    person_id: int
    name: str
    unit: str = Field(..., alias="unit_name")
    score: Decimal


class UnitRowOut(MoveOut):
    unit_id: int
    unit: str = Field(..., alias="unit_name")
    total: Decimal
    people: int
    average: Decimal


class BoardOut(Schema):
    period: str = Field(..., alias="span.label")
    start: dt.date = Field(..., alias="span.start")
    end: dt.date = Field(..., alias="span.end")
    category: str = Field(..., alias="category_label")
    compared_with: str | None = Field(None, description="升降所比的上期")


class PeopleBoardOut(BoardOut):
    rows: list[PersonRowOut]
    me: PersonRowOut | None = Field(None, description="本人不在前50名时，本人的名次")


class UnitBoardOut(BoardOut):
    rows: list[UnitRowOut]


class AdjustIn(Schema):
    person_id: int
    indicator_id: int
    points: Decimal
    reason: str
    occurred_on: str = ""


def _campaign(version: boards.Version | None = None):
    """The current campaign — for the leaderboards, which only read, from the cache under ``version``."""
    today = timezone.localdate()
    campaign = selectors.shown_campaign(today, version) if version else selectors.current_campaign(today)
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
def journal(request, person_id: DbInt | None = None):
    _require_board_role(request)
    entries = PointEntry.objects.visible_to(request.auth).filter(campaign=_campaign())
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    elif request.auth.person_id:
        entries = entries.filter(person_id=request.auth.person_id)
    return entries.select_related("indicator").order_by("-occurred_on", "-pk")


class BoardQuery(Schema):
    period: str = Field("campaign", description="campaign、year、quarter:2026-10-01、month:2026-11-01 或 custom")
    on: str = Field("", description="季度、月份中的任一天（也可写在 period 的冒号后）")
    start: str = Field("", description="自定义期间的开始日期")
    end: str = Field("", description="自定义期间的结束日期")
    category: str = Field("total", description="total、theory、business、party_spirit、work 或 indicator:<id>")
    per_head: bool = Field(False, description="单位按人均排名")
    unit: DbInt | None = Field(None, description="看这个单位的下属单位")


def _board(request, kind: str, query: BoardQuery):
    _require_board_role(request)
    version = boards.version()
    campaign = _campaign(version)
    form = BoardForm(query.dict(exclude_none=True), campaign=campaign, today=timezone.localdate())
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return show_board(request.auth, campaign, form.spec(), kind, today=form.today, version=version)


@router.get("/points/leaderboard/people", response={200: PeopleBoardOut, 422: dict},
            summary="个人排行榜：前50名及本人名次，并列同名次，含升降")
def people_board(request, query: Query[BoardQuery]):
    return _board(request, "people", query)


@router.get("/points/leaderboard/units", response={200: UnitBoardOut, 422: dict},
            summary="单位排行榜：各旗县市区（或 unit 下属单位）按总分或人均（per_head），含升降")
def unit_board(request, query: Query[BoardQuery]):
    return _board(request, "units", query)


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
