"""/api/v1/study/…: the same forms, services, scoping and selectors as the study pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt, LimitOffsetPagination, paginate
from xuebi.core.forms import add_validation_error, error_detail
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.choices import BUSINESS_ROLES
from xuebi.org.models import Unit
from xuebi.org.scoping import has_role

from . import selectors, services
from .choices import NoteKind
from .forms import StudyNoteForm, StudyPlanForm, StudyPlanItemFormSet, StudyProgressForm
from .models import READ_ROLES, StudyItem, StudyList, StudyNote, StudyPlan, StudyPlanItem

router = Router(tags=["学习清单"])


def _require(request, *roles) -> None:
    if not has_role(request.auth, *roles):
        raise PermissionDenied("您的角色无权访问此接口。")


def _hours(value) -> float:
    return float(selectors.tenths(value))


# --- schemas ----------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    title: str
    material_type: str
    material_type_display: str = Field(..., alias="get_material_type_display")
    source: str
    required_hours: float
    due_date: dt.date
    order: int
    hours_done: float | None = Field(None, description="本人已学学时（清单下发给本人时）")
    is_complete: bool | None = None
    is_overdue: bool | None = None

    @staticmethod
    def resolve_hours_done(obj):
        value = getattr(obj, "hours_done", None)
        return None if value is None else _hours(value)


class ListOut(Schema):
    id: int
    title: str
    description: str
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    status: str
    published_at: dt.datetime | None
    target_unit_ids: list[int]
    item_count: int

    @staticmethod
    def resolve_target_unit_ids(obj):
        return [u.pk for u in obj.target_units.all()]


class ListDetailOut(ListOut):
    reaches_me: bool
    items: list[ItemOut] = Field(..., alias="items_out")


class ProgressIn(Schema):
    """学习日期 may be typed as people type it (2026-11-20, 2026.11.20, 2026年11月20日)."""

    item_id: DbInt
    hours: float | str
    studied_on: str = Field("", description="不填为今天")
    note: str = ""


class ProgressOut(Schema):
    id: int
    item_id: int
    person_id: int
    hours: float
    studied_on: dt.date
    note: str
    item_hours_done: float
    item_complete: bool


class CompletionItemOut(Schema):
    id: int
    title: str
    required_hours: float
    due_date: dt.date
    completed: int
    percent: int
    overdue: int


class CompletionUnitOut(Schema):
    unit_id: int | None
    unit_name: str
    is_root: bool
    reached: int
    complete: int
    percent: int
    overdue: int


class CompletionPersonOut(Schema):
    person_id: int
    name: str
    unit_id: int
    unit_name: str
    hours_done: float
    items_done: int
    items_overdue: int
    complete: bool


class CompletionOut(Schema):
    list_id: int
    reached: int
    complete: int
    percent: int
    overdue: int
    item_count: int
    required_hours: float
    items: list[CompletionItemOut]
    by_unit: list[CompletionUnitOut]
    by_person: list[CompletionPersonOut]


class PlanItemIn(Schema):
    text: str
    due_date: str = ""
    done: bool = False


class PlanIn(Schema):
    year: DbInt
    title: str
    goals: str = ""
    target_hours: float | str = "0"
    items: list[PlanItemIn] = []


class PlanItemOut(Schema):
    id: int
    text: str
    due_date: dt.date | None
    done: bool


class PlanOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(..., alias="person.name")
    year: int
    title: str
    goals: str
    target_hours: float
    items: list[PlanItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class NoteIn(Schema):
    kind: str = NoteKind.NOTE
    title: str
    body: str
    item_id: DbInt | None = None


class NoteOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(..., alias="person.name")
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    title: str
    body: str
    item_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ErrorOut(Schema):
    detail: list[dict] | str


# --- errors -----------------------------------------------------------------------------------


def _form_errors(*forms, rename: dict | None = None) -> dict:
    """422 body: one {"loc", "msg"} per message, the message naming the field as the page would."""
    return {"detail": [d for form in forms for d in error_detail(form, rename=rename)]}


# --- lists ------------------------------------------------------------------------------------


def _lists(request):
    return (
        StudyList.objects.visible_to(request.auth)
        .select_related("unit")
        .annotate(item_count=Count("items"))
        .prefetch_related(Prefetch("target_units", queryset=Unit.objects.only("pk", "path")))
        .order_by("-pk")
    )


@router.get("/study/lists", response=list[ListOut], summary="学习清单列表（下发给本人的，及管理范围内的）")
@paginate(LimitOffsetPagination)
def list_lists(request, status: str = ""):
    _require(request, *BUSINESS_ROLES)
    lists = _lists(request)
    if status:
        lists = lists.filter(status=status)
    return lists


@router.get("/study/lists/{list_id}", response=ListDetailOut, summary="学习清单详情：学习内容及本人进度")
def get_list(request, list_id: DbInt):
    _require(request, *BUSINESS_ROLES)
    study_list = get_object_or_404(_lists(request), pk=list_id)
    user = request.auth
    study_list.reaches_me = bool(user.person_id) and StudyList.objects.reaching(user.person_id).filter(pk=list_id).exists()
    items = study_list.items.all()
    if study_list.reaches_me:
        items = selectors.items_with_progress(items, user.person_id)
    study_list.items_out = list(items)
    return study_list


@router.post("/study/progress", response={201: ProgressOut, 422: ErrorOut}, summary="登记学习进度（本人）")
def log_progress(request, payload: ProgressIn):
    _require(request, *BUSINESS_ROLES)
    user = request.auth
    if not user.person_id:
        raise PermissionDenied("您的账号没有关联花名册人员，不能登记学习。")
    item = get_object_or_404(StudyItem.objects.visible_to(user).reaching(user.person_id), pk=payload.item_id)
    data = payload.dict()
    form = StudyProgressForm(
        {"hours": str(data["hours"]), "studied_on": data["studied_on"] or timezone.localdate().isoformat(), "note": data["note"]}
    )
    if form.is_valid():
        try:
            progress = services.study_progress_log(
                actor=user,
                item=item,
                hours=form.cleaned_data["hours"],
                studied_on=form.cleaned_data["studied_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="hours")
        else:
            mine = selectors.items_with_progress(StudyItem.objects.filter(pk=item.pk), user.person_id).get()
            return Status(
                201,
                {
                    "id": progress.pk,
                    "item_id": item.pk,
                    "person_id": progress.person_id,
                    "hours": _hours(progress.hours),
                    "studied_on": progress.studied_on,
                    "note": progress.note,
                    "item_hours_done": _hours(mine.hours_done),
                    "item_complete": mine.is_complete,
                },
            )
    return Status(422, _form_errors(form))


@router.get("/study/lists/{list_id}/completion", response=CompletionOut, summary="学习清单完成情况（管理员、审核员）")
def list_completion(request, list_id: DbInt, unit_id: DbInt | None = None, state: str = ""):
    _require(request, *READ_ROLES)
    study_list = get_visible_or_404(StudyList, request.auth, list_id)
    unit = get_visible_or_404(Unit, request.auth, unit_id) if unit_id is not None else None
    report = selectors.completion(study_list, request.auth, unit=unit, state=state if state in selectors.PERSON_STATES else "")
    return {
        "list_id": study_list.pk,
        "reached": report.reached,
        "complete": report.complete,
        "percent": report.percent,
        "overdue": report.overdue,
        "item_count": report.item_count,
        "required_hours": _hours(report.required_hours),
        "items": [
            {
                "id": i.pk,
                "title": i.title,
                "required_hours": _hours(i.required_hours),
                "due_date": i.due_date,
                "completed": i.completed,
                "percent": i.percent,
                "overdue": i.overdue,
            }
            for i in report.items
        ],
        "by_unit": [
            {
                "unit_id": r.unit.pk if r.unit else None,
                "unit_name": r.unit.name if r.unit else "",
                "is_root": r.is_root,
                "reached": r.reached,
                "complete": r.complete,
                "percent": r.percent,
                "overdue": r.overdue,
            }
            for r in report.by_unit
        ],
        "by_person": [
            {
                "person_id": p.pk,
                "name": p.name,
                "unit_id": p.unit_id,
                "unit_name": p.unit.name,
                "hours_done": _hours(p.hours_done),
                "items_done": p.items_done,
                "items_overdue": p.items_overdue,
                "complete": p.items_done >= report.item_count,
            }
            for p in report.people
        ],
    }


# --- plans ------------------------------------------------------------------------------------


@router.get("/study/plans", response=list[PlanOut], summary="学习计划（本人的，及管理范围内人员的，只读）")
@paginate(LimitOffsetPagination)
def list_plans(request, year: DbInt | None = None, person_id: DbInt | None = None):
    _require(request, *BUSINESS_ROLES)
    plans = (
        StudyPlan.objects.visible_to(request.auth)
        .select_related("person")
        .prefetch_related(Prefetch("items", queryset=StudyPlanItem.objects.order_by("order", "pk")))
    )
    if year is not None:
        plans = plans.filter(year=year)
    if person_id is not None:
        plans = plans.filter(person_id=person_id)
    return plans


@router.post("/study/plans", response={201: PlanOut, 422: ErrorOut}, summary="新建本人的学习计划")
def create_plan(request, payload: PlanIn):
    _require(request, *BUSINESS_ROLES)
    if not request.auth.person_id:
        raise PermissionDenied("您的账号没有关联花名册人员，不能填写学习计划。")
    data = payload.dict()
    form = StudyPlanForm(
        {"year": data["year"], "title": data["title"], "goals": data["goals"], "target_hours": str(data["target_hours"])}
    )
    steps = {"steps-TOTAL_FORMS": str(len(data["items"])), "steps-INITIAL_FORMS": "0"}
    for n, step in enumerate(data["items"]):
        steps |= {f"steps-{n}-text": step["text"], f"steps-{n}-due_date": step["due_date"]}
        if step["done"]:
            steps[f"steps-{n}-done"] = "on"
    formset = StudyPlanItemFormSet(steps, prefix="steps")
    if not (form.is_valid() & formset.is_valid()):
        detail = _form_errors(form)["detail"]
        detail += [{"loc": ["body", "items"], "msg": line} for line in formset.error_lines()]
        detail += [{"loc": ["body", "items"], "msg": str(e)} for e in formset.non_form_errors()]
        return Status(422, {"detail": detail})
    cleaned = form.cleaned_data
    plan = services.study_plan_save(
        actor=request.auth,
        year=cleaned["year"],
        title=cleaned["title"],
        goals=cleaned["goals"],
        target_hours=cleaned["target_hours"],
        items=formset.steps(),
    )
    return Status(201, StudyPlan.objects.select_related("person").get(pk=plan.pk))


# --- notes ------------------------------------------------------------------------------------


@router.get("/study/notes", response=list[NoteOut], summary="学习笔记与心得体会（本人的，及管理范围内人员的，只读）")
@paginate(LimitOffsetPagination)
def list_notes(request, kind: str = "", person_id: DbInt | None = None):
    _require(request, *BUSINESS_ROLES)
    notes = StudyNote.objects.visible_to(request.auth).select_related("person")
    if kind:
        notes = notes.filter(kind=kind)
    if person_id is not None:
        notes = notes.filter(person_id=person_id)
    return notes


@router.post("/study/notes", response={201: NoteOut, 422: ErrorOut}, summary="写学习笔记或心得体会（本人）")
def create_note(request, payload: NoteIn):
    _require(request, *BUSINESS_ROLES)
    user = request.auth
    if not user.person_id:
        raise PermissionDenied("您的账号没有关联花名册人员，不能写学习笔记。")
    data = payload.dict()
    form = StudyNoteForm(
        {"kind": data["kind"], "title": data["title"], "body": data["body"], "item": data["item_id"] or ""},
        person_id=user.person_id,
    )
    if form.is_valid():
        cleaned = form.cleaned_data
        try:
            note = services.study_note_save(
                actor=user, kind=cleaned["kind"], title=cleaned["title"], body=cleaned["body"], item=cleaned["item"]
            )
        except ValidationError as exc:
            add_validation_error(form, exc)
        else:
            return Status(201, StudyNote.objects.select_related("person").get(pk=note.pk))
    return Status(422, _form_errors(form, rename={"item": "item_id"}))
