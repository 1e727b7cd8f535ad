"""/api/v1/kinds: record kinds (台账类型) through the same form, definitions check and services as the pages.

Any business role reads kinds (a cadre's app needs their fields to render a record form); only a
league admin creates or changes them.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt
from xuebi.core.forms import error_detail
from xuebi.org.choices import BUSINESS_ROLES, Role
from xuebi.org.scoping import has_role

from ..forms.kinds import KindForm, fill_missing_keys, locate_definition_error
from ..models import RecordKind
from ..selectors.kinds import record_counts
from ..services.kinds import KIND_ATTRS, kind_create, kind_update

router = Router(tags=["台账类型"])

BOOLEAN_ATTRS = ("evidence_required", "review_required", "attendee_hours", "has_study_level", "is_active")


class FieldDefinition(Schema):
    """One field of a kind. ``key`` may be left empty: it is then made from the label's pinyin."""

    key: str = ""
    label: str = ""
    type: str = Field("", description="text, textarea, number, date, choice, multichoice, person, unit, file")
    required: bool = False
    help: str | None = None
    unit: str | None = Field(None, description="number：单位，如 小时")
    min: str | int | float | None = Field(None, description="number：最小值")
    max: str | int | float | None = Field(None, description="number：最大值")
    decimals: DbInt | None = Field(None, description="number：小数位数 0、1 或 2（默认 1）")
    choices: list[str] | str | None = Field(None, description="choice/multichoice：选项列表，或用换行、顿号分隔的文本")
    max_length: DbInt | None = Field(None, description="text：最多字数（默认 200）")


class KindOut(Schema):
    id: int
    code: str
    name: str
    dimension: str
    dimension_display: str = Field(..., alias="get_dimension_display")
    description: str
    participation: str
    participation_display: str = Field(..., alias="get_participation_display")
    evidence_required: bool
    review_required: bool
    attendee_hours: bool
    has_study_level: bool
    is_active: bool
    sort_order: int
    version: int
    fields: list[dict]


class VersionOut(Schema):
    version: int
    created_at: dt.datetime
    fields: list[dict]
    records: int = Field(..., description="本人可见范围内按此版本填写的记录数")


class KindDetailOut(KindOut):
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: RecordKind):
        return obj.versions_out


class KindIn(Schema):
    code: str
    name: str
    dimension: str = Field(..., description="theory 学理论 / business 学业务 / party_spirit 比党性 / work 比工作")
    description: str = ""
    participation: str = Field("single", description="single 个人记录 / group 集体活动")
    evidence_required: bool = False
    review_required: bool = True
    attendee_hours: bool = False
    has_study_level: bool = False
    is_active: bool = True
    sort_order: DbInt = 100
    fields: list[FieldDefinition] = []


class KindPatch(Schema):
    """Only what is sent changes. Sending ``fields`` replaces all of them (a new version when they differ)."""

    name: str | None = None
    dimension: str | None = None
    description: str | None = None
    participation: str | None = None
    evidence_required: bool | None = None
    review_required: bool | None = None
    attendee_hours: bool | None = None
    has_study_level: bool | None = None
    is_active: bool | None = None
    sort_order: DbInt | None = None
    fields: list[FieldDefinition] | None = None


class ErrorOut(Schema):
    detail: list[dict] | str


def _require_reader(user) -> None:
    if not has_role(user, *BUSINESS_ROLES):
        raise PermissionDenied("您的角色无权查看台账类型。")


def _require_league_admin(user) -> None:
    if not has_role(user, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以设置台账类型。")


def _form_data(values: dict) -> dict:
    """Schema values as the HTML form would post them (booleans as checkbox values)."""
    data = {k: ("" if v is None else v) for k, v in values.items() if k in KIND_ATTRS}
    for name in BOOLEAN_ATTRS:
        if name in data:
            data[name] = "on" if data[name] else ""
    return data


def _current_values(kind: RecordKind) -> dict:
    return {name: getattr(kind, name) for name in KIND_ATTRS}


def _check(form: KindForm, definitions: list[dict] | None):
    """The 422 answer for bad attributes or definitions, or None when both are fine."""
    details = []
    if not form.is_valid():
        details.extend(error_detail(form))
    if definitions is not None:
        found = locate_definition_error(definitions)
        if found is not None:
            index, error = found
            details.extend({"loc": ["body", "fields", index], "msg": m} for m in error.messages)
    return Status(422, {"detail": details}) if details else None


def _definitions(fields: list[FieldDefinition] | None) -> list[dict] | None:
    if fields is None:
        return None
    return fill_missing_keys([f.dict(exclude_none=True) for f in fields])


def _detail(kind: RecordKind, user) -> RecordKind:
    """The kind with ``versions_out`` for KindDetailOut: each version's fields and visible record count."""
    counts = record_counts(user, kind)
    kind.versions_out = [
        {"version": v.version, "created_at": v.created_at, "fields": v.fields, "records": counts.get(v.version, 0)}
        for v in kind.versions.order_by("-version")
    ]
    return kind


@router.get("/kinds", response=list[KindOut], summary="台账类型列表（含当前字段）")
def list_kinds(request, include_inactive: bool = False):
    _require_reader(request.auth)
    kinds = RecordKind.objects.all()
    return kinds if include_inactive else kinds.filter(is_active=True)


@router.get("/kinds/{kind_id}", response=KindDetailOut, summary="台账类型详情（含各版本字段）")
def get_kind(request, kind_id: DbInt):
    _require_reader(request.auth)
    return _detail(get_object_or_404(RecordKind, pk=kind_id), request.auth)


@router.post("/kinds", response={201: KindDetailOut, 422: ErrorOut}, summary="新建台账类型（盟级管理员）")
def create_kind(request, payload: KindIn):
    _require_league_admin(request.auth)
    values = payload.dict()
    definitions = _definitions(payload.fields)
    form = KindForm(data=_form_data(values))
    refused = _check(form, definitions)
    if refused is not None:
        return refused
    kind = kind_create(actor=request.auth, fields=definitions, **form.attrs())
    return Status(201, _detail(kind, request.auth))


@router.patch("/kinds/{kind_id}", response={200: KindDetailOut, 422: ErrorOut}, summary="修改台账类型（盟级管理员）")
def update_kind(request, kind_id: DbInt, payload: KindPatch):
    _require_league_admin(request.auth)
    kind = get_object_or_404(RecordKind, pk=kind_id)
    sent = payload.dict(exclude_unset=True)
    if "fields" in sent and payload.fields is None:
        return Status(422, {"detail": [{"loc": ["body", "fields"], "msg": "字段“fields”应为列表。"}]})
    definitions = _definitions(payload.fields)
    form = KindForm(data=_form_data({**_current_values(kind), **{k: v for k, v in sent.items() if k != "fields"}}), instance=kind)
    refused = _check(form, definitions)
    if refused is not None:
        return refused
    kind = kind_update(actor=request.auth, kind=kind, fields=definitions, **form.attrs())
    return _detail(kind, request.auth)
