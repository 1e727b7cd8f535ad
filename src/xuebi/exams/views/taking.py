"""The taker's pages: 我的考试, an exam's page, the answer sheet (one question a screen or the
whole paper; answers kept as they are given, a countdown, 交卷 with the unanswered listed — the
script ``static/exams/take.js`` does that through the API, and without it the sheet is a plain
form that saves and hands in), the result, 练习 and 错题本."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.permissions import require_role

from .. import selectors, services
from ..forms import PracticeForm
from ..models import Attempt, Exam, Layout, Mistake, QuestionType

TAKERS = (Role.CADRE, Role.REVIEWER, *ADMIN_ROLES)


def _own_attempt(request, pk: int) -> Attempt:
    attempt = Attempt.objects.filter(pk=pk, person_id=request.user.person_id or 0).select_related("exam", "bank").first()
    if attempt is None:
        raise Http404("答卷不存在。")
    return attempt


def _take_exam(request, pk: int) -> Exam:
    exam = Exam.objects.visible_to(request.user, "take").filter(pk=pk).select_related("unit").first()
    if exam is None:
        raise Http404("考试不存在。")
    return exam


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def mine(request):
    require_role(request, *TAKERS)
    is_admin = request.user.has_role(*ADMIN_ROLES)
    return render(
        request,
        "exams/take/mine.html",
        {
            "exams": selectors.my_exams(request.user) if request.user.person_id else [],
            "has_person": bool(request.user.person_id),
            "mistakes": selectors.open_mistakes(request.user),
            "can_practice": bool(selectors.practice_banks(request.user)),
            "is_admin": is_admin,
        },
    )


@login_required
def exam_page(request, pk: int):
    """An exam as its taker sees it: what it is, its rules, their attempts and the start button.
    The organiser's view of it is ``manage.exam_admin``."""
    require_role(request, *TAKERS)
    exam = _take_exam(request, pk)
    attempts = list(selectors.my_attempts(request.user, exam))
    active = next((a for a in attempts if a.is_active), None)
    now = timezone.now()
    return render(
        request,
        "exams/take/exam.html",
        {
            "exam": exam,
            "attempts": attempts,
            "active": active,
            "can_start": exam.is_open(now) and (active is not None or len(attempts) < exam.attempts_allowed),
            "max_score": services.max_score(exam.paper),
            "now": now,
        },
    )


@login_required
@require_POST
def start(request, pk: int):
    require_role(request, *TAKERS)
    exam = _take_exam(request, pk)
    try:
        attempt, _made = services.start(user=request.user, exam=exam)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("exams:exam", pk=exam.pk)
    return redirect("exams:attempt", pk=attempt.pk)


def _posted_answers(request, attempt: Attempt) -> list[tuple[int, object]]:
    """The answers of the plain form (no script): ``q<position>`` fields as each type posts them."""
    answers: list[tuple[int, object]] = []
    for item in attempt.items.only("position", "shown"):
        name = f"q{item.position}"
        qtype = item.shown["type"]
        if qtype == QuestionType.MULTIPLE:
            values = request.POST.getlist(name)
            response: object = [int(v) for v in values if v.isdigit()] if values else None
        elif qtype == QuestionType.SINGLE:
            value = request.POST.get(name, "")
            response = [int(value)] if value.isdigit() else None
        elif qtype == QuestionType.TRUE_FALSE:
            value = request.POST.get(name, "")
            response = [value == "true"] if value in ("true", "false") else None
        elif qtype == QuestionType.FILL:
            values = request.POST.getlist(name)
            response = values if any(v.strip() for v in values) else None
        else:
            value = request.POST.get(name, "")
            response = [value] if value.strip() else None
        if response is not None or name in request.POST:
            answers.append((item.position, response))
    return answers


@login_required
def attempt_page(request, pk: int):
    require_role(request, *TAKERS)
    attempt = _own_attempt(request, pk)
    if attempt.is_active and attempt.expired():
        attempt = services.close_attempt(attempt)
        messages.warning(request, "答题时间已到，系统已按已保存的答案收卷。")
    if attempt.is_practice:
        return redirect("exams:practice_page", pk=attempt.pk)
    view = selectors.attempt_view(attempt)
    exam = attempt.exam
    template = "exams/take/sheet.html" if attempt.is_active else "exams/take/result.html"
    layout = request.GET.get("layout") or (exam.layout if exam else Layout.ONE)
    return render(
        request,
        template,
        {
            "attempt": attempt,
            "exam": exam,
            "view": view,
            "layout": layout if layout in Layout.values else Layout.ONE,
            "reveal": exam is not None and exam.reveals_to_taker() and not attempt.is_active,
            "answered": sum(1 for item in view["items"] if item["response"] is not None),
        },
    )


@login_required
@require_POST
def attempt_save(request, pk: int):
    """The plain form's 保存 and 交卷 (the script uses the API)."""
    require_role(request, *TAKERS)
    attempt = _own_attempt(request, pk)
    answers = _posted_answers(request, attempt)
    try:
        if request.POST.get("action") == "submit":
            done = services.submit(user=request.user, attempt=attempt, answers=answers)
            messages.success(request, "已交卷。" if done.status == "submitted" else "答题时间已到，已按保存的答案收卷。")
        else:
            services.save_answers(user=request.user, attempt=attempt, answers=answers)
            messages.success(request, "已保存。")
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("exams:attempt", pk=attempt.pk)


# --- practice and the 错题本 -----------------------------------------------------------------------


@login_required
def practice(request):
    require_role(request, *TAKERS)
    form = PracticeForm(request.POST or None, user=request.user)
    if request.method == "POST":
        mistakes = request.POST.get("mistakes") == "1"
        if mistakes or form.is_valid():
            try:
                attempt = services.practice_start(
                    user=request.user,
                    bank=None if mistakes else form.cleaned_data["bank"],
                    category=None if mistakes else form.cleaned_data.get("category"),
                    count=10 if mistakes else form.cleaned_data["count"],
                    mistakes=mistakes,
                )
                return redirect("exams:practice_page", pk=attempt.pk)
            except ValidationError as exc:
                _refused(request, exc)
    return render(request, "exams/take/practice.html", {"form": form, "mistakes": selectors.open_mistakes(request.user)})


@login_required
def practice_page(request, pk: int):
    require_role(request, *TAKERS)
    attempt = _own_attempt(request, pk)
    if not attempt.is_practice:
        return redirect("exams:attempt", pk=attempt.pk)
    if request.method == "POST":
        position = request.POST.get("position", "")
        answers = _posted_answers(request, attempt)
        response = next((r for p, r in answers if str(p) == position), None)
        try:
            if request.POST.get("action") == "finish":
                services.practice_finish(user=request.user, attempt=attempt)
            else:
                services.practice_answer(
                    user=request.user, attempt=attempt, position=int(position) if position.isdigit() else 0, response=response
                )
        except ValidationError as exc:
            _refused(request, exc)
        return redirect("exams:practice_page", pk=attempt.pk)
    view = selectors.attempt_view(attempt)
    right = sum(1 for item in view["items"] if item.get("correct"))
    answered = sum(1 for item in view["items"] if item.get("score") is not None)
    return render(
        request, "exams/take/practice_sheet.html", {"attempt": attempt, "view": view, "right": right, "answered": answered}
    )


@login_required
def mistake_list(request):
    require_role(request, *TAKERS)
    return render(request, "exams/take/mistakes.html", {"rows": selectors.mistakes(request.user)})


@login_required
@require_POST
def mistake_clear(request, pk: int):
    require_role(request, *TAKERS)
    mistake = Mistake.objects.filter(pk=pk, person_id=request.user.person_id or 0).first()
    if mistake is None:
        raise Http404("错题不存在。")
    services.mistake_clear(user=request.user, mistake=mistake)
    messages.success(request, "已移出错题本。")
    return redirect("exams:mistakes")


urlpatterns = [
    path("", mine, name="mine"),
    path("<int:pk>/", exam_page, name="exam"),
    path("<int:pk>/start/", start, name="start"),
    path("attempts/<int:pk>/", attempt_page, name="attempt"),
    path("attempts/<int:pk>/save/", attempt_save, name="attempt_save"),
    path("practice/", practice, name="practice"),
    path("practice/<int:pk>/", practice_page, name="practice_page"),
    path("mistakes/", mistake_list, name="mistakes"),
    path("mistakes/<int:pk>/clear/", mistake_clear, name="mistake_clear"),
]
