"""The exams' background work: what follows a finished attempt (the 错题本, the points), on the
task queue so that a burst of submissions at the deadline only marks and stores; and the periodic
closing of attempts whose time ran out while nobody was looking (``close_at_deadline``, with a
daily ``close_expired`` behind it)."""

from __future__ import annotations

from django_tasks import task

from xuebi.jobs import schedule

from . import events, services
from .models import Exam


@task()
def result_changed(exam_id: int, person_id: int) -> None:
    follow_result(exam_id, person_id)


def follow_result(exam_id: int, person_id: int) -> None:
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        return
    services.note_mistakes(exam_id, person_id)
    events.result_changed.send(sender=Exam, exam=exam, person_id=person_id)


@task()
def announce(exam_id: int) -> None:
    services.announce(exam_id)


@task()
def close_at_deadline(attempt_id: int) -> None:
    """Enqueued when an attempt starts, to run at its deadline: a taker who closed the browser
    and never came back is marked with what they saved."""
    from .models import Attempt

    attempt = Attempt.objects.filter(pk=attempt_id, status="active").first()
    if attempt is not None and attempt.expired():
        services.close_attempt(attempt)


def register() -> None:
    # the backstop of ``close_at_deadline`` (a queue that lost a task, a worker that was down)
    schedule.register("exams.close_expired", "daily", services.close_expired)
