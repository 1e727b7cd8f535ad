"""/api/v1/assessments: 平时考核 and 年度考核 — the rounds a user sees, a round's sheets, a sheet with its evidence,
the person's 小结, the leader's grades and 确定. The same services, selectors and scoping as the pages."""

from __future__ import annotations

import datetime as dt

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Router, Schema, Status

from xuebi.core.api import DbInt, ErrorOut
from xuebi.core.formatting import points_text
from xuebi.org.models import Unit
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from . import conf, selectors, services
from .models import Assessment, Objection, Sheet
from .models import Status as RoundStatus

router = Router(tags=["考核"])

READERS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES)


def _require(user, *roles) -> None:
    if not has_role(user, *(roles or READERS)):
        raise PermissionDenied("您的角色无权访问此接口。")


class RoundOut(Schema):
    id: int
    kind: str
    kind_label: str
    unit_id: int
    unit: str
    year: int
    quarter: int | None
    period: str
    start_date: dt.date
    end_date: dt.date
    status: str
    status_label: str
    publicity_start: dt.date | None
    publicity_end: dt.date | None


class TallyOut(Schema):
    people: int
    places: int
    top_grade: str
    top_given: int
    share: str
    over_cap: str


class SectionOut(Schema):
    name: str
    label: str
    rows: list[str]


class SheetOut(Schema):
    id: int
    assessment_id: int
    person_id: int
    person: str
    unit: str
    summary: str | None
    suggested: str
    proposed: str
    proposed_label: str
    grade: str
    grade_label: str
    evidence: list[SectionOut] | None = None


class RoundDetailOut(RoundOut):
    tally: TallyOut | None
    sheets: list[SheetOut]


class SummaryIn(Schema):
    summary: str


class GradesIn(Schema):
    grades: dict[int, str]
    comments: dict[int, str] = {}


def _round(a: Assessment) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "unit_id": a.unit_id,
        "unit": a.unit.name,
        "year": a.year,
        "quarter": a.quarter,
        "period": a.period_label,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "status": a.status,
        "status_label": a.get_status_display(),
        "publicity_start": a.publicity_start,
        "publicity_end": a.publicity_end,
    }


def _sheet(s: Sheet, *, admin: bool, own: bool, evidence: bool = False) -> dict:
    shown = admin or s.assessment.status != RoundStatus.OPEN
    return {
        "id": s.pk,
        "assessment_id": s.assessment_id,
        "person_id": s.person_id,
        "person": s.person.name,
        "unit": s.unit.name,
        "summary": s.summary if admin or own else None,
        "suggested": s.suggested if admin else "",
        "proposed": s.proposed if shown else "",
        "proposed_label": s.proposed_label if shown else "",
        "grade": s.grade,
        "grade_label": s.grade_label,
        "evidence": [{"name": x.name, "label": x.label, "rows": [r.text for r in x.rows]} for x in s.sections]
        if evidence
        else None,
    }


def _detail(request, assessment: Assessment) -> dict:
    admin = selectors.is_admin_of(request.auth, assessment)
    if admin:
        sheets = selectors.sheets_with_evidence(assessment)
    elif assessment.status != RoundStatus.OPEN:
        sheets = list(assessment.sheets.select_related("person", "unit"))
    else:
        sheets = list(assessment.sheets.filter(person_id=request.auth.person_id).select_related("person", "unit"))
    for s in sheets:
        s.assessment = assessment
    tally = selectors.tally(assessment, sheets) if admin or assessment.status != RoundStatus.OPEN else None
    return {
        **_round(assessment),
        "tally": {
            "people": tally.people,
            "places": tally.places,
            "top_grade": tally.top_label,
            "top_given": tally.top_given,
            "share": tally.share,
            "over_cap": tally.message,
        }
        if tally
        else None,
        "sheets": [_sheet(s, admin=admin, own=s.person_id == request.auth.person_id, evidence=admin) for s in sheets],
    }


@router.get("", response=list[RoundOut], summary="您能看到的考核（本单位及下级；本人参加的）")
def round_list(request):
    _require(request.auth)
    return [_round(a) for a in selectors.rounds(request.auth)]


@router.get("/{int:pk}", response=RoundDetailOut, summary="考核详情：考核表、等次统计与名额")
def round_detail(request, pk: DbInt):
    _require(request.auth)
    return _detail(request, get_visible_or_404(Assessment, request.auth, pk))


@router.post(
    "/{int:pk}/grades", response={200: RoundDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="拟定等次（不能为本人拟定）"
)
def grades_save(request, pk: DbInt, payload: GradesIn):
    _require(request.auth, *ADMIN_ROLES)
    assessment = get_visible_or_404(Assessment, request.auth, pk, "change")
    services.grades_propose(actor=request.auth, assessment=assessment, grades=payload.grades, comments=payload.comments)
    return _detail(request, Assessment.objects.get(pk=pk))


@router.post(
    "/{int:pk}/finalise", response={200: RoundDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="确定考核结果（超出名额则拒绝）"
)
def finalise(request, pk: DbInt):
    _require(request.auth, *ADMIN_ROLES)
    assessment = get_visible_or_404(Assessment, request.auth, pk, "change")
    services.assessment_finalise(actor=request.auth, assessment=assessment)
    return _detail(request, Assessment.objects.get(pk=pk))


class PublicityIn(Schema):
    start: dt.date
    end: dt.date


class ApprovalIn(Schema):
    share: Decimal
    approved_by: str
    document: str


class ObjectionIn(Schema):
    text: str
    sheet_id: int | None = None


class ReplyIn(Schema):
    reply: str


class ObjectionOut(Schema):
    id: int
    assessment_id: int
    sheet_id: int | None
    raised_by: str
    text: str
    reply: str
    replied_by: str | None


def _objection(o: Objection) -> dict:
    return {
        "id": o.pk,
        "assessment_id": o.assessment_id,
        "sheet_id": o.sheet_id,
        "raised_by": str(o.raised_by),
        "text": o.text,
        "reply": o.reply,
        "replied_by": str(o.replied_by) if o.replied_by_id else None,
    }


@router.post(
    "/{int:pk}/publicise", response={200: RoundDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="公示拟定等次（超出名额则拒绝）"
)
def publicise(request, pk: DbInt, payload: PublicityIn):
    _require(request.auth, *ADMIN_ROLES)
    assessment = get_visible_or_404(Assessment, request.auth, pk, "change")
    services.assessment_publicise(actor=request.auth, assessment=assessment, start=payload.start, end=payload.end)
    return _detail(request, Assessment.objects.get(pk=pk))


@router.post(
    "/{int:pk}/approval", response={200: RoundDetailOut, 403: ErrorOut, 422: ErrorOut}, summary="登记批准提高优秀比例（年度考核）"
)
def approval(request, pk: DbInt, payload: ApprovalIn):
    _require(request.auth, *ADMIN_ROLES)
    assessment = get_visible_or_404(Assessment, request.auth, pk, "change")
    share = payload.share / 100 if payload.share > 1 else payload.share
    services.approval_record(
        actor=request.auth, assessment=assessment, share=share, approved_by=payload.approved_by, document=payload.document
    )
    return _detail(request, Assessment.objects.get(pk=pk))


@router.get("/{int:pk}/objections", response=list[ObjectionOut], summary="公示异议及答复")
def objection_list(request, pk: DbInt):
    _require(request.auth)
    assessment = get_visible_or_404(Assessment, request.auth, pk)
    return [_objection(o) for o in selectors.objections(assessment)]


@router.post("/{int:pk}/objections", response={201: ObjectionOut, 403: ErrorOut, 422: ErrorOut}, summary="公示期内提出异议")
def objection_create(request, pk: DbInt, payload: ObjectionIn):
    _require(request.auth)
    assessment = get_visible_or_404(Assessment, request.auth, pk)
    sheet = None
    if payload.sheet_id is not None:
        sheet = assessment.sheets.filter(pk=payload.sheet_id).first()
        if sheet is None:
            raise ValidationError({"sheet": "涉及人员不在本次考核中。"})
    objection = services.objection_raise(actor=request.auth, assessment=assessment, text=payload.text, sheet=sheet)
    return Status(201, _objection(objection))


@router.post("/objections/{int:pk}/reply", response={200: ObjectionOut, 403: ErrorOut, 422: ErrorOut}, summary="答复公示异议")
def objection_reply(request, pk: DbInt, payload: ReplyIn):
    _require(request.auth, *ADMIN_ROLES)
    objection = get_visible_or_404(Objection, request.auth, pk, "change")
    return _objection(services.objection_reply(actor=request.auth, objection=objection, reply=payload.reply))


@router.get("/sheets/{int:pk}", response=SheetOut, summary="考核表（含系统汇总的工作实绩）")
def sheet_detail(request, pk: DbInt):
    _require(request.auth)
    sheet = get_visible_or_404(Sheet, request.auth, pk)
    [sheet] = selectors.sheets_with_evidence(sheet.assessment, Sheet.objects.filter(pk=pk))
    admin = selectors.is_admin_of(request.auth, sheet.assessment)
    return _sheet(sheet, admin=admin, own=sheet.person_id == request.auth.person_id, evidence=True)


@router.post("/sheets/{int:pk}/summary", response={200: SheetOut, 403: ErrorOut, 422: ErrorOut}, summary="提交本人的个人小结")
def summary_save(request, pk: DbInt, payload: SummaryIn):
    _require(request.auth)
    sheet = get_visible_or_404(Sheet, request.auth, pk, "write")
    services.sheet_summary(actor=request.auth, sheet=sheet, summary=payload.summary)
    return sheet_detail(request, pk)


class BasisRowOut(Schema):
    rank: int
    person_id: int
    name: str
    unit: str
    values: dict[str, str]
    score: str


class BasisOut(Schema):
    unit_id: int
    year: int
    title: str
    weights: dict[str, str]
    missing: list[str]
    rows: list[BasisRowOut]


@router.get("/basis", response={200: BasisOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="评优评先依据：综合排序")
def basis(request, unit: DbInt, year: int | None = None):
    _require(request.auth, *ADMIN_ROLES)
    found = get_visible_or_404(Unit, request.auth, unit, "change")
    result = selectors.basis_for(found, year or timezone.localdate().year, conf.basis_weights())
    return {
        "unit_id": found.pk,
        "year": result.year,
        "title": result.title,
        "weights": {c.key: str(c.weight) for c in result.components},
        "missing": result.missing,
        "rows": [
            {
                "rank": r.rank,
                "person_id": r.candidate.person_id,
                "name": r.candidate.name,
                "unit": r.candidate.unit,
                "values": r.candidate.details,
                "score": points_text(r.score),
            }
            for r in result.ranked
        ],
    }
