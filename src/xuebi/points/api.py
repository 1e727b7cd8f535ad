"""/api/v1/points…: my points and journal, leaderboards, adjustments — the same selectors,
services and scoping as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from xuebi.core.api import DbInt, LimitOffsetPagination, paginate
from xuebi.core.forms import error_detail, validation_detail
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Person
from xuebi.org.scoping import has_role

from xuebi.jobs.api import JobStarted, started

from . import readmodel, recompute, selectors, services
from .models import PointEntry
from .forms import AdjustForm, BoardForm
from .selectors import BOARD_ROLES, show_board

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


NUMBER = {"json_schema_extra": {"type": ["number", "string"]}}


class AdjustIn(Schema):
    """The page's form as JSON (``forms.AdjustForm`` checks it, with the page's messages)."""

    person_id: DbInt
    indicator_id: DbInt
    points: Any = Field(
        ...,
        description='分值：加分为正，扣分为负，最多两位小数，-100～100（数字或字符串，如 "1.5"）；'
        "加分计至指标满分为止，扣分扣至0分为止",
        **NUMBER,
    )
    reason: str = ""
    occurred_on: str = Field("", description="日期，默认今天")
    expected_points: Any = Field(
        None, description="预览（POST /points/adjustments/preview）给出的 credited；积分若已变化则不记入，返回 422", **NUMBER
    )


class CreditOut(Schema):
    points: Decimal = Field(..., alias="asked", description="填写的分值")
    credited: Decimal = Field(..., description="将计入的分值")
    cut: Decimal = Field(..., description="按指标满分（或扣至0分）核减的分值")
    earned: Decimal = Field(..., description="该指标已得分")
    max_points: Decimal | None = Field(None, alias="indicator.max_points", description="该指标满分")
    note: str
    summary: str = Field(..., description="如“将计入 1.5 分（满分 30，已得 28.5）”")


def _campaign(version: readmodel.Version | None = None, requested: int | None = None):
    """The current campaign — for the leaderboards, which only read, from the cache under ``version``
    (or the campaign they ask for, ``requested``)."""
    today = timezone.localdate()
    campaign = selectors.board_campaign(today, version, requested) if version else selectors.current_campaign(today)
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
        "campaign": campaign.name,
        "total": summary["total"],
        "dimensions": {str(label): value for label, value in summary["dimensions"]},
        "indicators": [
            {"id": r["indicator"].pk, "name": r["indicator"].name, "points": r["points"], "max_points": r["indicator"].max_points}
            for r in summary["indicators"]
        ],
        "rank_league": summary["rank_league"],
        "rank_county": summary["rank_county"],
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
    campaign: DbInt | None = Field(None, description="活动 id（默认当前活动；往期活动看其最终排名）")


def _board(request, kind: str, query: BoardQuery):
    _require_board_role(request)
    version = readmodel.version()
    campaign = _campaign(version, query.campaign)
    form = BoardForm(query.dict(exclude_none=True), campaign=campaign, today=timezone.localdate())
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return show_board(request.auth, campaign, form.spec(), kind, today=form.today, version=version)


@router.get(
    "/points/leaderboard/people",
    response={200: PeopleBoardOut, 422: dict},
    summary="个人排行榜：前50名及本人名次，并列同名次，含升降",
)
def people_board(request, query: Query[BoardQuery]):
    return _board(request, "people", query)


@router.get(
    "/points/leaderboard/units",
    response={200: UnitBoardOut, 422: dict},
    summary="单位排行榜：各旗县市区（或 unit 下属单位）按总分或人均（per_head），含升降",
)
def unit_board(request, query: Query[BoardQuery]):
    return _board(request, "units", query)


ADJUST_NAMES = {"person": "person_id", "indicator": "indicator_id", "expected": "expected_points"}


def _adjust_loc(name: str) -> list[str]:
    return ["body"] if name == "__all__" else ["body", ADJUST_NAMES.get(name, name)]


def _adjustment(request, payload: AdjustIn, call):
    """The body through the page's form, then ``call(form)`` (a service); 422 names the field either way."""
    if not has_role(request.auth, *ADMIN_ROLES):
        raise PermissionDenied("只有管理员可以加分或扣分。")
    get_visible_or_404(Person, request.auth, payload.person_id, "change")  # out of scope: 404, not a form error
    given = {
        "person": payload.person_id,
        "indicator": payload.indicator_id,
        "points": payload.points,
        "reason": payload.reason,
        "occurred_on": payload.occurred_on or timezone.localdate().isoformat(),
        "expected": payload.expected_points,
    }
    # a JSON number arrives as a float (1e400 as inf) and is read from its text, as the page reads
    # what was typed; null is left out, as an empty field is
    data = {name: str(value) for name, value in given.items() if value is not None}
    form = AdjustForm(data, user=request.auth, campaign=selectors.current_campaign(timezone.localdate()))
    if not form.is_valid():
        return Status(422, {"detail": error_detail(form, loc=_adjust_loc)})
    try:
        return call(form)
    except ValidationError as exc:
        return Status(422, {"detail": validation_detail(exc, loc=_adjust_loc)})


@router.post(
    "/points/adjustments/preview",
    response={200: CreditOut, 422: dict},
    summary="加分/扣分预览：将计入多少分（按指标满分核减后），不记入",
)
def adjust_preview(request, payload: AdjustIn):
    return _adjustment(request, payload, lambda form: services.points_adjust_preview(actor=request.auth, **form.adjustment()))


@router.post(
    "/points/adjustments",
    response={201: EntryOut, 422: dict},
    summary="加分/扣分（管理员，须填写理由）：加分计至指标满分为止，扣分扣至0分为止，核减写入明细说明",
)
def adjust(request, payload: AdjustIn):
    return _adjustment(request, payload, lambda form: Status(201, services.points_adjust(actor=request.auth, **form.booking())))


class ChangeOut(Schema):
    person_id: int
    name: str
    unit: str = ""
    before: Decimal
    after: Decimal
    change: Decimal


@router.post(
    "/points/recompute/preview",
    response={200: list[ChangeOut], 202: JobStarted, 422: dict},
    summary="预览重算：谁得分、谁失分（记录多时在后台进行：202，附任务状态地址）",
)
def recompute_preview(request):
    campaign = _campaign()
    if job := recompute.start_if_large(recompute.PREVIEW, actor=request.auth, campaign=campaign):
        return started(job)
    return recompute.preview(actor=request.auth, campaign=campaign)


@router.post(
    "/points/recompute",
    response={200: list[ChangeOut], 202: JobStarted, 422: dict},
    summary="按当前规则重算积分（盟级管理员；记录多时在后台进行：202，附任务状态地址）",
)
def recompute_apply(request):
    campaign = _campaign()
    if job := recompute.start_if_large(recompute.APPLY, actor=request.auth, campaign=campaign):
        return started(job)
    return recompute.apply(actor=request.auth, campaign=campaign)
