"""What the taker's pages and API read: their exams, an attempt as the taker may see it (no key
before it is done, and after only when the exam shows answers), practice banks, the 错题本."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import DONE_STATUSES, Attempt, AttemptItem, AttemptStatus, Bank, Exam, Mistake


def item_view(item: AttemptItem, *, reveal: bool, scored: bool) -> dict[str, Any]:
    shown = item.shown
    out: dict[str, Any] = {
        "position": item.position,
        "type": shown["type"],
        "text": shown["text"],
        "options": shown.get("options") or [],
        "blanks": shown.get("blanks") or 0,
        "points": item.points,
        "response": item.response,
    }
    if shown["type"] == "fill":
        given = list(item.response or [])
        out["blank_values"] = given + [""] * (int(shown.get("blanks") or 1) - len(given))
    if scored:
        out["score"], out["correct"] = item.score, item.correct
    if reveal:
        out["answer"] = item.key.get("answer")
        out["answer_text"] = answer_text(shown["type"], item.key.get("answer") or [])
        out["explanation"] = item.key.get("explanation") or ""
        out["reference"] = item.key.get("reference") or None
    return out


LETTERS = "ABCDEFGH"


def answer_text(qtype: str, answer: list) -> str:
    """The key as a person reads it: "B", "A、B、C", "正确", "1921（或 1921年）；上海"."""
    if qtype in ("single", "multiple"):
        return "、".join(LETTERS[i] for i in answer if 0 <= i < len(LETTERS))
    if qtype == "truefalse":
        return "正确" if answer and answer[0] else "错误"
    if qtype == "fill":
        return "；".join(
            f"{accepted[0]}（或 {'、'.join(accepted[1:])}）" if len(accepted) > 1 else accepted[0]
            for accepted in answer
            if accepted
        )
    return ""


def attempt_view(attempt: Attempt, now=None) -> dict[str, Any]:
    """The attempt for its taker. An exam's score and review follow the exam's 答案和解析 setting;
    a practice question shows its key once answered."""
    now = now or timezone.now()
    done = attempt.status in DONE_STATUSES
    exam = attempt.exam
    reveal_all = done and exam is not None and exam.reveals_to_taker(now)
    items = list(attempt.items.all())
    return {
        "id": attempt.pk,
        "exam_id": attempt.exam_id,
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "seconds_left": attempt.seconds_left(now) if attempt.is_active else None,
        "submitted_at": attempt.submitted_at,
        "max_score": attempt.max_score,
        "score": attempt.score if done or attempt.is_practice else None,
        "passed": attempt.passed if done else None,
        "ungraded": attempt.ungraded if done else 0,
        "unanswered": [item.position for item in items if item.response is None],
        "items": [
            item_view(
                item,
                reveal=reveal_all or (attempt.is_practice and item.score is not None),
                scored=reveal_all or (attempt.is_practice and item.score is not None),
            )
            for item in items
        ],
    }


def feedback(item: AttemptItem) -> dict[str, Any]:
    return {
        "position": item.position,
        "correct": item.correct,
        "score": item.score,
        "answer": item.key.get("answer"),
        "explanation": item.key.get("explanation") or "",
    }


def my_exams(user, now=None) -> list[dict[str, Any]]:
    """The published exams that reach the user, newest first, each with how they stand in it."""
    now = now or timezone.now()
    exams = list(Exam.objects.visible_to(user, "take").order_by("-opens_at", "-pk")[:200])
    mine = {
        row["exam_id"]: row
        for row in Attempt.objects.filter(exam__in=exams, person_id=user.person_id or 0)
        .values("exam_id")
        .annotate(
            used=Count("pk"),
            best=Max("score", filter=Q(status__in=DONE_STATUSES)),
            active=Max("pk", filter=Q(status=AttemptStatus.ACTIVE)),
            full=Max("max_score"),
        )
    }
    out = []
    for exam in exams:
        row: dict[str, Any] = dict(mine.get(exam.pk) or {})
        out.append(
            {
                "id": exam.pk,
                "title": exam.title,
                "kind": exam.kind,
                "kind_label": exam.get_kind_display(),
                "opens_at": exam.opens_at,
                "closes_at": exam.closes_at,
                "time_limit": exam.time_limit,
                "attempts_allowed": exam.attempts_allowed,
                "attempts_used": row.get("used", 0),
                "phase": exam.phase_label(now),
                "is_open": exam.is_open(now),
                "active_attempt_id": row.get("active"),
                "best_score": row.get("best"),
                "max_score": row.get("full"),
                "room": exam.room,
            }
        )
    return out


def my_attempts(user, exam: Exam):
    return Attempt.objects.filter(exam=exam, person_id=user.person_id or 0).order_by("number")


def practice_banks(user) -> list[dict[str, Any]]:
    rows = (
        Bank.objects.visible_to(user, "practice")
        .filter(practice_open=True)
        .select_related("unit")
        .annotate(n=Count("questions", filter=Q(questions__is_active=True) & ~Q(questions__type="short")))
        .order_by("unit__path", "name")
    )
    return [{"id": b.pk, "name": b.name, "unit": b.unit.name, "questions": b.n} for b in rows]


def mistakes(user, *, cleared: bool = False) -> list[dict[str, Any]]:
    rows = (
        Mistake.objects.filter(person_id=user.person_id or 0, cleared=cleared)
        .select_related("question")
        .order_by("-last_wrong_at", "-pk")[:500]
    )
    return [
        {
            "id": m.pk,
            "question_id": m.question_id,
            "text": m.question.text,
            "type": m.question.type,
            "type_label": m.question.get_type_display(),
            "times": m.times,
            "last_wrong_at": m.last_wrong_at,
            "cleared": m.cleared,
        }
        for m in rows
    ]


def open_mistakes(user) -> int:
    return Mistake.objects.filter(person_id=user.person_id or 0, cleared=False, question__is_active=True).count()


def exam_admin_list(user):
    """Exams the user organises or follows (admins), newest first."""
    return Exam.objects.visible_to(user).select_related("unit", "paper").order_by("-opens_at", "-pk")
