"""Reads that know the user: the rounds a user sees, their own sheets, a round's sheets with their evidence, the
tally against the cap, the 公示 list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from . import evidence, quota
from .models import Assessment, Objection, Sheet, Status, top_grade
from .services import quota_of

__all__ = ["rounds", "my_sheets", "sheets_with_evidence", "Tally", "tally", "objections", "is_admin_of"]


def rounds(user) -> QuerySet[Assessment]:
    return (
        Assessment.objects.visible_to(user)
        .select_related("unit")
        .annotate(
            people=Count("sheets"),
            summaries=Count("sheets", filter=~Q(sheets__summary="")),
            proposed_count=Count("sheets", filter=~Q(sheets__proposed="")),
        )
        .order_by("-year", "-quarter", "unit__path", "-pk")
    )


def my_sheets(user) -> QuerySet[Sheet]:
    if not getattr(user, "person_id", None):
        return Sheet.objects.none()
    return (
        Sheet.objects.visible_to(user)
        .filter(person_id=user.person_id)
        .select_related("assessment", "assessment__unit")
        .order_by("-assessment__year", "-assessment__quarter", "-pk")
    )


def is_admin_of(user, assessment: Assessment) -> bool:
    return Assessment.objects.visible_to(user, "change").filter(pk=assessment.pk).exists()


@dataclass
class Tally:
    people: int
    places: int
    top_label: str
    top_given: int
    counts: list[tuple[str, str, int]]  # (code, label, proposed)
    ungraded: int
    share: str

    @property
    def over(self) -> bool:
        return self.top_given > self.places

    @property
    def message(self) -> str:
        return quota.over_cap_message(self.top_label, self.places, self.top_given) or ""


def tally(assessment: Assessment, sheets: list[Sheet]) -> Tally:
    from .services import top_cap

    field = "grade" if assessment.status == Status.FINAL else "proposed"
    given = [getattr(s, field) for s in sheets]
    top = top_grade(assessment.kind)
    return Tally(
        people=len(sheets),
        places=top_cap(assessment, len(sheets)),
        top_label=assessment.top_label,
        top_given=sum(1 for g in given if g == top),
        counts=[(c.value, str(c.label), sum(1 for g in given if g == c.value)) for c in assessment.grades],
        ungraded=sum(1 for g in given if not g),
        share=quota_of(assessment).percent,
    )


def sheets_with_evidence(assessment: Assessment, sheets: QuerySet[Sheet] | None = None) -> list[Sheet]:
    """The round's sheets (or the given ones), each with ``sections``: the registered providers' evidence for the
    round's period. One query for the sheets, one (or two) per provider — whatever the number of people."""
    rows = list((sheets if sheets is not None else assessment.sheets.all()).select_related("person", "unit"))
    found = evidence.gather([s.person_id for s in rows], assessment.start_date, assessment.end_date)
    for sheet in rows:
        sheet.assessment = assessment  # the labels read the round's kind: no query per sheet
        sheet.sections = found.get(sheet.person_id, [])  # type: ignore[attr-defined]
    return rows


def objections(assessment: Assessment) -> QuerySet[Objection]:
    return assessment.objections.select_related("raised_by", "replied_by", "sheet__person")
