"""/api/v1/exams — taking an exam (the phone page uses these too): my exams, start or resume an
attempt, save answers as they are given, hand in; practice and the 错题本. The key of a question
is never in an answer here before the attempt is done, and after it only when the exam shows
answers (``Exam.reveals_to_taker``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status

from xuebi.core.api import DbInt, ErrorOut
from xuebi.org.scoping import has_role

from .. import selectors, services
from ..models import Attempt, Bank, Category, Exam, Mistake

router = Router(tags=["考试"])


def _taker(user) -> None:
    if not has_role(user, "cadre", "reviewer", "unit_admin", "league_admin"):
        raise PermissionDenied("您的角色不参加考试。")


def _own_attempt(user, pk: int) -> Attempt:
    attempt = Attempt.objects.filter(pk=pk, person_id=user.person_id or 0).select_related("exam").first()
    if attempt is None:
        raise Http404("答卷不存在。")
    return attempt


class ItemOut(Schema):
    position: int
    type: str
    text: str
    options: list[str] = []
    blanks: int = 0
    points: Decimal
    response: Any = None
    # after the attempt, when the exam shows them
    score: Decimal | None = None
    correct: bool | None = None
    answer: Any = None
    explanation: str | None = None
    reference: str | None = None


class AttemptOut(Schema):
    id: int
    exam_id: int | None
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime | None
    seconds_left: int | None
    submitted_at: dt.datetime | None
    max_score: Decimal
    score: Decimal | None = None
    passed: bool | None = None
    ungraded: int = 0
    unanswered: list[int] = []
    items: list[ItemOut]


def attempt_out(attempt: Attempt) -> dict:
    return selectors.attempt_view(attempt)


class AnswerIn(Schema):
    position: int
    response: Any = None


class AnswersIn(Schema):
    answers: list[AnswerIn]


class SubmitIn(Schema):
    answers: list[AnswerIn] = []


class SavedOut(Schema):
    saved: int
    seconds_left: int | None


class MyExamOut(Schema):
    id: int
    title: str
    kind: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit: int | None
    attempts_allowed: int
    attempts_used: int
    phase: str
    active_attempt_id: int | None
    best_score: Decimal | None
    max_score: Decimal | None


def _pairs(answers: list[AnswerIn]) -> list[tuple[int, Any]]:
    return [(a.position, a.response) for a in answers]


@router.get("/mine", response=list[MyExamOut], summary="我的考试：发给我的已发布考试及我的答题情况")
def my_exams(request):
    _taker(request.auth)
    return selectors.my_exams(request.auth)


@router.post(
    "/{int:exam_id}/attempts",
    response={200: AttemptOut, 201: AttemptOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="开始答题（已有未交的答卷时继续该答卷：同样的试题和剩余时间）",
    exclude_none=True,
)
def attempt_start(request, exam_id: DbInt):
    _taker(request.auth)
    exam = Exam.objects.visible_to(request.auth, "take").select_related("paper").filter(pk=exam_id).first()
    if exam is None:
        raise Http404("考试不存在。")
    attempt, made = services.start(user=request.auth, exam=exam)
    return Status(201 if made else 200, attempt_out(attempt))


@router.get("/attempts/{int:pk}", response={200: AttemptOut, 404: ErrorOut}, summary="我的一份答卷", exclude_none=True)
def attempt_detail(request, pk: DbInt):
    _taker(request.auth)
    attempt = _own_attempt(request.auth, pk)
    if attempt.is_active and attempt.expired():
        attempt = services.close_attempt(attempt)
    return attempt_out(attempt)


@router.put(
    "/attempts/{int:pk}/answers",
    response={200: SavedOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="保存作答（可一次保存多题）；时间已到时系统收卷并答 422",
)
def attempt_save(request, pk: DbInt, payload: AnswersIn):
    _taker(request.auth)
    attempt = services.save_answers(user=request.auth, attempt=_own_attempt(request.auth, pk), answers=_pairs(payload.answers))
    return {"saved": len(payload.answers), "seconds_left": attempt.seconds_left()}


@router.post(
    "/attempts/{int:pk}/submit",
    response={200: AttemptOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="交卷（可同时带上最后的作答）；重复交卷无害，答同样的结果",
    exclude_none=True,
)
def attempt_submit(request, pk: DbInt, payload: SubmitIn | None = None):
    _taker(request.auth)
    answers = _pairs(payload.answers) if payload else []
    attempt = services.submit(user=request.auth, attempt=_own_attempt(request.auth, pk), answers=answers)
    return attempt_out(attempt)


# --- practice -------------------------------------------------------------------------------------


class PracticeIn(Schema):
    bank_id: DbInt | None = None
    category_id: DbInt | None = None
    count: int = 10
    mistakes: bool = False


class FeedbackOut(Schema):
    position: int
    correct: bool | None
    score: Decimal | None
    answer: Any
    explanation: str


class BankOut(Schema):
    id: int
    name: str
    unit: str
    questions: int


class MistakeOut(Schema):
    id: int
    question_id: int
    text: str
    type: str
    times: int
    last_wrong_at: dt.datetime
    cleared: bool


@router.get("/practice/banks", response=list[BankOut], summary="可以练习的题库")
def practice_bank_list(request):
    _taker(request.auth)
    return selectors.practice_banks(request.auth)


@router.post(
    "/practice",
    response={201: AttemptOut, 403: ErrorOut, 422: ErrorOut},
    summary="开始一次练习（从题库或错题本抽题）",
    exclude_none=True,
)
def practice_start(request, payload: PracticeIn):
    _taker(request.auth)
    bank = Bank.objects.filter(pk=payload.bank_id).first() if payload.bank_id else None
    category = Category.objects.filter(pk=payload.category_id).first() if payload.category_id else None
    attempt = services.practice_start(
        user=request.auth, bank=bank, category=category, count=payload.count, mistakes=payload.mistakes
    )
    return Status(201, attempt_out(attempt))


@router.put(
    "/practice/{int:pk}/answers",
    response={200: FeedbackOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="练习作答一题，立即判分并给出答案和解析",
)
def practice_answer(request, pk: DbInt, payload: AnswerIn):
    _taker(request.auth)
    attempt = _own_attempt(request.auth, pk)
    item = services.practice_answer(user=request.auth, attempt=attempt, position=payload.position, response=payload.response)
    return selectors.feedback(item)


@router.post("/practice/{int:pk}/finish", response={200: AttemptOut, 404: ErrorOut, 422: ErrorOut}, summary="结束练习")
def practice_finish(request, pk: DbInt):
    _taker(request.auth)
    return attempt_out(services.practice_finish(user=request.auth, attempt=_own_attempt(request.auth, pk)))


@router.get("/mistakes", response=list[MistakeOut], summary="我的错题本")
def mistake_list(request, cleared: bool = False):
    _taker(request.auth)
    return selectors.mistakes(request.auth, cleared=cleared)


@router.post("/mistakes/{int:pk}/clear", response={204: None, 404: ErrorOut}, summary="把一道错题移出错题本（已掌握）")
def mistake_clear(request, pk: DbInt):
    _taker(request.auth)
    mistake = Mistake.objects.filter(pk=pk, person_id=request.auth.person_id or 0).first()
    if mistake is None:
        raise Http404("错题不存在。")
    services.mistake_clear(user=request.auth, mistake=mistake)
    return Status(204, None)
