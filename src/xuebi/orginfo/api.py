"""/api/v1/orginfo: 组工信息 — items (CRUD: a DELETE removes a draft; a sent item is withdrawn),
their adoptions (recorded and undone by the league department) and the ranking of the county
departments. The same services, selectors and scoping as the pages."""

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

from . import ranking as rk
from . import selectors, services
from .models import Adoption, InfoItem

router = Router(tags=["组工信息"])

READERS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES)
WRITERS = (Role.CADRE, *ADMIN_ROLES)


def _require(user, *roles) -> None:
    if not has_role(user, *(roles or READERS)):
        raise PermissionDenied("您的角色无权访问此接口。")


class AdoptionOut(Schema):
    id: int
    item_id: int
    outlet: str
    outlet_name: str
    outlet_label: str
    length: str
    length_name: str
    length_overridden: bool
    key: str
    instruction: str
    adopted_on: dt.date
    note: str
    recorded_by: str
    standing: bool
    undone_at: dt.datetime | None
    undo_reason: str

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return str(obj.recorded_by)

    @staticmethod
    def resolve_standing(obj) -> bool:
        return obj.is_standing


class ItemOut(Schema):
    id: int
    unit_id: int
    unit: str
    title: str
    text: str
    submitted_on: dt.date
    chars: int
    status: str
    authors: list[dict]
    submitted_by: str
    adoptions: list[dict]

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_authors(obj) -> list[dict]:
        return [{"id": row.person_id, "name": row.person.name} for row in obj.author_rows.all()]

    @staticmethod
    def resolve_submitted_by(obj) -> str:
        return str(obj.submitted_by)

    @staticmethod
    def resolve_adoptions(obj) -> list[dict]:
        rows = getattr(obj, "standing", None)
        if rows is None:
            rows = list(obj.adoptions.standing())
        return [
            {"id": a.pk, "outlet": a.outlet, "key": a.key, "instruction": a.instruction, "adopted_on": a.adopted_on} for a in rows
        ]


class ItemIn(Schema):
    unit_id: DbInt
    title: str
    text: str
    submitted_on: dt.date | None = None
    author_ids: list[DbInt]
    submit: bool = False


class ItemPatch(Schema):
    unit_id: DbInt | None = None
    title: str | None = None
    text: str | None = None
    submitted_on: dt.date | None = None
    author_ids: list[DbInt] | None = None
    submit: bool = False


class AdoptionIn(Schema):
    outlet: str
    adopted_on: dt.date | None = None
    length: str = ""
    instruction: str = ""
    note: str = ""


class UndoIn(Schema):
    reason: str


def _authors(ids: list[int]) -> list[Person]:
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("unit")}
    missing = [pk for pk in ids if pk not in people]
    if missing:
        raise ValidationError({"author_ids": f"没有编号为 {missing[0]} 的人员。"})
    return [people[pk] for pk in ids]


def _unit(pk: int) -> Unit | None:
    return Unit.objects.filter(pk=pk).first()


def _item(pk: int) -> InfoItem:
    return selectors.with_people(InfoItem.objects.filter(pk=pk)).get()


@router.get("/items", response=list[ItemOut], summary="您能看到的组工信息（本旗县市区；盟级管理员：全部）")
@paginate(LimitOffsetPagination)
def item_list(request, status: str = "", unit_id: DbInt | None = None):
    _require(request.auth)
    rows = selectors.items(request.auth)
    if status:
        rows = rows.filter(status=status)
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    return rows


@router.post("/items", response={201: ItemOut, 403: ErrorOut, 422: ErrorOut}, summary="新建组工信息（submit=true 即报送）")
def item_create(request, payload: ItemIn):
    _require(request.auth, *WRITERS)
    item = services.item_save(
        actor=request.auth,
        unit=_unit(payload.unit_id),
        title=payload.title,
        text=payload.text,
        submitted_on=payload.submitted_on or timezone.localdate(),
        authors=_authors(payload.author_ids),
        submit=payload.submit,
    )
    return Status(201, _item(item.pk))


@router.get("/items/{int:pk}", response=ItemOut, summary="组工信息详情")
def item_detail(request, pk: DbInt):
    _require(request.auth)
    return _item(get_visible_or_404(InfoItem, request.auth, pk).pk)


@router.patch("/items/{int:pk}", response={200: ItemOut, 403: ErrorOut, 422: ErrorOut}, summary="修改组工信息（采用前）")
def item_update(request, pk: DbInt, payload: ItemPatch):
    _require(request.auth, *WRITERS)
    item = get_visible_or_404(InfoItem, request.auth, pk, "change")
    authors = [row.person for row in item.author_rows.select_related("person")]
    services.item_save(
        actor=request.auth,
        item=item,
        unit=_unit(payload.unit_id) if payload.unit_id is not None else item.unit,
        title=payload.title if payload.title is not None else item.title,
        text=payload.text if payload.text is not None else item.text,
        submitted_on=payload.submitted_on or item.submitted_on,
        authors=_authors(payload.author_ids) if payload.author_ids is not None else authors,
        submit=payload.submit,
    )
    return _item(pk)


@router.delete("/items/{int:pk}", response={204: None, 403: ErrorOut, 422: ErrorOut}, summary="删除草稿（已报送的请撤回）")
def item_delete(request, pk: DbInt):
    _require(request.auth, *WRITERS)
    services.item_delete(actor=request.auth, item=get_visible_or_404(InfoItem, request.auth, pk, "change"))
    return Status(204, None)


@router.post("/items/{int:pk}/withdraw", response={200: ItemOut, 403: ErrorOut, 422: ErrorOut}, summary="撤回（采用前）")
def item_withdraw(request, pk: DbInt):
    _require(request.auth, *WRITERS)
    services.item_withdraw(actor=request.auth, item=get_visible_or_404(InfoItem, request.auth, pk, "change"))
    return _item(pk)


@router.get("/items/{int:pk}/adoptions", response=list[AdoptionOut], summary="采用登记（含已撤销的）")
def adoption_list(request, pk: DbInt):
    _require(request.auth)
    item = get_visible_or_404(InfoItem, request.auth, pk)
    return list(item.adoptions.select_related("recorded_by").order_by("adopted_on", "pk"))


@router.post(
    "/items/{int:pk}/adoptions",
    response={201: AdoptionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="登记采用（盟级管理员；不能登记本人报送或撰写的信息）",
)
def adoption_create(request, pk: DbInt, payload: AdoptionIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    item = get_visible_or_404(InfoItem, request.auth, pk, "adopt")
    adoption = services.adoption_record(
        actor=request.auth,
        item=item,
        outlet=payload.outlet,
        adopted_on=payload.adopted_on,
        length=payload.length,
        instruction=payload.instruction,
        note=payload.note,
    )
    return Status(201, adoption)


@router.post(
    "/adoptions/{int:pk}/undo",
    response={200: AdoptionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="撤销采用登记（盟级管理员；积分冲销）",
)
def adoption_undo(request, pk: DbInt, payload: UndoIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    adoption = get_visible_or_404(Adoption, request.auth, pk, "change")
    return services.adoption_undo(actor=request.auth, adoption=adoption, reason=payload.reason)


class RankingRowOut(Schema):
    rank: int
    unit_id: int
    unit: str
    submitted: int
    adopted: dict[str, int]
    quota_adopted: int
    instructions: int
    points: str
    quota_met: bool
    shortfalls: list[str]


class RankingOut(Schema):
    period: str
    label: str
    start: dt.date
    end: dt.date
    quota: dict
    outlets: list[dict]
    rows: list[RankingRowOut]


@router.get(
    "/ranking",
    response={200: RankingOut, 403: ErrorOut, 422: ErrorOut},
    summary="旗县市区组工信息采用排名（月度 2026-11 或季度 2026-Q4）",
)
def ranking(request, period: str = ""):
    _require(request.auth, *ADMIN_ROLES)
    result = selectors.ranking(rk.parse_period(period, today=timezone.localdate()))
    return {
        "period": result.period.code,
        "label": result.period.label,
        "start": result.period.start,
        "end": result.period.end,
        "quota": {"items": result.quota.items, "adopted": result.quota.adopted},
        "outlets": [{"code": o.code, "name": o.name, "label": o.label} for o in result.outlets],
        "rows": [
            {
                "rank": r.rank,
                "unit_id": r.tally.unit_id,
                "unit": r.tally.name,
                "submitted": r.tally.submitted,
                "adopted": r.tally.adopted,
                "quota_adopted": r.tally.quota_adopted,
                "instructions": r.tally.instructions,
                "points": f"{r.tally.points:f}",
                "quota_met": r.quota_met,
                "shortfalls": r.shortfalls,
            }
            for r in result.rows
        ],
    }
