from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt, LimitOffsetPagination, paginate
from xuebi.core.forms import error_detail, validation_detail
from xuebi.org.permissions import get_visible_or_404

from . import medals
from .services import medals as medal_services
from .services import people as services
from .choices import Role
from .forms import PERSON_FIELDS, MedalIssueForm, MedalQueryForm, PersonForm
from .scoping import has_role
from .models import Person, Unit
from .selectors import roles_held

router = Router(tags=["组织与人员"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    code: str
    depth: int
    parent_id: int | None
    is_active: bool

    @staticmethod
    def resolve_parent_id(obj: Unit):
        return getattr(obj, "_parent_id", None)


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date | None
    id_number: str = Field(..., alias="id_number_masked", description="脱敏显示：前6位和后4位")
    phone: str = Field(..., alias="phone_masked", description="脱敏显示")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    position: str
    rank: str
    education: str
    political_status: str
    joined_party_date: dt.date | None
    full_member_date: dt.date | None
    work_start_date: dt.date | None
    is_org_cadre: bool
    status: str


class PersonIn(Schema):
    """Dates may be written as people type them (2021-07-01, 2021.7.1, 2021年7月1日, 2021年7月)."""

    name: str
    unit_id: DbInt
    id_number: str = ""
    sex: str = ""
    ethnicity: str = Field("", description="必填：民族（如 汉族、蒙古族）；没有默认值")
    birth_date: str = ""
    phone: str = ""
    position: str = ""
    rank: str = ""
    education: str = ""
    political_status: str = "member"
    joined_party_date: str = ""
    full_member_date: str = ""
    work_start_date: str = ""
    is_org_cadre: bool = True


class PersonPatch(Schema):
    name: str | None = None
    unit_id: DbInt | None = None
    id_number: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    birth_date: str | None = None
    phone: str | None = None
    position: str | None = None
    rank: str | None = None
    education: str | None = None
    political_status: str | None = None
    joined_party_date: str | None = None
    full_member_date: str | None = None
    work_start_date: str | None = None
    is_org_cadre: bool | None = None


class ErrorOut(Schema):
    detail: list[dict] | str


def _with_parents(units):
    units = list(units)
    paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    parents = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))
    for u in units:
        u._parent_id = parents.get(u.path[: -Unit.steplen])
    return units


@router.get("/units", response=list[UnitOut], summary="单位列表（本人可见范围）")
@paginate(LimitOffsetPagination)
def list_units(request, search: str = "", include_inactive: bool = False):
    units = Unit.objects.visible_to(request.auth)
    if not include_inactive:
        units = units.filter(is_active=True)
    if search:
        units = units.filter(name__contains=search)
    return _LazyParents(units)


class _LazyParents:
    """Lets the paginator slice first, then resolves parent ids for just that page."""

    def __init__(self, qs):
        self.qs = qs

    def __getitem__(self, item):
        return _with_parents(self.qs[item])

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情")
def get_unit(request, unit_id: DbInt):
    return _with_parents([get_visible_or_404(Unit, request.auth, unit_id)])[0]


@router.get("/people", response=list[PersonOut], summary="人员列表：按姓名、全拼或拼音首字母搜索")
@paginate(LimitOffsetPagination)
def list_people(request, search: str = "", unit_id: DbInt | None = None, status: str = ""):
    people = Person.objects.visible_to(request.auth).select_related("unit").search(search)
    if unit_id is not None:
        unit = get_visible_or_404(Unit, request.auth, unit_id)
        people = people.filter(unit__path__startswith=unit.path)
    if status:
        people = people.filter(status=status)
    return people


@router.get("/people/{person_id}", response=PersonOut, summary="人员详情")
def get_person(request, person_id: DbInt):
    return get_object_or_404(Person.objects.visible_to(request.auth).select_related("unit"), pk=person_id)


def _form_data(payload: dict) -> dict:
    data = {k: ("" if v is None else v) for k, v in payload.items()}
    data["unit"] = data.pop("unit_id", "")
    if "is_org_cadre" in data:
        data["is_org_cadre"] = "on" if data["is_org_cadre"] else ""
    return data


def _errors(form: PersonForm) -> dict:
    return {"detail": error_detail(form, rename={"unit": "unit_id"})}


@router.post("/people", response={201: PersonOut, 422: ErrorOut}, summary="新建人员")
def create_person(request, payload: PersonIn):
    if not Unit.objects.visible_to(request.auth, "change").exists():
        # Reviewers, cadres, judges and 三员 manage no roster at all: say so, not "pick another unit".
        raise PermissionDenied("您的角色无权新建人员。")
    form = PersonForm(data=_form_data(payload.dict()), user=request.auth)
    if not form.is_valid():
        return Status(422, _errors(form))
    person = services.person_create(actor=request.auth, values=form.person_values())
    return Status(201, Person.objects.select_related("unit").get(pk=person.pk))


@router.patch("/people/{person_id}", response={200: PersonOut, 422: ErrorOut}, summary="修改人员")
def update_person(request, person_id: DbInt, payload: PersonPatch):
    # Looked up for "change", as the page does (org:person_edit): a person the caller may not change —
    # another county's, or one a reviewer or a cadre only sees — answers 404, the same as a missing one.
    person = get_visible_or_404(Person, request.auth, person_id, "change")
    current = PersonForm(instance=person, user=request.auth)
    data = {}
    for name in PERSON_FIELDS:
        initial = current.initial.get(name)
        data[name] = current.fields[name].prepare_value(initial) if initial is not None else ""
    data["is_org_cadre"] = "on" if person.is_org_cadre else ""
    data.update(_form_data(payload.dict(exclude_unset=True)))
    if "unit" in data and data["unit"] == "":
        data["unit"] = person.unit_id
    form = PersonForm(data=data, instance=person, user=request.auth)
    if not form.is_valid():
        return Status(422, _errors(form))
    services.person_update(actor=request.auth, person=person, values=form.person_values())
    return Person.objects.select_related("unit").get(pk=person.pk)


class MeOut(Schema):
    username: str
    full_name: str
    # {role, role_display, unit_id, unit_name, source}: source "grant" (a 角色授权 by the 安全管理员)
    # or "roster" (the cadre role a linked 组工干部 holds on their unit without one).
    roles: list[dict]
    person: PersonOut | None


@router.get("/me", response=MeOut, summary="当前账号")
def me(request):
    user = request.auth
    person = Person.objects.select_related("unit").filter(pk=user.person_id).first() if user.person_id else None
    return {"username": user.username, "full_name": user.full_name, "roles": roles_held(user), "person": person}


# --- 光荣在党50年纪念章 ----------------------------------------------------------------------


class MedalCandidateOut(Schema):
    person_id: int
    name: str
    unit: str
    full_member_date: str
    counted_from: dt.date
    party_years: int
    status: str
    issued: bool
    issued_on: dt.date | None
    issued_by_unit: str | None
    medal_id: int | None


class MedalIssueIn(Schema):
    person_ids: list[DbInt]
    issued_on: str
    unit_id: DbInt
    cutoff: str = ""


def _medal_admin(user) -> None:
    if not has_role(user, Role.LEAGUE_ADMIN, Role.UNIT_ADMIN):
        raise PermissionDenied("您的角色无权访问此接口。")


def _medal_out(c: medals.Candidate) -> dict:
    return {
        "person_id": c.person.pk,
        "name": c.person.name,
        "unit": c.unit_label,
        "full_member_date": c.full_member_text,
        "counted_from": c.counted_from,
        "party_years": c.years,
        "status": c.person.get_status_display(),
        "issued": c.medal is not None,
        "issued_on": c.medal.issued_on if c.medal else None,
        "issued_by_unit": c.medal.unit.name if c.medal else None,
        "medal_id": c.medal.pk if c.medal else None,
    }


def _medal_form(user, **params) -> MedalQueryForm:
    return MedalQueryForm({k: v for k, v in params.items() if v not in (None, "")}, user=user)


@router.get(
    "/medals",
    response={200: list[MedalCandidateOut], 422: ErrorOut},
    summary="光荣在党50年纪念章名单：截至 cutoff（默认当年7月1日）党龄满50年的健在党员及颁发情况",
)
@paginate(LimitOffsetPagination)
def medal_list(request, cutoff: str = "", unit_id: DbInt | None = None, issued: str = ""):
    _medal_admin(request.auth)
    form = _medal_form(request.auth, cutoff=cutoff, unit=unit_id, issued=issued)
    if not form.is_valid():
        raise ValidationError({name: errors for name, errors in form.errors.items()})
    return [_medal_out(c) for c in medals.candidates(request.auth, **form.question(timezone.localdate()))]


@router.post(
    "/medals/issue",
    response={201: list[MedalCandidateOut], 422: ErrorOut},
    summary="登记颁发光荣在党50年纪念章（日期、颁发单位）",
)
def medal_issue(request, payload: MedalIssueIn):
    _medal_admin(request.auth)
    query = _medal_form(request.auth, cutoff=payload.cutoff)
    issue = MedalIssueForm({"issued_on": payload.issued_on, "unit": payload.unit_id}, user=request.auth)
    if not query.is_valid() or not issue.is_valid():
        return Status(
            422, {"detail": error_detail(query, rename={"unit": "unit_id"}) + error_detail(issue, rename={"unit": "unit_id"})}
        )
    cutoff = query.question(timezone.localdate())["cutoff"]
    try:
        medal_services.medals_issue(
            actor=request.auth,
            person_ids=payload.person_ids,
            issued_on=issue.cleaned_data["issued_on"].date,
            unit=issue.cleaned_data["unit"],
            cutoff=cutoff,
        )
    except ValidationError as exc:
        return Status(422, {"detail": validation_detail(exc)})
    wanted = set(payload.person_ids)
    return Status(201, [_medal_out(c) for c in medals.candidates(request.auth, cutoff) if c.person.pk in wanted])
