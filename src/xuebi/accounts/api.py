"""/api/v1/accounts: the 系统管理员's accounts — list, edit, link to the roster, open in bulk.

The same services and rules as the pages: only the 系统管理员; of the roster, only a person's
name and unit. Opening in bulk returns the initial passwords in its answer, the one time they
are given out; nothing keeps them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt, ErrorOut, LimitOffsetPagination, paginate
from xuebi.org.choices import Role
from xuebi.org.models import Person, Unit, User
from xuebi.org.scoping import has_role

from .services import accounts as services
from .services import opening
from .filters import UserFilter

router = Router(tags=["账号"])


def _require_sysadmin(request) -> None:
    if not has_role(request.auth, Role.SYSADMIN):
        raise PermissionDenied("只有系统管理员可以管理账号。")


def _require_opener(request) -> None:
    if not has_role(request.auth, *opening.OPENERS):
        raise PermissionDenied("只有系统管理员和盟级、单位管理员可以开通账号。")


class AccountOut(Schema):
    id: int
    username: str
    full_name: str
    is_active: bool
    must_change_password: bool
    last_login: dt.datetime | None
    date_joined: dt.datetime
    person_id: int | None
    person_name: str = ""
    unit_id: int | None = None
    unit_name: str = ""
    roles: list[str] = Field(default_factory=list, description="安全管理员授予的角色代码")
    roster_cadre: bool = Field(False, description="由花名册自动获得所在单位的干部角色（关联的人员是在职组工干部）")

    @staticmethod
    def resolve_person_name(obj: User):
        return obj.person.name if obj.person_id else ""

    @staticmethod
    def resolve_unit_id(obj: User):
        return obj.person.unit_id if obj.person_id else None

    @staticmethod
    def resolve_unit_name(obj: User):
        return obj.person.unit.name if obj.person_id else ""

    @staticmethod
    def resolve_roles(obj: User):
        return sorted({g.role for g in obj.role_grants.all()})

    @staticmethod
    def resolve_roster_cadre(obj: User):
        return obj.is_roster_cadre


def _accounts():
    return User.objects.select_related("person__unit").prefetch_related("role_grants")


@router.get("/accounts", response=list[AccountOut], summary="账号列表（系统管理员）")
@paginate(LimitOffsetPagination)
def list_accounts(
    request,
    search: str = "",
    unit_id: DbInt | None = None,
    linked: bool | None = None,
    signed_in: Literal["7", "30", "90", "stale", "never"] | None = None,
    is_active: bool | None = None,
):
    _require_sysadmin(request)
    data = {"q": search, "signed_in": signed_in or ""}
    if unit_id is not None:
        data["unit"] = get_object_or_404(Unit, pk=unit_id).pk
    if linked is not None:
        data["linked"] = "yes" if linked else "no"
    if is_active is not None:
        data["is_active"] = "yes" if is_active else "no"
    return UserFilter(data, queryset=_accounts().order_by("username")).qs


@router.get("/accounts/{account_id}", response=AccountOut, summary="账号详情（系统管理员）")
def get_account(request, account_id: DbInt):
    _require_sysadmin(request)
    return get_object_or_404(_accounts(), pk=account_id)


class AccountPatch(Schema):
    full_name: str | None = Field(None, max_length=50)
    is_active: bool | None = None
    person_id: DbInt | None = Field(None, description="关联的花名册人员；null 取消关联；不传则不变")


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person_id": "找不到该人员。"})
    return person


@router.patch("/accounts/{account_id}", response={200: AccountOut, 422: ErrorOut}, summary="修改账号：姓名、启用、关联人员")
def update_account(request, account_id: DbInt, payload: AccountPatch):
    _require_sysadmin(request)
    account = get_object_or_404(User, pk=account_id)
    given = payload.dict(exclude_unset=True)
    kwargs = {"full_name": given.get("full_name"), "is_active": given.get("is_active")}
    if "person_id" in given:
        kwargs["person"] = None if given["person_id"] is None else _person(given["person_id"])
    services.user_edit(actor=request.auth, user=account, **kwargs)
    return get_object_or_404(_accounts(), pk=account_id)


class LinkIn(Schema):
    person_id: DbInt


@router.post("/accounts/{account_id}/link", response={200: AccountOut, 422: ErrorOut}, summary="关联花名册人员")
def link_account(request, account_id: DbInt, payload: LinkIn):
    _require_sysadmin(request)
    account = get_object_or_404(User, pk=account_id)
    services.user_link_person(actor=request.auth, user=account, person=_person(payload.person_id))
    return get_object_or_404(_accounts(), pk=account_id)


@router.post("/accounts/{account_id}/unlink", response={200: AccountOut}, summary="取消关联花名册人员")
def unlink_account(request, account_id: DbInt):
    _require_sysadmin(request)
    account = get_object_or_404(User, pk=account_id)
    services.user_unlink_person(actor=request.auth, user=account)
    return get_object_or_404(_accounts(), pk=account_id)


class OpenPreviewIn(Schema):
    unit_id: DbInt | None = Field(None, description="单位（含下级）")
    person_ids: list[DbInt] = Field(default_factory=list, max_length=opening.MAX_BATCH, description="或：这些人员")
    without_account_only: bool = Field(False, description="不列出已有账号的人员")


class PlannedOut(Schema):
    person_id: int
    name: str
    unit: str
    username: str


class SkippedOut(Schema):
    person_id: int
    name: str
    unit: str
    reason: str


class OpenPreviewOut(Schema):
    accounts: list[PlannedOut]
    skipped: list[SkippedOut]


@router.post(
    "/account-openings/preview", response={200: OpenPreviewOut, 422: ErrorOut}, summary="批量开通账号：预览用户名（不写入）"
)
def open_preview(request, payload: OpenPreviewIn):
    _require_opener(request)
    unit = None
    if payload.unit_id is not None:
        unit = opening.opening_units(request.auth).filter(pk=payload.unit_id).first()
        if unit is None:
            raise ValidationError({"unit_id": "找不到该单位。"})
    plan = opening.accounts_open_preview(
        actor=request.auth, unit=unit, person_ids=payload.person_ids, without_account_only=payload.without_account_only
    )
    return {"accounts": plan.accounts, "skipped": plan.skipped}


class OpenIn(Schema):
    person_ids: list[DbInt] = Field(..., max_length=opening.MAX_BATCH)
    expected: dict[DbInt, str] | None = Field(
        None, description="预览得到的 {人员编号: 用户名}：与实际不符时拒绝（预览之后情况有变化）"
    )


class OpenedOut(Schema):
    user_id: int
    name: str
    unit: str
    username: str
    password: str = Field(..., description="初始密码：只在此响应中出现一次，首次登录须修改")


class OpenOut(Schema):
    accounts: list[OpenedOut]


@router.post("/account-openings", response={201: OpenOut, 422: ErrorOut}, summary="批量开通账号：确认（返回初始密码，仅此一次）")
def open_accounts(request, payload: OpenIn):
    _require_opener(request)
    opened = opening.accounts_open(actor=request.auth, person_ids=payload.person_ids, expected=payload.expected)
    return Status(201, {"accounts": opened})
