"""/api/v1/exams — results: per unit and per person, item statistics, the leaderboard, the live
figures of an on-site session and one attempt reviewed. The same selectors (``results``) and the
same scoping as the pages: an administrator reads their scope's rows; a taker the leaderboard of
an exam that reached them once it closed, and their own attempt's review when the exam shows
answers — never the key of an attempt still being answered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema

from xuebi.core.api import DbInt
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.permissions import get_visible_or_404
from xuebi.org.scoping import has_role

from .. import results
from ..models import Attempt, Exam

router = Router(tags=["考试"])


def _admin_exam(user, exam_id: int) -> Exam:
    if not has_role(user, *ADMIN_ROLES):
        raise PermissionDenied("只有单位管理员可以查看考试成绩。")
    return get_visible_or_404(Exam, user, exam_id)


class UnitRowOut(Schema):
    unit_id: int | None
    name: str
    eligible: int
    took: int
    participation: float | None
    average: Decimal | None
    pass_rate: float | None
    bands: list[int]


class AttemptRowOut(Schema):
    id: int
    person_id: int
    person: str
    unit_id: int
    unit: str
    score: Decimal | None
    max_score: Decimal
    passed: bool | None
    ungraded: int
    number: int
    used: int
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    duration: int | None


class ResultsOut(Schema):
    exam_id: int
    band_labels: list[str]
    units: list[UnitRowOut]
    total: UnitRowOut
    attempts: list[AttemptRowOut]


class ItemStatOut(Schema):
    number: int
    question_id: int | None
    text: str
    type: str
    points: Decimal
    answered: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    efficiency: float | None
    wrong_option: str | None


class StatisticsOut(Schema):
    exam_id: int
    attempts: int
    alpha: float | None
    alpha_note: str
    questions: list[ItemStatOut]


class LeaderRowOut(Schema):
    rank: int
    person: str
    unit: str
    score: Decimal | None
    duration: int | None
    submitted_at: dt.datetime | None


class LiveRowOut(Schema):
    id: int
    person: str
    unit: str
    score: Decimal | None
    passed: bool | None
    submitted_at: dt.datetime | None


class LiveOut(Schema):
    exam_id: int
    phase: str
    eligible: int
    submitted: int
    answering: int
    not_started: int
    latest: list[LiveRowOut]


class ReviewItemOut(Schema):
    position: int
    type: str
    text: str
    options: list[str]
    points: Decimal
    response: Any = None
    answer: Any = None
    reference: str
    explanation: str
    score: Decimal | None
    correct: bool | None
    comment: str


class ReviewOut(Schema):
    id: int
    exam_id: int | None
    person: str
    unit: str
    number: int
    status: str
    score: Decimal | None
    max_score: Decimal
    passed: bool | None
    ungraded: int
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    items: list[ReviewItemOut]


@router.get("/{exam_id}/results", response=ResultsOut, summary="考试成绩（各单位和个人）")
def exam_results(request, exam_id: DbInt):
    exam = _admin_exam(request.user, exam_id)
    attempts = results.attempt_rows(exam, request.user)
    units = results.unit_rows(exam, request.user, attempts)
    return {"exam_id": exam.pk, **units, "attempts": attempts}


@router.get("/{exam_id}/statistics", response=StatisticsOut, summary="试题分析")
def exam_statistics(request, exam_id: DbInt):
    exam = _admin_exam(request.user, exam_id)
    return {"exam_id": exam.pk, **results.item_statistics(exam, request.user)}


@router.get("/{exam_id}/leaderboard", response=list[LeaderRowOut], summary="排行榜")
def exam_leaderboard(request, exam_id: DbInt):
    user = request.user
    if not (results.is_admin(user) or getattr(user, "person_id", None)):
        raise PermissionDenied("您的角色无权查看排行榜。")
    exam = results.leaderboard_exams(user).filter(pk=exam_id).first()
    if exam is None:
        raise Http404("找不到该对象，或您无权访问。")
    return results.leaderboard(exam, user)


@router.get("/{exam_id}/live", response=LiveOut, summary="现场监考实况")
def exam_live(request, exam_id: DbInt):
    exam = _admin_exam(request.user, exam_id)
    return results.live_figures(exam, request.user)


@router.get("/attempts/{attempt_id}/review", response=ReviewOut, summary="答卷评阅（题目、作答、答案和得分）")
def attempt_review(request, attempt_id: DbInt):
    user = request.user
    attempt = get_visible_or_404(Attempt, user, attempt_id)
    refusal = results.review_refusal(attempt, user)
    if refusal:
        raise PermissionDenied(refusal)
    attempt = Attempt.objects.select_related("person", "unit", "exam").get(pk=attempt.pk)
    return results.review(attempt)
