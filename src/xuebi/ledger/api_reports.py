"""/api/v1/ledger/…: the reports, meeting requirements, 业务讲堂 and the .xlsx export, through the
same forms, selectors, services and scoping as the pages (``views_reports``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from xuebi.core.api import DbInt, LimitOffsetPagination, Offset, paginate
from xuebi.core.forms import error_detail, validation_detail
from xuebi.core.permissions import get_visible_or_404
from xuebi.org.choices import Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import has_role

from . import export, lectures, reports, requirements, schema
from .choices import LectureStatus
from .forms_reports import ExportForm, SessionHeldForm, SessionPlanForm
from .models import REVIEW_ROLES, LectureSeries, LectureSession, MeetingRequirement, RecordKind
from .views_reports import xlsx_response

router = Router(tags=["台账统计与业务讲堂"])


class ErrorOut(Schema):
    detail: list[dict] | str


def _require(user, *roles) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied("您的角色无权访问此接口。")


def _errors(exc: ValidationError) -> Status:
    return Status(422, {"detail": validation_detail(exc)})


def _form_errors(form) -> Status:
    def loc(name: str) -> list[str]:
        if name.startswith(schema.FIELD_PREFIX):
            return ["body", "data", name[len(schema.FIELD_PREFIX):]]
        return ["body"] if name == "__all__" else ["body", name]

    return Status(422, {"detail": error_detail(form, loc=loc)})


def _visible_unit(user, unit_id: int | None) -> Unit | None:
    return get_visible_or_404(Unit, user, unit_id) if unit_id is not None else None


def _year(year: int | None) -> int:
    today = timezone.localdate()
    if year is None:
        return today.year
    if year not in reports.year_choices(today):
        raise ValidationError({"year": f"年度应在{reports.FIRST_YEAR}年到{today.year}年之间。"})
    return year


# --- compliance --------------------------------------------------------------------------------

class PeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date
    count: int
    required: int
    state: str = Field(..., description="ok 已落实 / missing 缺 / open 本期进行中 / future 未到")


class RequirementRowOut(Schema):
    kind: str
    kind_name: str
    frequency: str
    min_count: int
    missing: int
    periods: list[PeriodOut]


class BranchOut(Schema):
    unit_id: int
    unit_name: str
    parent_name: str
    missing: int
    requirements: list[RequirementRowOut]


class ComplianceOut(Schema):
    year: int
    as_of: dt.date
    count: int = Field(..., description="范围内党支部总数（本页之外也计）")
    branches: list[BranchOut]


@router.get("/ledger/reports/compliance", response={200: ComplianceOut, 422: ErrorOut},
            summary="三会一课落实情况：各党支部每项会议每期的次数与缺项")
def compliance(request, year: DbInt | None = None, unit_id: DbInt | None = None, limit: DbInt = 20, offset: Offset = 0):
    _require(request.auth, *REVIEW_ROLES)
    try:
        year = _year(year)
    except ValidationError as exc:
        return _errors(exc)
    limit, offset = max(1, min(limit, 200)), max(offset, 0)
    branches = reports.branches_for(request.auth, within=_visible_unit(request.auth, unit_id)).order_by("path")
    total = branches.count()
    report = reports.compliance(user=request.auth, year=year, branches=branches[offset:offset + limit])
    return {
        "year": year, "as_of": report.today, "count": total,
        "branches": [{
            "unit_id": b.unit.pk, "unit_name": b.unit.name, "parent_name": b.parent_name, "missing": b.missing,
            "requirements": [{
                "kind": row.requirement.kind.code, "kind_name": row.requirement.kind.name,
                "frequency": row.requirement.frequency, "min_count": row.requirement.min_count, "missing": row.missing,
                "periods": [{"label": c.period.label, "start": c.period.start, "end": c.period.end, "count": c.count,
                             "required": c.required, "state": c.state} for c in row.cells],
            } for row in b.rows],
        } for b in report.branches],
    }


# --- 五学联动 -------------------------------------------------------------------------------------

class LevelLineOut(Schema):
    level: str
    label: str
    months: list[int] = Field(..., description="1—12月的次数")
    total: int


class UnitLevelsOut(Schema):
    unit_id: int
    unit_name: str
    total: int
    levels: list[LevelLineOut]


class StudyLevelsOut(Schema):
    year: int
    depth: int
    summary: list[LevelLineOut]
    units: list[UnitLevelsOut]


def _lines(lines) -> list[dict]:
    return [{"level": x.level, "label": x.label, "months": x.months, "total": x.total} for x in lines]


@router.get("/ledger/reports/study-levels", response={200: StudyLevelsOut, 422: ErrorOut},
            summary="五学联动：各层级集体学习次数，按单位、按月")
def study_levels(request, year: DbInt | None = None, depth: DbInt | None = None, unit_id: DbInt | None = None):
    _require(request.auth, *REVIEW_ROLES)
    choices, default = reports.depth_choices(request.auth)
    try:
        year = _year(year)
        if depth is not None and depth not in dict(choices):
            raise ValidationError({"depth": f"汇总层级应为 {'、'.join(str(d) for d, _ in choices)} 之一。"})
    except ValidationError as exc:
        return _errors(exc)
    report = reports.study_levels(user=request.auth, year=year, depth=depth or default or 1,
                                  within=_visible_unit(request.auth, unit_id))
    return {
        "year": report.year, "depth": report.depth, "summary": _lines(report.summary),
        "units": [{"unit_id": u.unit.pk, "unit_name": u.unit.name, "total": u.total, "levels": _lines(u.lines)}
                  for u in report.units],
    }


# --- requirements -------------------------------------------------------------------------------

class RequirementOut(Schema):
    kind: str = Field(..., alias="kind.code")
    kind_name: str = Field(..., alias="kind.name")
    frequency: str
    frequency_display: str = Field(..., alias="get_frequency_display")
    min_count: int
    is_active: bool


class RequirementIn(Schema):
    frequency: str = Field(..., description="month / quarter / half / year")
    min_count: DbInt = 1
    is_active: bool = True


@router.get("/ledger/requirements", response=list[RequirementOut], summary="组织生活要求（三会一课频次）")
def list_requirements(request):
    _require(request.auth, *REVIEW_ROLES)
    return MeetingRequirement.objects.select_related("kind")


@router.put("/ledger/requirements/{kind}", response={200: RequirementOut, 422: ErrorOut},
            summary="设置某类会议的频次和每期次数（盟级管理员）")
def save_requirement(request, kind: str, payload: RequirementIn):
    _require(request.auth, Role.LEAGUE_ADMIN)
    record_kind = get_object_or_404(RecordKind, code=kind)
    try:
        return requirements.requirement_save(actor=request.auth, kind=record_kind, **payload.dict())
    except ValidationError as exc:
        return _errors(exc)


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
    held = lectures.presented_counts([s for s in sessions if s.status == LectureStatus.HELD])
    planned = lectures.presented_counts([s for s in sessions if s.status == LectureStatus.PLANNED])
    proposed = lectures.proposed_presenter(members, sessions)
    return {
        "id": series.pk, "title": series.title, "unit_id": series.unit_id, "unit_name": series.unit.name, "is_active": series.is_active,
        "held": sum(held.values()), "member_count": len(members),
        "next_presenter_id": proposed.pk if proposed else None, "next_presenter_name": proposed.name if proposed else None,
        "members": [{"position": m.position, "person_id": m.person_id, "name": m.person.name,
                     "held": held.get(m.person_id, 0), "planned": planned.get(m.person_id, 0)} for m in members],
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
    return get_object_or_404(lectures.sessions_visible_to(request.auth, "change")
                             .select_related("series", "series__unit", "series__kind", "presenter"), pk=session_id)


def _session_out(session: LectureSession) -> LectureSession:
    return LectureSession.objects.select_related("presenter").prefetch_related("absentees").get(pk=session.pk)


@router.get("/ledger/lectures", response=list[SeriesOut], summary="业务讲堂列表")
@paginate(LimitOffsetPagination)
def list_series(request):
    _require(request.auth, *LectureSeries.scope_roles["view"])
    return lectures.with_counts(LectureSeries.objects.visible_to(request.auth))


@router.get("/ledger/lectures/{series_id}", response=SeriesDetailOut, summary="业务讲堂详情：成员、场次、下一位主讲人")
def get_series(request, series_id: DbInt):
    return _series_detail(_series(request, series_id))


@router.post("/ledger/lectures", response={201: SeriesDetailOut, 422: ErrorOut}, summary="新建业务讲堂")
def create_series(request, payload: SeriesIn):
    _require(request.auth, *LectureSeries.scope_roles["change"])
    try:
        unit = Unit.objects.visible_to(request.auth).filter(pk=payload.unit_id).first()
        if unit is None:
            raise ValidationError({"unit_id": "找不到该单位，或不在您的范围内。"})
        members = _people(request.auth, payload.member_ids, "member_ids") if payload.member_ids is not None else None
        series = lectures.series_create(actor=request.auth, unit=unit, title=payload.title, members=members)
    except ValidationError as exc:
        return _errors(exc)
    return Status(201, _series_detail(_series(request, series.pk)))


@router.put("/ledger/lectures/{series_id}/members", response={200: SeriesDetailOut, 422: ErrorOut},
            summary="设置成员与轮换顺序")
def set_members(request, series_id: DbInt, payload: MembersIn):
    series = _series(request, series_id, "change")
    try:
        lectures.series_set_members(actor=request.auth, series=series, members=_people(request.auth, payload.person_ids, "person_ids"))
    except ValidationError as exc:
        return _errors(exc)
    return _series_detail(series)


@router.post("/ledger/lectures/{series_id}/sessions", response={201: SessionOut, 422: ErrorOut},
             summary="安排下一场（不指定主讲人时按轮换规则）")
def plan_session(request, series_id: DbInt, payload: SessionPlanIn):
    series = _series(request, series_id, "change")
    members = list(series.members.select_related("person"))
    form = SessionPlanForm(data={"planned_on": payload.planned_on, "topic": payload.topic,
                                 "presenter": payload.presenter_id or ""}, members=members)
    if not form.is_valid():
        return _form_errors(form)
    try:
        session = lectures.session_plan(actor=request.auth, series=series, planned_on=form.cleaned_data["planned_on"].date,
                                        topic=form.cleaned_data["topic"], presenter=form.cleaned_data["presenter"])
    except ValidationError as exc:
        return _errors(exc)
    return Status(201, _session_out(session))


@router.post("/ledger/lectures/sessions/{session_id}/absentees", response={200: SessionOut, 422: ErrorOut},
             summary="登记缺席（主讲人缺席则改由下一位主讲）")
def set_absentees(request, session_id: DbInt, payload: AbsenteesIn):
    session = _session(request, session_id)
    try:
        people = _people(request.auth, payload.person_ids, "person_ids")
        session = lectures.session_set_absentees(actor=request.auth, session=session, absentees=people)
    except ValidationError as exc:
        return _errors(exc)
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


@router.post("/ledger/lectures/sessions/{session_id}/held", response={200: HeldOut, 422: ErrorOut},
             summary="登记举办：生成业务讲堂台账记录（主讲人、到场成员）并提交审核",
             description="类型须上传佐证材料时，记录先保存为草稿（record_status=draft）：用 POST /records/{id}/evidence "
                         "上传照片，再 POST /records/{id}/submit 提交审核。")
def hold_session(request, session_id: DbInt, payload: HeldIn):
    session = _session(request, session_id)
    form = SessionHeldForm(data=_held_form_data(payload, session), session=session, user=request.auth)
    form.fields.pop("evidence", None)  # files: POST /records/{id}/evidence while the record is editable
    unknown = sorted(set(payload.data) - {d["key"] for d in session.series.kind.fields})
    if unknown:
        return Status(422, {"detail": [{"loc": ["body", "data", unknown[0]], "msg": f"该台账类型没有字段“{unknown[0]}”。"}]})
    if not form.is_valid():
        return _form_errors(form)
    try:
        record = lectures.session_hold(actor=request.auth, session=session, **form.hold_values(),
                                       submit=not session.series.kind.evidence_required)
    except ValidationError as exc:
        return _errors(exc)
    return {"session": _session_out(session), "record_id": record.pk, "record_status": record.status}


@router.post("/ledger/lectures/sessions/{session_id}/cancel", response={200: SessionOut, 422: ErrorOut}, summary="取消场次")
def cancel_session(request, session_id: DbInt):
    session = _session(request, session_id)
    try:
        lectures.session_cancel(actor=request.auth, session=session)
    except ValidationError as exc:
        return _errors(exc)
    return _session_out(session)


# --- export -------------------------------------------------------------------------------------

@router.get("/ledger/export", response={200: None, 422: ErrorOut},
            summary="导出台账 .xlsx（按类型、单位、期间；每类一页，纸质台账版式）")
def export_ledger(request, kind: str = "", unit_id: DbInt | None = None, date_from: str = "", date_to: str = "",
                  approved_only: bool = False):
    _require(request.auth, *REVIEW_ROLES, Role.CADRE)
    kind_obj = get_object_or_404(RecordKind, code=kind) if kind else None
    unit = _visible_unit(request.auth, unit_id)
    form = ExportForm(data={"kind": kind_obj.pk if kind_obj else "", "unit": unit.pk if unit else "",
                            "date_from": date_from, "date_to": date_to, "approved_only": "on" if approved_only else ""},
                      user=request.auth)
    if not form.is_valid():
        return _form_errors(form)
    data = form.cleaned_data
    try:
        result = export.ledger_export(actor=request.auth, kind=kind_obj, unit=unit, date_from=data["start"],
                                      date_to=data["end"], approved_only=approved_only)
    except ValidationError as exc:
        return _errors(exc)
    return xlsx_response(result)
