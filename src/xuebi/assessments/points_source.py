"""Final grades as a source of points, where a campaign rule says so (rules are data: a LOOKUP rule of source type
``assessment``, kind ``quarterly`` or ``annual``, on the field ``grade`` — e.g. 优秀 10, 好 3). No rule, no points.

``assessments`` sits above ``points`` in the layers (.importlinter), so it calls the engine directly, inside the
transaction that finalises the round (``services.assessment_finalise``), rather than through a signal received by
the points app as the contests and 组工信息 do — they sit below points and may not import it. A final grade never
changes, so a sheet is one source, version 1, and awarding is idempotent through the engine's constraint. The
recompute provider replays every final sheet dated within a campaign.

The date of the points is the round's last day (a quarter's or the year's end): the grade is for that period,
whatever day it was finalised, so it falls in the campaign of the period."""

from __future__ import annotations

from xuebi.campaign.sources import SourceKind, register_source_type
from xuebi.points import engine, recompute

from .models import AnnualGrade, Assessment, Kind, QuarterGrade, Sheet, Status

__all__ = ["SOURCE_TYPE", "source_of", "award_round", "register"]

SOURCE_TYPE = "assessment"


def describe(codes, active_only: bool) -> list[SourceKind]:
    kinds = [
        SourceKind(
            code=Kind.QUARTERLY.value,
            name="平时考核等次",
            fields=[{"key": "grade", "label": "等次", "type": "choice", "choices": [str(c.label) for c in QuarterGrade]}],
        ),
        SourceKind(
            code=Kind.ANNUAL.value,
            name="年度考核等次",
            fields=[{"key": "grade", "label": "等次", "type": "choice", "choices": [str(c.label) for c in AnnualGrade]}],
        ),
    ]
    return [k for k in kinds if codes is None or k.code in set(codes)]


def source_of(sheet: Sheet, assessment: Assessment) -> engine.Source:
    return engine.Source(
        type=SOURCE_TYPE,
        id=str(sheet.pk),
        version=1,
        kind=assessment.kind,
        occurred_on=assessment.end_date,
        label=f"{assessment.period_label}{assessment.get_kind_display()}：{sheet.grade_label}",
        data={"grade": sheet.grade_label},
        participants=(engine.Participation(person_id=sheet.person_id, unit_id=sheet.unit_id, role="author"),),
    )


def award_round(assessment: Assessment, sheets: list[Sheet], *, actor) -> int:
    """Award each final grade of the round what the active rules give it; answers how many entries were written."""
    written = 0
    for sheet in sheets:
        written += len(engine.award(source_of(sheet, assessment), actor=actor))
    return written


def final_sources(campaign) -> list[engine.Source]:
    made = []
    rounds = Assessment.objects.filter(
        status=Status.FINAL, end_date__gte=campaign.start_date, end_date__lte=campaign.end_date
    ).prefetch_related("sheets")
    for assessment in rounds:
        made += [source_of(sheet, assessment) for sheet in assessment.sheets.all() if sheet.grade]
    return made


def register() -> None:
    register_source_type(SOURCE_TYPE, "考核", describe)
    recompute.register_source(SOURCE_TYPE, final_sources)
