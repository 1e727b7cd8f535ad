"""/api/v1/exams — the organiser's side: exams (list, create, change, publish, withdraw), the
short answers waiting for a mark and marking them, and the regrade after a fixed question."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status

from xuebi.campaign.models import Campaign, Indicator
from xuebi.core.api import DbInt, ErrorOut, LimitOffsetPagination, paginate
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Person, Unit
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from .. import selectors, services
from ..models import Attempt, AttemptItem, Exam, Paper, Question

router = Router(tags=["考试"])


def _admin(user) -> None:
    if not has_role(user, *ADMIN_ROLES):
        raise PermissionDenied("只有单位管理员可以管理考试。")


class ExamOut(Schema):
    id: int
    title: str
    kind: str
    unit_id: int
    paper_id: int
    status: str
    phase: str
    description: str
    room: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit: int | None
    attempts_allowed: int
    counts: str
    pass_mark: Decimal
    partial: str
    reveal: str
    layout: str
    unit_ids: list[int]
    person_ids: list[int]
    campaign_id: int | None
    indicator_id: int | None
    full_points: Decimal | None
    pass_points: Decimal | None
    max_score: Decimal


def exam_out(exam: Exam) -> dict:
    return {
        **{name: getattr(exam, name) for name in ExamOut.model_fields if hasattr(exam, name) and name not in ("unit_ids",)},
        "unit_id": exam.unit_id,
        "paper_id": exam.paper_id,
        "campaign_id": exam.campaign_id,
        "indicator_id": exam.indicator_id,
        "phase": exam.phase_label(),
        "unit_ids": sorted(u.pk for u in exam.units.all()),
        "person_ids": sorted(p.pk for p in exam.people.all()),
        "max_score": services.max_score(exam.paper),
    }


class ExamIn(Schema):
    title: str
    kind: str = "quiz"
    unit_id: DbInt
    paper_id: DbInt
    description: str = ""
    room: str = ""
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit: int | None = None
    attempts_allowed: int = 1
    counts: str = "highest"
    pass_mark: Decimal = Decimal("60")
    partial: str = "none"
    reveal: str = "after_close"
    layout: str = "one"
    unit_ids: list[DbInt] = []
    person_ids: list[DbInt] = []
    campaign_id: DbInt | None = None
    indicator_id: DbInt | None = None
    full_points: Decimal | None = None
    pass_points: Decimal | None = None


def _choice(value: str, choices, label: str) -> str:
    if value not in choices:
        from django.core.exceptions import ValidationError

        raise ValidationError(f"{label}不正确。")
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    """A time without a zone is the department's local time (Asia/Shanghai)."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    if not 2000 <= value.year <= 2100:
        raise ValidationError("请填写正确的考试时间（2000—2100 年）。")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _data(user, payload: ExamIn) -> services.ExamData:
    from django.core.exceptions import ValidationError

    from ..models import Counts, ExamKind, Layout, Partial, Reveal

    unit = Unit.objects.visible_to(user, "change").filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError("组织单位不存在或不在您的管理范围内。")
    paper = Paper.objects.visible_to(user).filter(pk=payload.paper_id).first()
    if paper is None:
        raise ValidationError("试卷不存在或您无权使用。")
    units = list(Unit.objects.visible_to(user, "change").filter(pk__in=payload.unit_ids))
    if len(units) != len(set(payload.unit_ids)):
        raise ValidationError("参考单位中有不存在或不在您管理范围内的单位。")
    people = list(Person.objects.visible_to(user).filter(pk__in=payload.person_ids))
    if len(people) != len(set(payload.person_ids)):
        raise ValidationError("参考人员中有不存在或不在您管理范围内的人员。")
    if payload.time_limit is not None and not 1 <= payload.time_limit <= 600:
        raise ValidationError("答题时限应在 1 到 600 分钟之间。")
    if not 1 <= payload.attempts_allowed <= 100:
        raise ValidationError("可答次数应在 1 到 100 之间。")
    for name, value in (
        ("pass_mark", payload.pass_mark),
        ("full_points", payload.full_points),
        ("pass_points", payload.pass_points),
    ):
        if value is not None and (not value.is_finite() or abs(value) >= 10000):
            raise ValidationError(f"{name} 数值不正确。")
    return services.ExamData(
        title=payload.title[:200],
        kind=_choice(payload.kind, ExamKind.values, "类型"),
        unit=unit,
        paper=paper,
        description=payload.description,
        room=payload.room[:100],
        opens_at=_aware(payload.opens_at),
        closes_at=_aware(payload.closes_at),
        time_limit=payload.time_limit,
        attempts_allowed=payload.attempts_allowed,
        counts=_choice(payload.counts, Counts.values, "成绩计算"),
        pass_mark=payload.pass_mark,
        partial=_choice(payload.partial, Partial.values, "多选题计分"),
        reveal=_choice(payload.reveal, Reveal.values, "答案和解析"),
        layout=_choice(payload.layout, Layout.values, "答题方式"),
        units=units,
        people=people,
        campaign=Campaign.objects.filter(pk=payload.campaign_id).first() if payload.campaign_id else None,
        indicator=Indicator.objects.filter(pk=payload.indicator_id).first() if payload.indicator_id else None,
        full_points=payload.full_points,
        pass_points=payload.pass_points,
    )


@router.get("/manage", response=list[ExamOut], summary="考试管理：本单位组织或发给本单位的考试")
@paginate(LimitOffsetPagination)
def exam_list(request):
    _admin(request.auth)
    rows = selectors.exam_admin_list(request.auth).prefetch_related("units", "people", "paper__fixed", "paper__rules")
    return [exam_out(exam) for exam in rows[:500]]


@router.post("/manage", response={201: ExamOut, 403: ErrorOut, 422: ErrorOut}, summary="新建考试（单位管理员）")
def exam_create(request, payload: ExamIn):
    _admin(request.auth)
    exam = services.exam_save(actor=request.auth, data=_data(request.auth, payload))
    return Status(201, exam_out(exam))


@router.get("/manage/{int:pk}", response={200: ExamOut, 404: ErrorOut}, summary="考试设置")
def exam_detail(request, pk: DbInt):
    _admin(request.auth)
    return exam_out(get_visible_or_404(Exam, request.auth, pk))


@router.put("/manage/{int:pk}", response={200: ExamOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="修改考试设置")
def exam_update(request, pk: DbInt, payload: ExamIn):
    _admin(request.auth)
    exam = get_visible_or_404(Exam, request.auth, pk, "change")
    return exam_out(services.exam_save(actor=request.auth, data=_data(request.auth, payload), exam=exam))


@router.post("/manage/{int:pk}/publish", response={200: ExamOut, 404: ErrorOut, 422: ErrorOut}, summary="发布考试")
def exam_publish(request, pk: DbInt):
    _admin(request.auth)
    exam = get_visible_or_404(Exam, request.auth, pk, "change")
    return exam_out(services.exam_publish(actor=request.auth, exam=exam))


class ReasonIn(Schema):
    reason: str


@router.post("/manage/{int:pk}/cancel", response={200: ExamOut, 404: ErrorOut, 422: ErrorOut}, summary="撤销考试（已给积分冲销）")
def exam_cancel(request, pk: DbInt, payload: ReasonIn):
    _admin(request.auth)
    exam = get_visible_or_404(Exam, request.auth, pk, "change")
    return exam_out(services.exam_cancel(actor=request.auth, exam=exam, reason=payload.reason))


class OpenNowIn(Schema):
    minutes: int = 60


@router.post(
    "/manage/{int:pk}/open-now",
    response={200: ExamOut, 404: ErrorOut, 422: ErrorOut},
    summary="现场考评：立即开考，考试时长为若干分钟",
)
def exam_open_now(request, pk: DbInt, payload: OpenNowIn):
    _admin(request.auth)
    exam = get_visible_or_404(Exam, request.auth, pk, "change")
    return exam_out(services.exam_open_now(actor=request.auth, exam=exam, minutes=payload.minutes))


class GradingOut(Schema):
    id: int
    attempt_id: int
    person: str
    unit: str
    position: int
    text: str
    reference: str
    response: str
    points: Decimal


@router.get("/manage/{int:pk}/grading", response={200: list[GradingOut], 404: ErrorOut}, summary="待阅的简答题")
def grading_list(request, pk: DbInt):
    _admin(request.auth)
    exam = get_visible_or_404(Exam, request.auth, pk, "change")
    return [
        {
            "id": item.pk,
            "attempt_id": item.attempt_id,
            "person": item.attempt.person.name,
            "unit": item.attempt.unit.name,
            "position": item.position,
            "text": item.shown["text"],
            "reference": item.key.get("reference") or "",
            "response": (item.response or [""])[0],
            "points": item.points,
        }
        for item in services.grading_queue(request.auth, exam)[:200]
    ]


class GradeIn(Schema):
    score: Decimal
    comment: str = ""


class GradedOut(Schema):
    id: int
    score: Decimal
    attempt_score: Decimal | None
    attempt_ungraded: int


@router.post(
    "/manage/grading/{int:pk}", response={200: GradedOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}, summary="给一道简答题评分"
)
def grade(request, pk: DbInt, payload: GradeIn):
    _admin(request.auth)
    item = (
        AttemptItem.objects.filter(pk=pk, attempt__in=Attempt.objects.visible_to(request.auth)).select_related("attempt").first()
    )
    if item is None or item.attempt.exam_id is None:
        raise Http404("答卷不存在。")
    get_visible_or_404(Exam, request.auth, item.attempt.exam_id, "change")
    item = services.grade_item(actor=request.auth, item=item, score=payload.score, comment=payload.comment)
    attempt = Attempt.objects.get(pk=item.attempt_id)
    return {"id": item.pk, "score": item.score, "attempt_score": attempt.score, "attempt_ungraded": attempt.ungraded}


class RegradeIn(Schema):
    question_id: DbInt
    reason: str


class RegradeOut(Schema):
    changed: int


@router.post(
    "/manage/{int:pk}/regrade",
    response={200: RegradeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="更正试题后重新评分",
)
def regrade(request, pk: DbInt, payload: RegradeIn):
    _admin(request.auth)
    exam = get_visible_or_404(Exam, request.auth, pk, "change")
    question = Question.objects.filter(
        pk=payload.question_id, pk__in=AttemptItem.objects.filter(attempt__exam=exam).values("question_id")
    ).first()
    if question is None:
        raise Http404("本考试没有用到这道试题。")
    return {"changed": services.regrade(actor=request.auth, exam=exam, question=question, reason=payload.reason)}
