"""Every write to ledger records: create, edit, submit, review, correct (STYLE.md services).

Each function validates, runs in one transaction, re-checks scope, writes a ``RecordEvent`` (the
record's visible history) and an audit entry, and sends the ``events`` signals that the points
engine listens to. A failed call leaves nothing behind.

State machine::

    draft ──submit──▶ submitted ──approve──▶ approved (frozen; version n)
      ▲                  │                     │  └─ correction_propose → correction_approve
      └──── returned ◀───┘ return              │       (version n+1) / correction_reject
               ▲──────────────────────────────┘ reopen (admin, with a reason)

A kind that needs no review goes from submit straight to approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, OuterRef, Q, Value, When
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff
from xuebi.campaign.models import check_activity_date
from xuebi.org.models import Person, Unit, UnitMembership

from .. import changes, events
from xuebi.core import evidence as evidence_files
from ..choices import CorrectionStatus, FieldType, ParticipantRole, RecordEventKind, RecordStatus, StudyLevel
from ..models import (
    Evidence,
    Participant,
    Record,
    RecordCorrection,
    RecordEvent,
    RecordKind,
    RecordKindVersion,
    RecordVersion,
)
from ..schema import title_for
from .kinds import current_schema

__all__ = [
    "RecordInput",
    "record_create",
    "record_update",
    "record_submit",
    "record_delete",
    "record_return",
    "record_approve",
    "records_approve",
    "record_reopen",
    "correction_propose",
    "correction_approve",
    "correction_reject",
    "evidence_add",
    "evidence_remove",
    "decision_conflict",
    "decidable_by",
    "proposed_conflict",
]

MAX_HOURS = Decimal(24)


@dataclass
class RecordInput:
    """What a writer says about a record. Views and the API build one from validated input."""

    occurred_on: dt.date
    unit: Unit | None = None
    author: Person | None = None
    data: dict = field(default_factory=dict)
    study_level: str = ""
    attendees: list[tuple[Person, Decimal | None]] = field(default_factory=list)
    author_hours: Decimal | None = None
    presenter: Person | None = None
    files: list[tuple[str, Any]] = field(default_factory=list)


# --- validation -------------------------------------------------------------------------------


def _pickable(actor):
    return Person.objects.visible_to(actor, "pick").filter(status="active")


def _check(actor, kind: RecordKind, values: RecordInput) -> tuple[Person, Unit, list[tuple[str, evidence_files.CheckedFile]]]:
    """All checks before anything is written. ValidationError keyed by field, in Chinese."""
    errors: dict[str, list[str]] = {}

    def fail(key, message):
        errors.setdefault(key, []).append(message)

    if not kind.is_active:
        fail("kind", f"台账类型“{kind.name}”已停用。")
    author = values.author or getattr(actor, "person", None)
    if author is None:
        fail("author", "请选择记录人：您的账号未关联花名册人员。")
    elif author.pk != actor.person_id and not _pickable(actor).filter(pk=author.pk).exists():
        fail("author", f"记录人“{author.name}”不在您的管理范围内。")
    unit = values.unit or (author.unit if author else None)
    if unit is not None and not Unit.objects.visible_to(actor).filter(pk=unit.pk, is_active=True).exists():
        fail("unit", f"单位“{unit.name}”不在您的范围内。")
    try:
        check_activity_date(values.occurred_on, today=timezone.localdate())
    except ValidationError as exc:
        fail("occurred_on", exc.messages[0])
    if kind.has_study_level:
        if values.study_level not in StudyLevel.values:
            fail("study_level", "请选择学习层级（五学联动）。")
    elif values.study_level:
        fail("study_level", f"台账类型“{kind.name}”不记录学习层级。")
    if values.author_hours is not None and not (0 < values.author_hours <= MAX_HOURS):
        fail("author_hours", "学时应大于 0 且不超过 24。")

    if kind.is_group:
        if not values.attendees:
            fail("attendees", "请添加参加人员。")
        ids = [p.pk for p, _ in values.attendees]
        if len(ids) != len(set(ids)):
            fail("attendees", "参加人员有重复。")
        named = set(ids) | ({values.presenter.pk} if values.presenter else set())
        allowed = set(_pickable(actor).filter(pk__in=named).values_list("pk", flat=True))
        if actor.person_id:
            allowed.add(actor.person_id)
        outside = [p.name for p, _ in values.attendees if p.pk not in allowed]
        if values.presenter and values.presenter.pk not in allowed:
            outside.append(values.presenter.name)
        if outside:
            fail("attendees", f"以下人员不在您的范围内：{'、'.join(outside)}。")
        for person, hours in values.attendees:
            if kind.attendee_hours and hours is None:
                fail("attendees", f"请填写“{person.name}”的学时。")
            elif hours is not None and not (0 < hours <= MAX_HOURS):
                fail("attendees", f"“{person.name}”的学时应大于 0 且不超过 24。")
    elif values.attendees:
        fail("attendees", f"台账类型“{kind.name}”是个人记录，不能添加参加人员。")

    checked = []
    for key, upload in values.files:
        try:
            checked.append((key, evidence_files.check_upload(upload)))
        except ValidationError as exc:
            fail(key or "evidence", exc.messages[0])
    if errors:
        raise ValidationError(errors)
    assert author is not None and unit is not None  # each was refused above when missing
    return author, unit, checked


def _units_on(people: list[Person], day: dt.date) -> dict[int, int]:
    """person id → id of the unit they belonged to on ``day`` (points follow the unit at the time)."""
    units = {p.pk: p.unit_id for p in people}
    rows = (
        UnitMembership.objects.filter(
            person_id__in=units,
            start_date__lte=day,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("start_date")
        .values_list("person_id", "unit_id")
    )
    units.update(dict(rows))
    return units


def _participant_rows(author: Person, values: RecordInput) -> list[dict]:
    rows: dict[int, dict] = {}
    rows[author.pk] = {"person": author, "role": ParticipantRole.AUTHOR, "hours": values.author_hours}
    if values.presenter:
        rows[values.presenter.pk] = {"person": values.presenter, "role": ParticipantRole.PRESENTER, "hours": None}
    for person, hours in values.attendees:
        row = rows.setdefault(person.pk, {"person": person, "role": ParticipantRole.ATTENDEE, "hours": None})
        if hours is not None:
            row["hours"] = hours
    return list(rows.values())


def _write_participants(record: Record, rows: list[dict]) -> None:
    record.participants.all().delete()
    units = _units_on([r["person"] for r in rows], record.occurred_on)
    Participant.objects.bulk_create(
        [
            Participant(
                record=record,
                person=r["person"],
                unit_id=units[r["person"].pk],
                role=r["role"],
                hours=r["hours"],
                occurred_on=record.occurred_on,
            )
            for r in rows
        ]
    )


def _participants_json(record: Record) -> list[dict]:
    return [
        {
            "person_id": p.person_id,
            "name": p.person.name,
            "unit_id": p.unit_id,
            "role": p.role,
            "hours": str(p.hours) if p.hours is not None else None,
        }
        for p in record.participants.select_related("person").order_by("pk")
    ]


def _store_files(actor, record: Record, checked) -> None:
    for key, item in checked:
        name, thumb = evidence_files.store(item)
        Evidence.objects.create(
            record=record,
            field_key=key,
            file=name,
            thumbnail=thumb,
            sha256=item.sha256,
            content_type=item.content_type,
            size=item.size,
            original_name=item.original_name,
            uploaded_by=actor,
        )


def _event(record: Record, kind: str, actor, comment: str = "") -> None:
    RecordEvent.objects.create(record=record, kind=kind, actor=actor, comment=comment, version=record.version)


RECORD_AUDIT_FIELDS = ["kind", "unit", "author", "title", "occurred_on", "study_level", "status", "version"]


def _state(record: Record) -> dict:
    return {
        "kind": record.kind.name,
        "unit": record.unit.name,
        "author": record.author.name,
        "title": record.title,
        "occurred_on": record.occurred_on.isoformat(),
        "study_level": record.study_level,
        "status": record.status,
        "version": record.version,
        "data": record.data,
    }


def _lock(record: Record) -> Record:
    # of=("self",): the kind, unit and author are read, not locked — locking the kind's row too
    # made every approval of one kind wait for the others
    return Record.objects.select_for_update(of=("self",)).select_related("kind", "unit", "author").get(pk=record.pk)


def _require(actor, record: Record, action: str, message: str = "找不到该对象，或您无权访问。") -> None:
    if not Record.objects.visible_to(actor, action).filter(pk=record.pk).exists():
        raise PermissionDenied(message)


# --- create, edit, submit ---------------------------------------------------------------------


@transaction.atomic
def record_create(*, actor, kind: RecordKind, values: RecordInput, submit: bool = False) -> Record:

    author, unit, checked = _check(actor, kind, values)
    schema = current_schema(kind)
    record = Record.objects.create(
        kind=kind,
        schema=schema,
        unit=unit,
        author=author,
        created_by=actor,
        occurred_on=values.occurred_on,
        data=values.data,
        study_level=values.study_level,
        title=title_for(schema.fields, values.data, kind.name, values.occurred_on),
    )
    _write_participants(record, _participant_rows(author, values))
    _store_files(actor, record, checked)
    _require(actor, record, "view", "超出您的范围。")
    _event(record, RecordEventKind.CREATE, actor)
    audit_record(actor=actor, action=Action.RECORD_CREATE, target=record, changes=diff({}, _state(record)))
    if submit:
        _submit(actor, record)
    return record


@transaction.atomic
def record_update(*, actor, record: Record, values: RecordInput, submit: bool = False) -> Record:

    _require(actor, record, "edit")
    record = _lock(record)
    if not record.is_editable:
        raise ValidationError("只有草稿或被退回的记录可以修改；已通过的记录请申请更正。")
    kind = record.kind
    values.author = values.author or record.author
    author, unit, checked = _check(actor, kind, values)
    before, shown_before = _state(record), changes.shown_state(record)
    schema = current_schema(kind)
    record.schema, record.unit, record.author = schema, unit, author
    record.occurred_on, record.data, record.study_level = values.occurred_on, values.data, values.study_level
    record.title = title_for(schema.fields, values.data, kind.name, values.occurred_on)
    record.save()
    _write_participants(record, _participant_rows(author, values))
    _store_files(actor, record, checked)
    _require(actor, record, "edit", "超出您的范围。")
    lines = changes.describe(
        shown_before, changes.shown_state(record), added_files=[item.original_name for _key, item in checked]
    )
    _event(record, RecordEventKind.UPDATE, actor, "\n".join(lines))
    audit_record(actor=actor, action=Action.RECORD_UPDATE, target=record, changes=diff(before, _state(record)))
    if submit:
        _submit(actor, record)
    return record


def _submit(actor, record: Record) -> None:
    if record.kind.evidence_required and not record.evidence.exists():
        raise ValidationError({"evidence": f"“{record.kind.name}”须上传佐证材料（照片或文件）后才能提交。"})
    record.status = RecordStatus.SUBMITTED
    record.submitted_at = timezone.now()
    record.review_comment = ""
    record.save(update_fields=["status", "submitted_at", "review_comment", "updated_at"])
    _event(record, RecordEventKind.SUBMIT, actor)
    audit_record(
        actor=actor, action=Action.RECORD_SUBMIT, target=record, changes={"status": [RecordStatus.DRAFT, RecordStatus.SUBMITTED]}
    )
    if not record.kind.review_required:
        _approve(actor, record, "该类型无需审核，提交即通过。")


@transaction.atomic
def record_submit(*, actor, record: Record) -> Record:
    _require(actor, record, "edit")
    record = _lock(record)
    if not record.is_editable:
        raise ValidationError("该记录已提交，不能重复提交。")
    _submit(actor, record)
    return record


@transaction.atomic
def record_delete(*, actor, record: Record) -> None:
    _require(actor, record, "edit")
    record = _lock(record)
    if record.status != RecordStatus.DRAFT:
        raise ValidationError("只有草稿可以删除。")
    audit_record(actor=actor, action=Action.RECORD_DELETE, target=record, changes=diff(_state(record), {}))
    record.delete()


# --- review -----------------------------------------------------------------------------------

# Separation of duties: nobody decides on a record they have a stake in — approve, return, bulk
# approval, 撤销通过 and a correction's approval or rejection alike. Each stake is a condition on
# the record, so one list answers "may this user decide on this record?" (one query) and keeps
# such records out of the review queue (one filter): the rule cannot differ between the two.


def _person_field_keys() -> list[str]:
    """The keys of every person field any kind has had (主持人, 组织者 …): whoever a record names
    in one of them organised or led what it records."""
    keys = {
        d["key"]
        for fields in RecordKindVersion.objects.values_list("fields", flat=True)
        for d in fields
        if d.get("type") == FieldType.PERSON
    }
    return sorted(keys)


def _stakes(user) -> list[tuple[str, Q]]:
    """(why, the records it applies to) for each way ``user`` can have a stake in a record, the
    reason a reviewer would recognise first leading."""
    stakes = []
    person_id = user.person_id
    if person_id:
        stakes += [
            ("这是您本人的记录", Q(author_id=person_id)),
            # every participant — author, presenter, attendee — is whom the rules may award points to
            (
                "您参加了该活动，通过后将计入您的积分",
                Q(Exists(Participant.objects.filter(record=OuterRef("pk"), person_id=person_id))),
            ),
        ]
        named = Q()
        for key in _person_field_keys():
            named |= Q(**{f"data__{key}__id": person_id})
        if named:
            stakes.append(("您是该活动的主持人或组织者", named))
    return [*stakes, ("该记录由您代录", Q(created_by=user))]


def decidable_by(user) -> Case:
    """A condition for ``filter``: the records ``user`` has no stake in (the review queue). A CASE,
    not a negated Q: a record without a person field compares as NULL, which NOT would drop."""
    stakes = [When(condition, then=Value(False)) for _why, condition in _stakes(user)]
    return Case(*stakes, default=Value(True), output_field=BooleanField())


def decision_conflict(user, record: Record) -> str | None:
    """Why ``user`` may not decide on ``record`` (须由他人审核), or None if they may."""
    stakes = _stakes(user)
    flags = (
        Record.objects.filter(pk=record.pk)
        .values_list(*(ExpressionWrapper(condition, output_field=BooleanField()) for _why, condition in stakes))
        .first()
    )
    return next((why for (why, _), flag in zip(stakes, flags or (), strict=False) if flag), None)


def proposed_conflict(user, correction: RecordCorrection) -> str | None:
    """A correction's own stakes, which the record does not show until it is approved: who
    proposed it, and whom the corrected record would name or award points to."""
    if correction.proposed_by_id == user.pk:
        return "这是您本人提出的更正申请"
    if not user.person_id:
        return None
    if any(row["person_id"] == user.person_id for row in correction.participants):
        return "更正后您将是该活动的参加人员，通过后将计入您的积分"
    if any(
        isinstance(correction.data.get(d["key"]), dict) and correction.data[d["key"]].get("id") == user.person_id
        for d in correction.schema.fields
        if d.get("type") == FieldType.PERSON
    ):
        return "更正后您将是该活动的主持人或组织者"
    return None


def _require_impartial(actor, record: Record, correction: RecordCorrection | None = None) -> None:
    why = (correction and proposed_conflict(actor, correction)) or decision_conflict(actor, record)
    if why:
        raise PermissionDenied(f"{why}，须由他人审核。")


def _require_reviewer(actor, record: Record) -> None:
    _require(actor, record, "review")
    _require_impartial(actor, record)


def _snapshot_version(actor, record: Record, reason: str = "") -> None:
    RecordVersion.objects.create(
        record=record,
        number=record.version,
        schema=record.schema,
        title=record.title,
        occurred_on=record.occurred_on,
        data=record.data,
        study_level=record.study_level,
        participants=_participants_json(record),
        approved_by=actor,
        reason=reason,
    )


def _approve(actor, record: Record, comment: str = "") -> None:
    record.status = RecordStatus.APPROVED
    record.version += 1
    record.reviewed_at, record.reviewed_by, record.review_comment = timezone.now(), actor, comment
    record.save(update_fields=["status", "version", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    _snapshot_version(actor, record)
    _event(record, RecordEventKind.APPROVE, actor, comment)
    audit_record(
        actor=actor,
        action=Action.RECORD_APPROVE,
        target=record,
        changes={"status": [RecordStatus.SUBMITTED, RecordStatus.APPROVED], "version": [record.version - 1, record.version]},
    )
    events.record_approved.send(sender=Record, record=record, version=record.version, actor=actor)


@transaction.atomic
def record_approve(*, actor, record: Record, comment: str = "") -> Record:
    _require_reviewer(actor, record)
    record = _lock(record)
    if record.status != RecordStatus.SUBMITTED:
        raise ValidationError(f"该记录当前为“{record.get_status_display()}”，不能审核通过。")
    _approve(actor, record, comment.strip())
    return record


def records_approve(*, actor, records) -> tuple[int, list[str]]:
    """Approve many at once. Returns (approved count, reasons for those skipped, one line each).

    Each record is approved and committed on its own, as a single approval is: one transaction
    holding every record's award locks would wait on single approvals that wait on it (deadlock
    on PostgreSQL), and one refused record must not hold up the others."""
    approved, skipped = 0, []
    for record in records:
        try:
            record_approve(actor=actor, record=record)
            approved += 1
        except (ValidationError, PermissionDenied) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            skipped.append(f"“{record.title}”：{message}")
    return approved, skipped


@transaction.atomic
def record_return(*, actor, record: Record, comment: str) -> Record:
    _require_reviewer(actor, record)
    record = _lock(record)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "退回时请填写退回意见，告诉记录人需要修改什么。"})
    if record.status != RecordStatus.SUBMITTED:
        raise ValidationError(f"该记录当前为“{record.get_status_display()}”，不能退回。")
    record.status = RecordStatus.RETURNED
    record.reviewed_at, record.reviewed_by, record.review_comment = timezone.now(), actor, comment
    record.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    _event(record, RecordEventKind.RETURN, actor, comment)
    audit_record(
        actor=actor,
        action=Action.RECORD_RETURN,
        target=record,
        changes={"status": [RecordStatus.SUBMITTED, RecordStatus.RETURNED], "review_comment": ["", comment]},
    )
    return record


@transaction.atomic
def record_reopen(*, actor, record: Record, comment: str) -> Record:
    """An admin withdraws an approval (e.g. found to be false); the record goes back to its author."""
    _require(actor, record, "correct")
    _require_impartial(actor, record)
    record = _lock(record)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "撤销通过时请填写理由。"})
    if record.status != RecordStatus.APPROVED:
        raise ValidationError("只有已通过的记录可以撤销通过。")
    if record.has_pending_correction:
        raise ValidationError("该记录有待审批的更正申请，请先处理。")
    events.record_withdrawn.send(sender=Record, record=record, version=record.version, actor=actor, reason=comment)
    record.status = RecordStatus.RETURNED
    record.reviewed_at, record.reviewed_by, record.review_comment = timezone.now(), actor, comment
    record.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    _event(record, RecordEventKind.RETURN, actor, f"撤销通过：{comment}")
    audit_record(
        actor=actor,
        action=Action.RECORD_REOPEN,
        target=record,
        changes={"status": [RecordStatus.APPROVED, RecordStatus.RETURNED], "review_comment": ["", comment]},
    )
    return record


# --- corrections of approved records ------------------------------------------------------------


@transaction.atomic
def correction_propose(*, actor, record: Record, values: RecordInput, reason: str) -> RecordCorrection:
    if not (
        Record.objects.visible_to(actor, "edit").filter(pk=record.pk).exists()
        or Record.objects.visible_to(actor, "correct").filter(pk=record.pk).exists()
    ):
        raise PermissionDenied("找不到该对象，或您无权访问。")
    record = _lock(record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写更正理由。"})
    if record.status != RecordStatus.APPROVED:
        raise ValidationError("只有已通过的记录需要申请更正；草稿或退回的记录可直接修改。")
    if record.has_pending_correction:
        raise ValidationError("该记录已有一份待审批的更正申请。")
    if values.files:
        raise ValidationError({"evidence": "更正申请不能更换佐证材料。"})
    values.author = record.author
    values.unit = record.unit  # a correction changes what was done, not whose ledger it is in
    author, _unit, _ = _check(actor, record.kind, values)

    schema = current_schema(record.kind)
    correction = RecordCorrection.objects.create(
        record=record,
        base_version=record.version,
        schema=schema,
        occurred_on=values.occurred_on,
        data=values.data,
        study_level=values.study_level,
        title=title_for(schema.fields, values.data, record.kind.name, values.occurred_on),
        participants=[
            {
                "person_id": r["person"].pk,
                "name": r["person"].name,
                "role": r["role"],
                "hours": str(r["hours"]) if r["hours"] is not None else None,
            }
            for r in _participant_rows(author, values)
        ],
        reason=reason,
        proposed_by=actor,
    )
    record.has_pending_correction = True
    record.save(update_fields=["has_pending_correction", "updated_at"])
    _event(record, RecordEventKind.CORRECTION_PROPOSE, actor, reason)
    audit_record(
        actor=actor,
        action=Action.CORRECTION_PROPOSE,
        target=record,
        changes={"reason": ["", reason], "data": [record.data, values.data]},
    )
    return correction


def _pending(correction: RecordCorrection, actor) -> tuple[RecordCorrection, Record]:
    _require(actor, correction.record, "correct")
    correction = RecordCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError("该更正申请已处理。")
    record = _lock(correction.record)
    _require_impartial(actor, record, correction)
    return correction, record


@transaction.atomic
def correction_approve(*, actor, correction: RecordCorrection, comment: str = "") -> Record:
    correction, record = _pending(correction, actor)
    before = _state(record)
    events.record_withdrawn.send(
        sender=Record, record=record, version=record.version, actor=actor, reason=f"更正：{correction.reason}"
    )
    record.schema, record.title, record.occurred_on = correction.schema, correction.title, correction.occurred_on
    record.data, record.study_level = correction.data, correction.study_level
    record.version += 1
    record.has_pending_correction = False
    record.reviewed_at, record.reviewed_by, record.review_comment = timezone.now(), actor, comment.strip()
    record.save()
    people = {p.pk: p for p in Person.objects.filter(pk__in=[r["person_id"] for r in correction.participants])}
    _write_participants(
        record,
        [
            {"person": people[r["person_id"]], "role": r["role"], "hours": Decimal(r["hours"]) if r["hours"] else None}
            for r in correction.participants
        ],
    )
    _snapshot_version(actor, record, reason=correction.reason)
    correction.status, correction.decided_by, correction.decided_at = CorrectionStatus.APPROVED, actor, timezone.now()
    correction.decision_comment = comment.strip()
    correction.save()
    _event(record, RecordEventKind.CORRECTION_APPROVE, actor, comment.strip())
    audit_record(actor=actor, action=Action.CORRECTION_APPROVE, target=record, changes=diff(before, _state(record)))
    events.record_approved.send(sender=Record, record=record, version=record.version, actor=actor)
    return record


@transaction.atomic
def correction_reject(*, actor, correction: RecordCorrection, comment: str) -> RecordCorrection:
    correction, record = _pending(correction, actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "驳回时请填写理由。"})
    correction.status, correction.decided_by, correction.decided_at = CorrectionStatus.REJECTED, actor, timezone.now()
    correction.decision_comment = comment
    correction.save()
    record.has_pending_correction = False
    record.save(update_fields=["has_pending_correction", "updated_at"])
    _event(record, RecordEventKind.CORRECTION_REJECT, actor, comment)
    audit_record(actor=actor, action=Action.CORRECTION_REJECT, target=record, changes={"decision_comment": ["", comment]})
    return correction


# --- evidence ---------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(*, actor, record: Record, upload, field_key: str = "") -> Evidence:
    """Attach one file to a draft or returned record (the API's upload endpoint)."""
    _require(actor, record, "edit")
    record = _lock(record)
    if not record.is_editable:
        raise ValidationError("已提交的记录不能再添加材料。")
    file_keys = {d["key"] for d in record.schema.fields if d["type"] == "file"}
    if field_key and field_key not in file_keys:
        raise ValidationError({"field_key": f"该台账类型没有附件字段“{field_key}”。"})
    checked = evidence_files.check_upload(upload)
    _store_files(actor, record, [(field_key, checked)])
    item = record.evidence.order_by("-pk").first()
    assert item is not None  # the row just stored
    audit_record(actor=actor, action=Action.EVIDENCE_ADD, target=record, changes={"evidence": ["", item.original_name]})
    return item


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence) -> None:
    """Remove one file from a draft or returned record — what its author may still change. A
    submitted record is being reviewed as it stands, and an approved one changes only through a
    correction, so neither loses a file here.

    Files are stored once per content (``evidence.store``): the stored file goes only when no other
    row points at it and the record was never approved — the files of an approved version, reopened
    since, are kept as the evidence of that version."""
    record = evidence.record
    _require(actor, record, "edit")
    record = _lock(record)
    found = Evidence.objects.select_for_update().filter(pk=evidence.pk, record=record).first()
    if found is None:
        raise ValidationError("该附件已删除。")
    evidence = found
    if not record.is_editable:
        raise ValidationError("已提交或已通过的记录不能删除附件；已通过的记录请申请更正。")
    name, thumbnail, original = evidence.file.name, evidence.thumbnail.name, evidence.original_name
    evidence.delete()
    _event(record, RecordEventKind.UPDATE, actor, f"删除附件：{original}")
    audit_record(actor=actor, action=Action.EVIDENCE_REMOVE, target=record, changes={"evidence": [original, ""]})
    if record.version == 0:
        unused = [n for n in (name, thumbnail) if n and not Evidence.objects.filter(Q(file=n) | Q(thumbnail=n)).exists()]
        transaction.on_commit(lambda: evidence_files.discard(unused))
