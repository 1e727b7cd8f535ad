"""/api/v1 indicators and rules: the same forms, the same ``check_rule`` and services as the pages.

Any business role reads a campaign's score sheet; only a league admin changes it. ``PATCH
/rules/{id}`` that changes a rule's figures answers with the NEW rule (its ``supersedes`` is the
old one's id), because the old one is kept, deactivated, for the journal entries computed with it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt
from xuebi.core.forms import add_validation_error, error_detail
from xuebi.org.choices import BUSINESS_ROLES, Role
from xuebi.org.scoping import has_role

from ..services import rules as services
from ..forms.rules import IndicatorForm, RuleForm
from ..models import Campaign, Indicator, Rule
from ..services.rules import RULE_ATTRS, lookup_as_text

router = Router(tags=["考核指标和积分规则"])

Number = Decimal | int | float | str


class IndicatorOut(Schema):
    id: int
    campaign_id: int
    dimension: str
    dimension_display: str = Field(..., alias="get_dimension_display")
    name: str
    max_points: Decimal | None
    sort_order: int


class IndicatorIn(Schema):
    dimension: str = Field(..., description="theory 学理论、business 学业务、party_spirit 比党性、work 比工作")
    name: str
    max_points: Number | None = Field(None, description="满分（上限）；空为不设上限")
    sort_order: DbInt | None = None


class IndicatorPatch(Schema):
    dimension: str | None = None
    name: str | None = None
    max_points: Number | None = None
    sort_order: DbInt | None = None


class RuleOut(Schema):
    id: int
    campaign_id: int
    indicator_id: int
    name: str
    source_type: str
    source_kind: str
    method: str
    points: Decimal
    field_key: str
    lookup: dict
    recipients: str
    cap_day: Decimal | None
    cap_week: Decimal | None
    cap_month: Decimal | None
    cap_campaign: Decimal | None
    once_per_value: bool
    is_active: bool
    supersedes: int | None = Field(None, alias="supersedes_id")
    created_at: dt.datetime


class RuleIn(Schema):
    name: str
    indicator_id: DbInt
    source_kind: str = Field(..., description="台账类型代码，如 self_study")
    method: str = Field("fixed", description="fixed 每项固定分值、per_unit 按数值计分、lookup 按选项计分")
    points: Number | None = Field(None, description="固定分值，或按数值计分时每单位的分值")
    field_key: str = Field("", description="计分字段：hours（学时）、数字字段或单选字段的键")
    lookup: dict[str, Number] | str | None = Field(None, description='选项分值，如 {"中央": 10}，或每行一个“中央=10”')
    recipients: str = Field("author", description="author 记录人、presenter 主讲人、attendees 参加人员、all 全部")
    cap_day: Number | None = None
    cap_week: Number | None = None
    cap_month: Number | None = None
    cap_campaign: Number | None = None
    once_per_value: bool = False


class RulePatch(Schema):
    name: str | None = None
    indicator_id: DbInt | None = None
    source_kind: str | None = None
    method: str | None = None
    points: Number | None = None
    field_key: str | None = None
    lookup: dict[str, Number] | str | None = None
    recipients: str | None = None
    cap_day: Number | None = None
    cap_week: Number | None = None
    cap_month: Number | None = None
    cap_campaign: Number | None = None
    once_per_value: bool | None = None


class ErrorOut(Schema):
    detail: list[dict] | str


# --- helpers ----------------------------------------------------------------------------------


def _require_reader(user) -> None:
    if not has_role(user, *BUSINESS_ROLES):
        raise PermissionDenied("您的角色无权查看考核指标和积分规则。")


def _require_league_admin(user) -> None:
    if not has_role(user, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以设置考核指标和积分规则。")


RENAME = {"indicator": "indicator_id"}


def _invalid(form) -> Status:
    return Status(422, {"detail": error_detail(form, rename=RENAME)})


def _refused(form, exc: ValidationError) -> Status:
    """A service's refusal, named by field the way the form's own errors are."""
    add_validation_error(form, exc)
    return _invalid(form)


def _fresh(obj):
    """The row as stored (2.00, not the 2 that was typed), as every other answer shows it."""
    obj.refresh_from_db()
    return obj


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _indicator_data(values: dict) -> dict:
    return {k: _text(v) for k, v in values.items()}


def _rule_data(values: dict) -> dict:
    data = {}
    for name, value in values.items():
        if name == "indicator_id":
            data["indicator"] = _text(value)
        elif name == "lookup":
            data["lookup"] = lookup_as_text({k: _text(v) for k, v in value.items()}) if isinstance(value, dict) else _text(value)
        elif name == "once_per_value":
            data["once_per_value"] = "on" if value else ""
        else:
            data[name] = _text(value)
    return data


def _rule_current(rule: Rule) -> dict:
    current = {name: getattr(rule, name) for name in RULE_ATTRS if name not in ("indicator", "source_type")}
    current["indicator_id"] = rule.indicator_id
    current["lookup"] = dict(rule.lookup or {})
    return current


# --- indicators -------------------------------------------------------------------------------


@router.get("/campaigns/{campaign_id}/indicators", response=list[IndicatorOut], summary="活动的考核指标")
def list_indicators(request, campaign_id: DbInt):
    _require_reader(request.auth)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    return list(campaign.indicators.all())


@router.post(
    "/campaigns/{campaign_id}/indicators", response={201: IndicatorOut, 422: ErrorOut}, summary="添加考核指标（盟级管理员）"
)
def create_indicator(request, campaign_id: DbInt, payload: IndicatorIn):
    _require_league_admin(request.auth)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = IndicatorForm(data=_indicator_data(payload.dict()))
    if not form.is_valid():
        return _invalid(form)
    try:
        indicator = services.indicator_save(actor=request.auth, campaign=campaign, **form.values())
    except ValidationError as exc:
        return _refused(form, exc)
    return Status(201, _fresh(indicator))


@router.patch("/indicators/{indicator_id}", response={200: IndicatorOut, 422: ErrorOut}, summary="修改考核指标（盟级管理员）")
def update_indicator(request, indicator_id: DbInt, payload: IndicatorPatch):
    _require_league_admin(request.auth)
    indicator = get_object_or_404(Indicator.objects.select_related("campaign"), pk=indicator_id)
    current = {
        "dimension": indicator.dimension,
        "name": indicator.name,
        "max_points": indicator.max_points,
        "sort_order": indicator.sort_order,
    }
    form = IndicatorForm(data=_indicator_data({**current, **payload.dict(exclude_unset=True)}))
    if not form.is_valid():
        return _invalid(form)
    try:
        return _fresh(services.indicator_save(actor=request.auth, indicator=indicator, **form.values()))
    except ValidationError as exc:
        return _refused(form, exc)


# --- rules ------------------------------------------------------------------------------------


@router.get("/campaigns/{campaign_id}/rules", response=list[RuleOut], summary="活动的积分规则")
def list_rules(request, campaign_id: DbInt, include_inactive: bool = False):
    """现行规则；``include_inactive=true`` 时也列出已停用和已被新版取代的规则（规则是公开的，历史也是）。"""
    _require_reader(request.auth)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    rules = Rule.objects.filter(campaign=campaign).order_by("indicator__sort_order", "indicator_id", "pk")
    if not include_inactive:
        rules = rules.filter(is_active=True)
    return list(rules)


@router.post("/campaigns/{campaign_id}/rules", response={201: RuleOut, 422: ErrorOut}, summary="添加积分规则（盟级管理员）")
def create_rule(request, campaign_id: DbInt, payload: RuleIn):
    _require_league_admin(request.auth)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = RuleForm(data=_rule_data(payload.dict()), campaign=campaign)
    if not form.is_valid():
        return _invalid(form)
    try:
        rule = services.rule_create(actor=request.auth, campaign=campaign, **form.values())
    except ValidationError as exc:
        return _refused(form, exc)
    return Status(201, _fresh(rule))


@router.patch(
    "/rules/{rule_id}", response={200: RuleOut, 422: ErrorOut}, summary="修改积分规则（盟级管理员；改分值等另立新版，返回新规则）"
)
def update_rule(request, rule_id: DbInt, payload: RulePatch):
    _require_league_admin(request.auth)
    rule = get_object_or_404(Rule.objects.select_related("campaign"), pk=rule_id)
    if not rule.is_active:
        return Status(422, {"detail": [{"loc": ["body"], "msg": "该规则已停用或已被新规则取代，不能再修改；请修改现行的规则。"}]})
    form = RuleForm(data=_rule_data({**_rule_current(rule), **payload.dict(exclude_unset=True)}), campaign=rule.campaign)
    if not form.is_valid():
        return _invalid(form)
    try:
        return _fresh(services.rule_change(actor=request.auth, rule=rule, **form.values()))
    except ValidationError as exc:
        return _refused(form, exc)


@router.post("/rules/{rule_id}/deactivate", response={200: RuleOut, 422: ErrorOut}, summary="停用积分规则（盟级管理员）")
def deactivate_rule(request, rule_id: DbInt):
    _require_league_admin(request.auth)
    rule = get_object_or_404(Rule, pk=rule_id)
    return _fresh(services.rule_deactivate(actor=request.auth, rule=rule))
