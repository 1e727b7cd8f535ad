"""/api/v1/checklists: items of the lists and pledges (read, create, change), their moves (报告进展,
申请验收, 验收, 退回, 撤销) and 践诺评价; the same services, selectors and scoping as the pages.
Evidence files are uploaded on the item's page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Router, Schema, Status

from xuebi.core.api import DbInt, ErrorOut, LimitOffsetPagination, paginate
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Person, Unit
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from . import selectors, services
from .models import Item, ListKind

router = Router(tags=["清单式管理"])

READERS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES)


def _require(user, *roles) -> None:
    if not has_role(user, *(roles or READERS)):
        raise PermissionDenied("您的角色无权访问此接口。")


class ItemOut(Schema):
    id: int
    kind: str
    kind_name: str
    unit_id: int
    title: str
    description: str
    responsible_unit_id: int
    responsible_unit: str
    responsible_person_id: int | None
    responsible_person: str
    leader: str
    start_date: dt.date | None
    due_date: dt.date | None
    priority: str
    supervision: str
    year: int
    status: str
    status_name: str
    percent: int
    overdue: bool
    closed_on: dt.date | None
    closed_late: bool
    pledge_grade: str
    pledge_comment: str

    @staticmethod
    def resolve_kind_name(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_responsible_unit(obj) -> str:
        return obj.responsible_unit.name

    @staticmethod
    def resolve_responsible_person(obj) -> str:
        return obj.responsible_person.name if obj.responsible_person_id else ""

    @staticmethod
    def resolve_status_name(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class EventOut(Schema):
    id: int
    move: str
    status_from: str
    status_to: str
    percent: int | None
    text: str
    actor: str
    at: dt.datetime
    files: list[dict]

    @staticmethod
    def resolve_actor(obj) -> str:
        return str(obj.actor)

    @staticmethod
    def resolve_files(obj) -> list[dict]:
        return [{"id": f.pk, "name": f.original_name, "url": f"/checklists/files/{f.pk}/"} for f in obj.files.all()]


class ItemIn(Schema):
    kind: str
    unit_id: DbInt
    title: str
    description: str = ""
    responsible_unit_id: DbInt
    responsible_person_id: DbInt | None = None
    leader: str = ""
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    priority: str = "normal"
    supervision: str = ""


class PledgeIn(Schema):
    title: str
    description: str = ""
    year: int | None = None
    due_date: dt.date | None = None


class MoveIn(Schema):
    move: str
    text: str = ""
    percent: int | None = None


class ReviewIn(Schema):
    grade: str
    comment: str = ""


def _unit(pk: int | None, field: str) -> Unit:
    unit = Unit.objects.filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise ValidationError({field: f"没有编号为 {pk} 的单位。"})
    return unit


def _person(pk: int | None) -> Person | None:
    if pk is None:
        return None
    person = Person.objects.filter(pk=pk).select_related("unit").first()
    if person is None:
        raise ValidationError({"responsible_person_id": f"没有编号为 {pk} 的人员。"})
    return person


def _data(payload: ItemIn) -> services.ItemData:
    return services.ItemData(
        kind=payload.kind,
        unit=_unit(payload.unit_id, "unit_id"),
        title=payload.title,
        description=payload.description,
        responsible_unit=_unit(payload.responsible_unit_id, "responsible_unit_id"),
        responsible_person=_person(payload.responsible_person_id),
        leader=payload.leader,
        start_date=payload.start_date,
        due_date=payload.due_date,
        priority=payload.priority,
        supervision=payload.supervision,
    )


def _one(pk: int) -> Item:
    return Item.objects.select_related("responsible_unit", "responsible_person").get(pk=pk)


@router.get("/items", response=list[ItemOut], summary="您能看到的清单事项（本人负责的；管理员：本单位及下属单位）")
@paginate(LimitOffsetPagination)
def item_list(request, kind: str = "", status: str = "", year: DbInt | None = None, mine: bool = False):
    _require(request.auth)
    rows = selectors.scoped(request.auth, kind=kind if kind in ListKind.values else "", year=year)
    if status:
        rows = rows.filter(status=status)
    if mine:
        rows = rows.filter(responsible_person_id=request.auth.person_id or 0)
    return rows.order_by("due_date", "pk")


@router.post("/items", response={201: ItemOut, 403: ErrorOut, 422: ErrorOut}, summary="新建清单事项（单位管理员）")
def item_create(request, payload: ItemIn):
    _require(request.auth, *ADMIN_ROLES)
    item = services.save_item(actor=request.auth, data=_data(payload))
    return Status(201, _one(item.pk))


@router.get("/items/{int:pk}", response=ItemOut, summary="清单事项详情")
def item_detail(request, pk: DbInt):
    _require(request.auth)
    return _one(get_visible_or_404(Item, request.auth, pk).pk)


@router.put("/items/{int:pk}", response={200: ItemOut, 403: ErrorOut, 422: ErrorOut}, summary="修改清单事项（未销号的）")
def item_update(request, pk: DbInt, payload: ItemIn):
    _require(request.auth, *ADMIN_ROLES)
    item = get_visible_or_404(Item, request.auth, pk, "edit")
    services.save_item(actor=request.auth, data=_data(payload), item=item)
    return _one(pk)


@router.get("/items/{int:pk}/events", response=list[EventOut], summary="进展记录")
def item_events(request, pk: DbInt):
    _require(request.auth)
    return selectors.events_of(get_visible_or_404(Item, request.auth, pk))


@router.post(
    "/items/{int:pk}/moves",
    response={201: EventOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="报告进展、申请验收（责任人）；验收通过、退回、撤销（清单所属单位管理员）",
)
def item_move(request, pk: DbInt, payload: MoveIn):
    _require(request.auth)
    item = get_visible_or_404(Item, request.auth, pk)
    event = services.move(actor=request.auth, item=item, move=payload.move, text=payload.text, percent=payload.percent)
    return Status(201, event)


@router.post("/pledges", response={201: ItemOut, 403: ErrorOut, 422: ErrorOut}, summary="作出承诺（本人）")
def pledge_create(request, payload: PledgeIn):
    _require(request.auth)
    item = services.save_pledge(
        actor=request.auth,
        title=payload.title,
        description=payload.description,
        year=payload.year or timezone.localdate().year,
        due_date=payload.due_date,
    )
    return Status(201, _one(item.pk))


@router.post(
    "/items/{int:pk}/review",
    response={200: ItemOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="践诺评价（承诺人所在单位管理员）",
)
def pledge_review(request, pk: DbInt, payload: ReviewIn):
    _require(request.auth, *ADMIN_ROLES)
    item = get_visible_or_404(Item, request.auth, pk, "edit")
    services.review_pledge(actor=request.auth, item=item, grade=payload.grade, comment=payload.comment)
    return _one(pk)
