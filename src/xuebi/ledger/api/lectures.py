"""/api/v1/ledger/lectures…: 业务讲堂 series and sessions, through the same forms, selectors, services
and scoping as the pages (``views.lectures``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt, LimitOffsetPagination, paginate
from xuebi.org.models import Person, Unit

from .. import schema
from ..choices import LectureStatus
from ..forms.lectures import SessionHeldForm, SessionPlanForm
from ..models import LectureSeries, LectureSession
from ..selectors import lectures as selectors
from ..services import lectures as services
from .common import ErrorOut, errors, form_errors, require

router = Router(tags=["台账统计与业务讲堂"])


# --- 业务讲堂 -------------------------------------------------------------------------------------


class SeriesOut(Schema):
    id: int
    title: str
    unit_id: int
    unit_name: str
    is_active: bool
    held: int = 0
    member_count: int = 0

    @staticmethod
    def resolve_unit_name(obj):
        return obj["unit_name"] if isinstance(obj, dict) else obj.unit.name


class MemberOut(Schema):
    position: int
    person_id: int
    name: str
    held: int
    planned: int


class SessionOut(Schema):
    id: int
    planned_on: dt.date
    topic: str
    status: str
    presenter_id: int
    presenter_name: str = Field(..., alias="presenter.name")
    absentee_ids: list[int]
    record_id: int | None

    @staticmethod
    def resolve_absentee_ids(obj: LectureSession):
        return sorted(p.pk for p in obj.absentees.all())


class SeriesDetailOut(SeriesOut):
    next_presenter_id: int | None
    next_presenter_name: str | None
    members: list[MemberOut]
    sessions: list[SessionOut]


class SeriesIn(Schema):
    unit_id: DbInt
    title: str
    member_ids: list[DbInt] | None = Field(None, description="按轮换顺序；不填为该单位全部在职人员")


class MembersIn(Schema):
    person_ids: list[DbInt] = Field(..., description="按轮换顺序")


class SessionPlanIn(Schema):
    planned_on: str = Field(..., description="日期，如 2026-03-05 或 2026年3月5日")
    topic: str = ""
    presenter_id: DbInt | None = Field(None, description="不填则按轮换规则安排")


class AbsenteesIn(Schema):
    person_ids: list[DbInt]


class HeldIn(Schema):
    held_on: str | None = Field(None, description="举办日期；不填为计划日期")
    topic: str | None = None
    hours: Decimal | None = None
    study_level: str = ""
    data: dict = Field(default_factory=dict, description="台账类型的其他字段，按字段键（见 GET /kinds）")


class HeldOut(Schema):
    session: SessionOut
    record_id: int
    record_status: str = Field(..., description="submitted 已提交审核；draft：该类型须上传佐证材料，请上传后提交")


def _series_detail(series: LectureSeries) -> dict:
    members = list(series.members.select_related("person"))
    sessions = list(series.sessions.select_related("presenter").prefetch_related("absentees").order_by("planned_on", "pk"))
    held = selectors.presented_counts([s for s in sessions if s.status == LectureStatus.HELD])
    planned = selectors.presented_counts([s for s in sessions if s.status == LectureStatus.PLANNED])
    proposed = selectors.proposed_presenter(members, sessions)
    return {
        "id": series.pk,
        "title": series.title,
        "unit_id": series.unit_id,
        "unit_name": series.unit.name,
        "is_active": series.is_active,
        "held": sum(held.values()),
        "member_count": len(members),
        "next_presenter_id": proposed.pk if proposed else None,
        "next_presenter_name": proposed.name if proposed else None,
        "members": [
            {
                "position": m.position,
                "person_id": m.person_id,
                "name": m.person.name,
                "held": held.get(m.person_id, 0),
                "planned": planned.get(m.person_id, 0),
            }
            for m in members
        ],
        "sessions": sessions,
    }


def _people(user, ids: list[int], field: str) -> list[Person]:
    """People by id in the given order; an id the user may not pick is named, not dropped."""
    found = {p.pk: p for p in Person.objects.visible_to(user, "pick").filter(pk__in=ids)}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise ValidationError({field: f"找不到人员或不在您的范围内：{'、'.join(unknown)}。"})
    return [found[i] for i in ids]


def _series(request, series_id: int, action: str = "view") -> LectureSeries:
    return get_object_or_404(LectureSeries.objects.visible_to(request.auth, action).select_related("unit", "kind"), pk=series_id)


def _session(request, session_id: int) -> LectureSession:
    return get_object_or_404(
        selectors.sessions_visible_to(request.auth, "change").select_related(
            "series", "series__unit", "series__kind", "presenter"
        ),
        pk=session_id,
    )


def _session_out(session: LectureSession) -> LectureSession:
    return LectureSession.objects.select_related("presenter").prefetch_related("absentees").get(pk=session.pk)


@router.get("/ledger/lectures", response=list[SeriesOut], summary="业务讲堂列表")
@paginate(LimitOffsetPagination)
def list_series(request):
    require(request.auth, *LectureSeries.scope_roles["view"])
    return selectors.with_counts(LectureSeries.objects.visible_to(request.auth))


@router.get("/ledger/lectures/{series_id}", response=SeriesDetailOut, summary="业务讲堂详情：成员、场次、下一位主讲人")
def get_series(request, series_id: DbInt):
    return _series_detail(_series(request, series_id))


@router.post("/ledger/lectures", response={201: SeriesDetailOut, 422: ErrorOut}, summary="新建业务讲堂")
def create_series(request, payload: SeriesIn):
    require(request.auth, *LectureSeries.scope_roles["change"])
    try:
        unit = Unit.objects.visible_to(request.auth).filter(pk=payload.unit_id).first()
        if unit is None:
            raise ValidationError({"unit_id": "找不到该单位，或不在您的范围内。"})
        members = _people(request.auth, payload.member_ids, "member_ids") if payload.member_ids is not None else None
        series = services.series_create(actor=request.auth, unit=unit, title=payload.title, members=members)
    except ValidationError as exc:
        return errors(exc)
    return Status(201, _series_detail(_series(request, series.pk)))


@router.put("/ledger/lectures/{series_id}/members", response={200: SeriesDetailOut, 422: ErrorOut}, summary="设置成员与轮换顺序")
def set_members(request, series_id: DbInt, payload: MembersIn):
    series = _series(request, series_id, "change")
    try:
        services.series_set_members(
            actor=request.auth, series=series, members=_people(request.auth, payload.person_ids, "person_ids")
        )
    except ValidationError as exc:
        return errors(exc)
    return _series_detail(series)


@router.post(
    "/ledger/lectures/{series_id}/sessions",
    response={201: SessionOut, 422: ErrorOut},
    summary="安排下一场（不指定主讲人时按轮换规则）",
)
def plan_session(request, series_id: DbInt, payload: SessionPlanIn):
    series = _series(request, series_id, "change")
    members = list(series.members.select_related("person"))
    form = SessionPlanForm(
        data={"planned_on": payload.planned_on, "topic": payload.topic, "presenter": payload.presenter_id or ""}, members=members
    )
    if not form.is_valid():
        return form_errors(form)
    try:
        session = services.session_plan(
            actor=request.auth,
            series=series,
            planned_on=form.cleaned_data["planned_on"].date,
            topic=form.cleaned_data["topic"],
            presenter=form.cleaned_data["presenter"],
        )
    except ValidationError as exc:
        return errors(exc)
    return Status(201, _session_out(session))


@router.post(
    "/ledger/lectures/sessions/{session_id}/absentees",
    response={200: SessionOut, 422: ErrorOut},
    summary="登记缺席（主讲人缺席则改由下一位主讲）",
)
def set_absentees(request, session_id: DbInt, payload: AbsenteesIn):
    session = _session(request, session_id)
    try:
        people = _people(request.auth, payload.person_ids, "person_ids")
        session = services.session_set_absentees(actor=request.auth, session=session, absentees=people)
    except ValidationError as exc:
        return errors(exc)
    return _session_out(session)


def _held_form_data(payload: HeldIn, session: LectureSession) -> QueryDict:
    """The JSON body as the held form's POST data (data by field key, people and units by id)."""
    q = QueryDict(mutable=True)
    q["held_on"] = payload.held_on or session.planned_on.isoformat()
    q["topic"] = payload.topic if payload.topic is not None else session.topic
    if payload.hours is not None:
        q["hours"] = str(payload.hours)
    if payload.study_level:
        q["study_level"] = payload.study_level
    for key, value in payload.data.items():
        name = schema.FIELD_PREFIX + str(key)
        if isinstance(value, list):
            q.setlist(name, [str(v) for v in value])
        elif isinstance(value, dict) and "id" in value:
            q[name] = str(value["id"])
        elif value is not None:
            q[name] = str(value)
    return q


@router.post(
    "/ledger/lectures/sessions/{session_id}/held",
    response={200: HeldOut, 422: ErrorOut},
    summary="登记举办：生成业务讲堂台账记录（主讲人、到场成员）并提交审核",
    description="类型须上传佐证材料时，记录先保存为草稿（record_status=draft）：用 POST /records/{id}/evidence "
    "上传照片，再 POST /records/{id}/submit 提交审核。",
)
def hold_session(request, session_id: DbInt, payload: HeldIn):
    session = _session(request, session_id)
    form = SessionHeldForm(data=_held_form_data(payload, session), session=session, user=request.auth)
    form.fields.pop("evidence", None)  # files: POST /records/{id}/evidence while the record is editable
    unknown = sorted(set(payload.data) - {d["key"] for d in session.series.kind.fields})
    if unknown:
        return Status(422, {"detail": [{"loc": ["body", "data", unknown[0]], "msg": f"该台账类型没有字段“{unknown[0]}”。"}]})
    if not form.is_valid():
        return form_errors(form)
    try:
        record = services.session_hold(
            actor=request.auth, session=session, **form.hold_values(), submit=not session.series.kind.evidence_required
        )
    except ValidationError as exc:
        return errors(exc)
    return {"session": _session_out(session), "record_id": record.pk, "record_status": record.status}


@router.post("/ledger/lectures/sessions/{session_id}/cancel", response={200: SessionOut, 422: ErrorOut}, summary="取消场次")
def cancel_session(request, session_id: DbInt):
    session = _session(request, session_id)
    try:
        services.session_cancel(actor=request.auth, session=session)
    except ValidationError as exc:
        return errors(exc)
    return _session_out(session)
