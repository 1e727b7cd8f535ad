"""Exams as a source of points: the attempt that counts (highest or last, as the exam says) gives
what the exam's rule says for its result — 满分 or 及格 (a lookup rule the exam's settings make,
``exams.services._sync_rule``). One source per person and exam (``<exam>:<person>``); when the
counted attempt or its marking changes (a better second attempt, a short answer marked, a
regrade) the standing award is reversed and the new one given — reversal + new award, never an
edit. Runs in the task that follows a finished attempt, not in the taker's request. The exams app
never imports points."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from xuebi.exams import events
from xuebi.exams.models import Attempt, Exam, ExamStatus
from xuebi.exams.services import Result, result_of

from . import engine, recompute
from .models import EntryType, PointEntry

SOURCE_TYPE = "exam"


def source_id(exam: Exam, person_id: int) -> str:
    return f"{exam.pk}:{person_id}"


def source_from_result(exam: Exam, result: Result) -> engine.Source | None:
    attempt = result.attempt
    if attempt is None or not result.result:
        return None
    day = timezone.localtime(attempt.submitted_at).date() if attempt.submitted_at else timezone.localdate()
    return engine.Source(
        type=SOURCE_TYPE,
        id=source_id(exam, attempt.person_id),
        version=result.version,
        kind=exam.source_kind,
        occurred_on=day,
        label=f"{exam.title}：{result.result}（{attempt.score.normalize():f}分）" if attempt.score is not None else exam.title,
        data={"result": result.result},
        participants=(engine.Participation(person_id=attempt.person_id, unit_id=attempt.unit_id, role="author"),),
    )


@receiver(events.result_changed)
@transaction.atomic
def _changed(sender, exam, person_id, actor=None, **kwargs):
    result = result_of(exam, person_id)
    source = source_from_result(exam, result)
    standing = PointEntry.objects.filter(
        entry_type=EntryType.AWARD, source_type=SOURCE_TYPE, source_id=source_id(exam, person_id), reversed_by__isnull=True
    )
    stale = set(standing.exclude(source_version=source.version if source else -1).values_list("source_version", flat=True))
    for version in sorted(stale):
        engine.reverse(SOURCE_TYPE, source_id(exam, person_id), reason="考试成绩变更", actor=actor, version=version)
    if source is not None:
        engine.award(source, actor=actor)


@receiver(events.exam_cancelled)
def _cancelled(sender, exam, actor, reason, **kwargs):
    people = set(Attempt.objects.filter(exam=exam).values_list("person_id", flat=True))
    for person_id in sorted(people):
        engine.reverse(SOURCE_TYPE, source_id(exam, person_id), reason=f"考试撤销：{reason}", actor=actor)


def exam_results(campaign) -> list[engine.Source]:
    """The exams' sources for a recomputation: each person's counted result of every exam."""
    made = []
    for exam in Exam.objects.exclude(status=ExamStatus.CANCELLED).filter(
        closes_at__date__gte=campaign.start_date, opens_at__date__lte=campaign.end_date
    ):
        for person_id in Attempt.objects.counted(exam).values_list("person_id", flat=True):
            if (source := source_from_result(exam, result_of(exam, person_id))) is not None:
                made.append(source)
    return made


recompute.register_source(SOURCE_TYPE, exam_results)
