"""Every write to assessments. Each checks the writer's reach inside the transaction, validates with messages in
Chinese naming the field, writes, and audits (``assessments.*``).

A round's life (``models``): 考核中 → (公示中) → 已确定.
* ``assessment_open`` — an admin opens a quarter's (or a year's) round for a unit of their subtree: one sheet per
  active person of the unit's subtree that day; an annual round suggests each grade from the year's quarters.
* ``sheet_summary`` — the person writes their 个人小结 (their own sheet only, while the round is 考核中).
* ``grades_propose`` — an admin proposes grades; nobody grades their own sheet (separation of duties).
* ``approval_record`` — annual: a higher 优秀 limit approved by the competent department (who, what document).
* ``assessment_publicise`` — 公示 from a start to an end date; refused over the cap.
* ``objection_raise`` / ``objection_reply`` — during 公示, by anyone of the round / by an admin.
* ``assessment_finalise`` — refused over the cap ("好 最多 3 人，现为 4 人"), with a sheet ungraded, during 公示
  or with an objection unanswered; then every grade is final and frozen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core.formatting import date_text
from xuebi.org.choices import PersonStatus
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import subtree_q

from . import conf, points_source, quota
from .models import (
    AnnualGrade,
    Assessment,
    Kind,
    Objection,
    QuarterGrade,
    Sheet,
    Status,
    grade_label,
)

__all__ = [
    "quarter_dates",
    "quota_of",
    "top_cap",
    "assessment_open",
    "sheet_summary",
    "grades_propose",
    "approval_record",
    "assessment_publicise",
    "objection_raise",
    "objection_reply",
    "assessment_finalise",
    "SUMMARY_MAX",
]

SUMMARY_MAX = 1500
TEXT_MAX = 1000


def quarter_dates(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def quota_of(assessment: Assessment) -> quota.Quota:
    return quota.Quota(share=Decimal(assessment.effective_share), small_unit=assessment.small_unit, count=assessment.top_count)


def top_cap(assessment: Assessment, assessed: int | None = None) -> int:
    if assessed is None:
        assessed = assessment.sheets.count()
    return quota.cap(quota_of(assessment), assessed)


def _admin_round(actor, assessment: Assessment) -> Assessment:
    """The round locked for a write, if the actor is an admin of its unit's subtree (else 404-like refusal)."""
    locked = Assessment.objects.visible_to(actor, "change").select_for_update().filter(pk=assessment.pk).first()
    if locked is None:
        raise PermissionDenied("超出您的管理范围。")
    return locked


def _suggest_annual(person_ids: list[int], year: int, unit: Unit) -> dict[int, tuple[str, str]]:
    """The system's proposal for each person from the final quarterly grades of the year (the eligibility rule):
    优秀 when eligible; 基本称职 with a 较差; else 称职."""
    rows = Sheet.objects.filter(
        person_id__in=person_ids,
        assessment__kind=Kind.QUARTERLY,
        assessment__year=year,
        assessment__status=Status.FINAL,
    ).values_list("person_id", "assessment__quarter", "grade")
    by: dict[int, dict[int, str]] = {pk: {} for pk in person_ids}
    for pk, q, grade in rows:
        if q is not None:
            by[pk][q] = grade
    rule = conf.eligibility()
    out = {}
    for pk, quarters in by.items():
        grades = [quarters[q] for q in sorted(quarters)]
        eligible, why = quota.excellent_eligible(grades, rule)
        if eligible:
            out[pk] = (AnnualGrade.EXCELLENT.value, f"符合优秀条件：{why}")
        elif QuarterGrade.POOR in grades:
            out[pk] = (AnnualGrade.BASIC.value, f"不符合优秀条件：{why}")
        else:
            out[pk] = (AnnualGrade.COMPETENT.value, f"不符合优秀条件：{why}")
    return out


@transaction.atomic
def assessment_open(*, actor, unit: Unit | None, kind: str, year: int | None, quarter: int | None = None) -> Assessment:
    """Open a round for ``unit`` (an admin's unit or one below it): the people of the unit's subtree on the roster
    today (在职) are assessed. A quarter may be opened once it has begun; a year once its last quarter has."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if kind not in Kind.values:
        errors["kind"] = "考核类型应为平时考核或年度考核。"
    if unit is None or not Unit.objects.visible_to(actor, "change").filter(pk=unit.pk).exists():
        errors["unit"] = "请选择您管理范围内的单位。"
    if year is None or not 2000 <= year <= today.year:
        errors["year"] = f"年度应在2000年至{today.year}年之间。"
    if kind == Kind.QUARTERLY and quarter not in (1, 2, 3, 4):
        errors["quarter"] = "季度应为1至4。"
    if errors:
        raise ValidationError(errors)
    assert unit is not None and year is not None
    if kind == Kind.QUARTERLY:
        assert quarter is not None
        start, end = quarter_dates(year, quarter)
        if start > today:
            raise ValidationError({"quarter": f"{year}年第{quarter}季度尚未开始，不能发起考核。"})
        share = conf.quarter_share()
    else:
        quarter = None
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if quarter_dates(year, 4)[0] > today:
            raise ValidationError({"year": f"{year}年第四季度开始后才能发起年度考核。"})
        share = conf.annual_share()
    if Assessment.objects.filter(unit=unit, kind=kind, year=year, quarter=quarter).exists():
        label = f"{year}年第{quarter}季度平时考核" if quarter else f"{year}年度考核"
        raise ValidationError({"unit": f"{unit.name}的{label}已经发起，不能重复发起。"})
    people = list(
        Person.objects.filter(subtree_q([unit.path], "unit"), status=PersonStatus.ACTIVE)
        .order_by("unit__path", "name_pinyin", "pk")
        .values_list("pk", "unit_id", "position")
    )
    if not people:
        raise ValidationError({"unit": f"{unit.name}（含下级）没有在职人员，无法发起考核。"})
    assessment = Assessment.objects.create(
        kind=kind,
        unit=unit,
        year=year,
        quarter=quarter,
        start_date=start,
        end_date=end,
        top_share=Decimal(share.numerator) / Decimal(share.denominator),
        small_unit=conf.small_unit(),
        opened_by=actor,
    )
    suggested = _suggest_annual([p for p, _u, _pos in people], year, unit) if kind == Kind.ANNUAL else {}
    Sheet.objects.bulk_create(
        [
            Sheet(
                assessment=assessment,
                person_id=pk,
                unit_id=unit_id,
                position=position or "",
                suggested=suggested.get(pk, ("", ""))[0],
                suggested_reason=suggested.get(pk, ("", ""))[1],
            )
            for pk, unit_id, position in people
        ]
    )
    audit_record(
        action=Action.ASSESSMENT_OPEN,
        actor=actor,
        target=assessment,
        changes={"unit": [None, unit.name], "period": [None, assessment.period_label], "people": [None, len(people)]},
    )
    return assessment


def _require_open(assessment: Assessment, what: str) -> None:
    if assessment.status != Status.OPEN:
        raise ValidationError(
            f"{assessment.period_label}{assessment.get_kind_display()}{assessment.get_status_display()}，不能再{what}。"
        )


@transaction.atomic
def sheet_summary(*, actor, sheet: Sheet, summary: str) -> Sheet:
    """The person's own 个人小结, while the round is 考核中."""
    locked = Sheet.objects.visible_to(actor, "write").select_for_update().filter(pk=sheet.pk).first()
    if locked is None:
        raise PermissionDenied("只能填写本人的个人小结。")
    _require_open(locked.assessment, "修改个人小结")
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": "请填写个人小结。"})
    if len(summary) > SUMMARY_MAX:
        raise ValidationError({"summary": f"个人小结不能超过{SUMMARY_MAX}字（现为{len(summary)}字）。"})
    before = locked.summary
    locked.summary, locked.summary_at = summary, timezone.now()
    locked.save(update_fields=["summary", "summary_at"])
    audit_record(
        action=Action.ASSESSMENT_SUMMARY,
        actor=actor,
        target=locked,
        changes={"summary": [before or None, summary]},
    )
    return locked


@transaction.atomic
def grades_propose(*, actor, assessment: Assessment, grades: dict[int, str], comments: dict[int, str] | None = None) -> int:
    """Propose grades: {sheet id: grade code ("" clears)}. All or nothing. Nobody grades their own sheet. Answers
    how many sheets changed. The cap is checked when the round is publicised or finalised, not here: a leader may
    draft over it and then decide whom to move."""
    locked = _admin_round(actor, assessment)
    _require_open(locked, "拟定等次")
    comments = comments or {}
    sheets = {s.pk: s for s in locked.sheets.select_related("person").select_for_update()}
    allowed = set(locked.grades.values)
    errors: list[str] = []
    for pk, grade in grades.items():
        sheet = sheets.get(pk)
        if sheet is None:
            errors.append("考核表不属于本次考核。")
        elif grade and grade not in allowed:
            errors.append(f"{sheet.person.name}：等次应为{'、'.join(str(c.label) for c in locked.grades)}之一。")
        elif (
            actor.person_id
            and sheet.person_id == actor.person_id
            and ((grade or "") != sheet.proposed or (comments.get(pk, sheet.comment) or "").strip() != sheet.comment)
        ):
            errors.append(f"{sheet.person.name}：不能为本人拟定等次（职责分离），请由其他领导拟定。")
        elif len(comments.get(pk, "") or "") > 500:
            errors.append(f"{sheet.person.name}：评语不能超过500字。")
    if errors:
        raise ValidationError({"grades": errors})
    changed = 0
    now = timezone.now()
    for pk, grade in grades.items():
        sheet = sheets[pk]
        comment = (comments.get(pk, sheet.comment) or "").strip()
        if sheet.proposed == (grade or "") and sheet.comment == comment:
            continue
        before = sheet.proposed
        sheet.proposed, sheet.comment = grade or "", comment
        sheet.proposed_by, sheet.proposed_at = actor, now
        sheet.save(update_fields=["proposed", "comment", "proposed_by", "proposed_at"])
        audit_record(
            action=Action.ASSESSMENT_GRADE,
            actor=actor,
            target=sheet,
            changes={"proposed": [grade_label(locked.kind, before) or None, grade_label(locked.kind, grade) or None]},
        )
        changed += 1
    return changed


def _cap_check(assessment: Assessment) -> None:
    sheets = list(assessment.sheets.values_list("proposed", flat=True))
    missing = sum(1 for g in sheets if not g)
    if missing:
        raise ValidationError(f"还有 {missing} 人未拟定等次。")
    places = top_cap(assessment, len(sheets))
    given = sum(1 for g in sheets if g == assessment.top)
    refused = quota.over_cap_message(assessment.top_label, places, given)
    if refused:
        raise ValidationError(
            f"{refused}（{len(sheets)} 人参加考核，{assessment.top_label}等次比例 "
            f"{quota_of(assessment).percent}{'，已批准提高' if assessment.approved_share is not None else ''}）"
        )


@transaction.atomic
def approval_record(*, actor, assessment: Assessment, share: Decimal | None, approved_by: str, document: str) -> Assessment:
    """年度考核: record that the competent department approved a higher 优秀 share (e.g. 25%), who approved and on
    what document. Refused above the configured maximum, or not above the default."""
    locked = _admin_round(actor, assessment)
    if locked.kind != Kind.ANNUAL:
        raise ValidationError("只有年度考核可以提高优秀比例。")
    _require_open(locked, "修改优秀比例")
    errors: dict[str, str] = {}
    highest = conf.annual_max_approved()
    approved_by, document = (approved_by or "").strip(), (document or "").strip()
    if share is None:
        errors["share"] = "请填写批准的比例（如 25%）。"
    elif not locked.top_share < share <= Decimal(highest.numerator) / Decimal(highest.denominator):
        errors["share"] = (
            f"批准的比例应高于 {quota.Quota(share=locked.top_share).percent}，且不超过 {quota.Quota(share=highest).percent}。"
        )
    if not approved_by:
        errors["approved_by"] = "请填写批准单位（人）。"
    elif len(approved_by) > 100:
        errors["approved_by"] = "批准单位（人）不能超过100字。"
    if not document:
        errors["document"] = "请填写批准文号。"
    elif len(document) > 100:
        errors["document"] = "批准文号不能超过100字。"
    if errors:
        raise ValidationError(errors)
    before = [locked.approved_share, locked.approved_by, locked.approval_document]
    locked.approved_share, locked.approved_by, locked.approval_document = share, approved_by, document
    locked.approval_recorded_by = actor
    locked.save(update_fields=["approved_share", "approved_by", "approval_document", "approval_recorded_by"])
    audit_record(
        action=Action.ASSESSMENT_APPROVE,
        actor=actor,
        target=locked,
        changes={
            "approved_share": [str(before[0]) if before[0] is not None else None, str(share)],
            "approved_by": [before[1] or None, approved_by],
            "document": [before[2] or None, document],
        },
    )
    return locked


@transaction.atomic
def assessment_publicise(*, actor, assessment: Assessment, start: dt.date | None, end: dt.date | None) -> Assessment:
    """公示: the proposed grades are shown to the people of the round from ``start`` to ``end`` (inclusive)."""
    locked = _admin_round(actor, assessment)
    _require_open(locked, "公示")
    errors: dict[str, str] = {}
    if start is None:
        errors["start"] = "请填写公示开始日期。"
    if end is None:
        errors["end"] = "请填写公示结束日期。"
    elif start is not None and end < start:
        errors["end"] = "公示结束日期不能早于开始日期。"
    if start is not None and start < timezone.localdate():
        errors["start"] = "公示开始日期不能早于今天。"
    if errors:
        raise ValidationError(errors)
    _cap_check(locked)
    locked.status, locked.publicity_start, locked.publicity_end = Status.PUBLICISED, start, end
    locked.save(update_fields=["status", "publicity_start", "publicity_end"])
    audit_record(
        action=Action.ASSESSMENT_PUBLICISE,
        actor=actor,
        target=locked,
        changes={"status": [str(Status.OPEN.label), str(Status.PUBLICISED.label)], "publicity": [None, f"{start}～{end}"]},
    )
    return locked


@transaction.atomic
def objection_raise(*, actor, assessment: Assessment, text: str, sheet: Sheet | None = None) -> Objection:
    """An objection to the publicised results, by anyone who sees the round, during 公示."""
    locked = Assessment.objects.visible_to(actor).select_for_update().filter(pk=assessment.pk).first()
    if locked is None:
        raise PermissionDenied("超出您的范围。")
    today = timezone.localdate()
    if locked.status != Status.PUBLICISED or not (locked.publicity_start <= today <= locked.publicity_end):
        raise ValidationError("不在公示期内，不能提出异议。")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写异议内容。"})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"异议内容不能超过{TEXT_MAX}字。"})
    if sheet is not None and sheet.assessment_id != locked.pk:
        raise ValidationError({"sheet": "涉及人员不在本次考核中。"})
    objection = Objection.objects.create(assessment=locked, sheet=sheet, raised_by=actor, text=text)
    audit_record(action=Action.ASSESSMENT_OBJECTION, actor=actor, target=locked, changes={"objection": [None, text]})
    return objection


@transaction.atomic
def objection_reply(*, actor, objection: Objection, reply: str) -> Objection:
    locked = _admin_round(actor, objection.assessment)
    if locked.status == Status.FINAL:
        raise ValidationError("考核结果已确定，不能再答复异议。")
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": "请填写答复。"})
    if len(reply) > TEXT_MAX:
        raise ValidationError({"reply": f"答复不能超过{TEXT_MAX}字。"})
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    before = objection.reply
    objection.reply, objection.replied_by, objection.replied_at = reply, actor, timezone.now()
    objection.save(update_fields=["reply", "replied_by", "replied_at"])
    audit_record(
        action=Action.ASSESSMENT_REPLY,
        actor=actor,
        target=locked,
        changes={"objection": [None, objection.text[:100]], "reply": [before or None, reply]},
    )
    return objection


@transaction.atomic
def assessment_finalise(*, actor, assessment: Assessment) -> Assessment:
    """确定: the proposed grades become final and frozen. Refused over the cap, with a sheet ungraded, before the
    公示 has ended, or with an objection unanswered. An annual round is finalised only after its 公示."""
    locked = _admin_round(actor, assessment)
    today = timezone.localdate()
    if locked.status == Status.FINAL:
        raise ValidationError("考核结果已经确定。")
    if locked.kind == Kind.ANNUAL and locked.status != Status.PUBLICISED:
        raise ValidationError("年度考核结果须先公示，公示期满后才能确定。")
    if locked.status == Status.PUBLICISED:
        assert locked.publicity_end is not None
        if today <= locked.publicity_end:
            raise ValidationError(f"公示期至{date_text(locked.publicity_end)}，期满后才能确定。")
        waiting = locked.objections.filter(reply="").count()
        if waiting:
            raise ValidationError(f"还有 {waiting} 条公示异议未答复。")
    _cap_check(locked)
    sheets = list(locked.sheets.select_related("person"))
    for sheet in sheets:
        sheet.grade = sheet.proposed
        sheet.save(update_fields=["grade"])
    before = str(locked.get_status_display())
    locked.status, locked.finalised_at, locked.finalised_by = Status.FINAL, timezone.now(), actor
    locked.save(update_fields=["status", "finalised_at", "finalised_by"])
    counts: dict[str, int] = {}
    for sheet in sheets:
        sheet.assessment = locked
        counts[sheet.grade_label] = counts.get(sheet.grade_label, 0) + 1
    points_source.award_round(locked, sheets, actor=actor)  # where a campaign rule counts grades
    audit_record(
        action=Action.ASSESSMENT_FINALISE,
        actor=actor,
        target=locked,
        changes={
            "status": [before, str(Status.FINAL.label)],
            "grades": [None, "，".join(f"{k} {v} 人" for k, v in counts.items())],
        },
    )
    return locked
