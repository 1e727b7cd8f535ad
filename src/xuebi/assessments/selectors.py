"""Reads that know the user: the rounds a user sees, their own sheets, a round's sheets with their evidence, the
tally against the cap, the 公示 list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from xuebi.core.formatting import points_text
from xuebi.org.choices import PersonStatus
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import subtree_q

from . import basis, conf, evidence, quota
from .models import Assessment, Objection, Sheet, Status, grade_label, top_grade
from .services import quota_of

__all__ = [
    "rounds",
    "my_sheets",
    "sheets_with_evidence",
    "Tally",
    "tally",
    "objections",
    "is_admin_of",
    "Basis",
    "basis_for",
]


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


# --- 评优评先 basis ------------------------------------------------------------------------------


@dataclass
class Basis:
    unit: Unit
    year: int
    components: list[basis.Component]
    ranked: list[basis.Ranked]
    missing: list[str]  # weighted components no provider answers for (e.g. checklists before that app exists)

    @property
    def title(self) -> str:
        return f"{self.unit.name}{self.year}年度评优评先人选综合排序"

    def table(self) -> tuple[list[str], list[list]]:
        headers = ["名次", "姓名", "单位", *[f"{c.label}（权重{c.weight}）" for c in self.components], "综合得分"]
        rows = [
            [
                r.rank,
                r.candidate.name,
                r.candidate.unit,
                *[r.candidate.details.get(c.key, "") for c in self.components],
                points_text(r.score),
            ]
            for r in self.ranked
        ]
        return headers, rows


GRADES_KEY = "grades"


def _grade_values(person_ids: list[int], year: int) -> dict[int, tuple[Decimal | None, str]]:
    """The year's final grades as one number each: the annual grade when there is one, else the mean of the final
    quarterly grades (``conf.GRADE_VALUES``), with the words shown."""
    rows = Sheet.objects.filter(person_id__in=person_ids, assessment__year=year, assessment__status=Status.FINAL).values_list(
        "person_id", "assessment__kind", "assessment__quarter", "grade"
    )
    annual: dict[int, str] = {}
    quarters: dict[int, list[tuple[int, str]]] = {}
    for pk, kind, quarter, grade in rows:
        if kind == "annual":
            annual[pk] = grade
        else:
            quarters.setdefault(pk, []).append((quarter or 0, grade))
    out: dict[int, tuple[Decimal | None, str]] = {}
    for pk in person_ids:
        if pk in annual:
            out[pk] = (Decimal(conf.GRADE_VALUES.get(annual[pk], 0)), f"年度{grade_label('annual', annual[pk])}")
        elif pk in quarters:
            got = sorted(quarters[pk])
            mean = sum((Decimal(conf.GRADE_VALUES.get(g, 0)) for _q, g in got), Decimal(0)) / len(got)
            out[pk] = (mean, "、".join(f"{q}季度{grade_label('quarterly', g)}" for q, g in got))
        else:
            out[pk] = (None, "")
    return out


def basis_for(unit: Unit, year: int, weights: dict[str, int | Decimal]) -> Basis:
    """The candidates of ``unit``'s subtree (active people) for ``year``, ranked. The caller has checked the unit is
    in the user's reach (``Unit.objects.visible_to(user, "change")``)."""
    people = list(
        Person.objects.filter(subtree_q([unit.path], "unit"), status=PersonStatus.ACTIVE)
        .select_related("unit")
        .order_by("unit__path", "name_pinyin", "pk")
    )
    ids = [p.pk for p in people]
    registered = {r.name: r for r in evidence.providers()}
    components, missing = [], []
    for key, weight in weights.items():
        if key == GRADES_KEY:
            components.append(basis.Component(key=key, label="考核等次", weight=Decimal(weight)))
        elif key in registered:
            components.append(basis.Component(key=key, label=registered[key].label, weight=Decimal(weight)))
        else:
            missing.append(key)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    wanted = [c.key for c in components if c.key != GRADES_KEY]
    found = evidence.gather(ids, start, end, only=wanted) if wanted else {}
    grades = _grade_values(ids, year) if any(c.key == GRADES_KEY for c in components) else {}
    candidates = []
    for person in people:
        values: dict[str, Decimal | None] = {}
        details: dict[str, str] = {}
        for section in found.get(person.pk, []):
            numbers = [r.value for r in section.rows if r.value is not None]
            values[section.name] = sum(numbers, Decimal(0)) if numbers else None
            details[section.name] = points_text(values[section.name]) if numbers else "—"
        if person.pk in grades:
            values[GRADES_KEY], details[GRADES_KEY] = grades[person.pk][0], grades[person.pk][1] or "—"
        candidates.append(
            basis.Candidate(person_id=person.pk, name=person.name, unit=person.unit.name, values=values, details=details)
        )
    return Basis(unit=unit, year=year, components=components, ranked=basis.rank(candidates, components), missing=missing)
