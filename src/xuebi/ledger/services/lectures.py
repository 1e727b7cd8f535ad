"""业务讲堂 writes: series, their members in rotation order, sessions planned, absentees, held
(which becomes a ledger record through ``record_create``: the presenter as the record's author with
role 主讲人, the members present as attendees) and cancelled. The rotation rule is in
``selectors.lectures``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import dates
from xuebi.org.models import Person, Unit

from ..choices import LectureStatus
from ..models import LectureMember, LectureSeries, LectureSession, Record, RecordKind
from ..selectors.lectures import (
    LECTURE_KIND_CODE,
    default_members,
    next_presenter,
    prefill_data,
    presented_counts,
    units_for_series,
)
from .records import RecordInput, record_create


def _require_change(actor, series: LectureSeries) -> None:
    if not LectureSeries.objects.visible_to(actor, "change").filter(pk=series.pk).exists():
        raise PermissionDenied("超出您的管理范围。")


def _lecture_kind() -> RecordKind:
    kind = RecordKind.objects.filter(code=LECTURE_KIND_CODE).first()
    if kind is None or not kind.is_active:
        raise ValidationError("尚未设置或已停用“业务讲堂”台账类型（代码 business_lecture），请联系盟级管理员。")
    return kind


def _check_members(actor, unit: Unit, people: list[Person]) -> list[Person]:
    if not people:
        raise ValidationError({"members": "请至少选择一名成员。"})
    ids = [p.pk for p in people]
    if len(ids) != len(set(ids)):
        raise ValidationError({"members": "成员有重复。"})
    allowed = set(default_members(actor, unit).filter(pk__in=ids).values_list("pk", flat=True))
    outside = [p.name for p in people if p.pk not in allowed]
    if outside:
        raise ValidationError({"members": f"以下人员不是“{unit.name}”的在职人员或不在您的范围内：{'、'.join(outside)}。"})
    return people


def _names(people) -> list[str]:
    return [p.name for p in people]


# --- series -------------------------------------------------------------------------------------


@transaction.atomic
def series_create(*, actor, unit: Unit, title: str, members: list[Person] | None = None) -> LectureSeries:
    """A series for ``unit``; members default to the unit's active people, in roster order."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写讲堂名称。"})
    if not units_for_series(actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": f"单位“{unit.name}”不在您的管理范围内。"})
    kind = _lecture_kind()
    people = list(members) if members is not None else list(default_members(actor, unit))
    _check_members(actor, unit, people)
    series = LectureSeries.objects.create(unit=unit, kind=kind, title=title, created_by=actor)
    LectureMember.objects.bulk_create([LectureMember(series=series, person=p, position=i) for i, p in enumerate(people, start=1)])
    _require_change(actor, series)
    audit_record(
        actor=actor,
        action=Action.LECTURE_CREATE,
        target=series,
        changes={
            "title": [None, title],
            "unit": [None, unit.name],
            "members": [None, _names(people)],
        },
    )
    return series


@transaction.atomic
def series_set_active(*, actor, series: LectureSeries, is_active: bool) -> LectureSeries:
    """End a series (no more sessions can be planned; its history stays) or take it up again."""
    _require_change(actor, series)
    series = LectureSeries.objects.select_for_update().get(pk=series.pk)
    if series.is_active != is_active:
        audit_record(
            actor=actor, action=Action.LECTURE_UPDATE, target=series, changes={"is_active": [series.is_active, is_active]}
        )
        series.is_active = is_active
        series.save(update_fields=["is_active"])
    return series


@transaction.atomic
def series_set_members(*, actor, series: LectureSeries, members: list[Person]) -> LectureSeries:
    """Replace the members and their rotation order (the order of ``members``).

    Past sessions keep their presenters: a member removed and added back again keeps the count
    of what they presented, so the rotation stays fair.
    """
    _require_change(actor, series)
    series = LectureSeries.objects.select_for_update().select_related("unit").get(pk=series.pk)
    before = [m.person.name for m in series.members.select_related("person")]
    people = _check_members(actor, series.unit, list(members))
    series.members.all().delete()
    LectureMember.objects.bulk_create([LectureMember(series=series, person=p, position=i) for i, p in enumerate(people, start=1)])
    after = _names(people)
    if after != before:
        audit_record(actor=actor, action=Action.LECTURE_UPDATE, target=series, changes={"members": [before, after]})
    return series


# --- sessions -----------------------------------------------------------------------------------


def _session_repr(session: LectureSession) -> str:
    return f"{session.series.title} {dates.display(session.planned_on)}"


def _members_and_sessions(series: LectureSeries) -> tuple[list[Person], list[LectureSession]]:
    members = [m.person for m in series.members.select_related("person")]
    sessions = list(series.sessions.only("pk", "presenter_id", "status"))
    return members, sessions


@transaction.atomic
def session_plan(
    *, actor, series: LectureSeries, planned_on: dt.date, topic: str = "", presenter: Person | None = None
) -> LectureSession:
    """Plan the next session; the presenter is the one the rule proposes unless one is named."""
    _require_change(actor, series)
    series = LectureSeries.objects.select_for_update().get(pk=series.pk)  # two planners at once must not pick the same turn
    if not series.is_active:
        raise ValidationError("该讲堂已结束，不能再安排场次。")
    if planned_on is None:
        raise ValidationError({"planned_on": "请填写日期。"})
    members, sessions = _members_and_sessions(series)
    if presenter is None:
        counts = presented_counts(sessions)
        presenter = next_presenter(members, {p: counts.get(p.pk, 0) for p in members})
        if presenter is None:
            raise ValidationError({"presenter": "该讲堂还没有成员，请先设置成员。"})
    elif presenter.pk not in {p.pk for p in members}:
        raise ValidationError({"presenter": f"“{presenter.name}”不是本讲堂的成员。"})
    session = LectureSession.objects.create(
        series=series, planned_on=planned_on, topic=(topic or "").strip(), presenter=presenter
    )
    audit_record(
        actor=actor,
        action=Action.LECTURE_UPDATE,
        target=session,
        target_repr=_session_repr(session),
        changes={
            "session": [None, "计划"],
            "planned_on": [None, planned_on.isoformat()],
            "presenter": [None, presenter.name],
            "topic": [None, session.topic],
        },
    )
    return session


def _planned(actor, session: LectureSession) -> LectureSession:
    _require_change(actor, session.series)
    session = (
        LectureSession.objects.select_for_update()
        .select_related("series", "series__kind", "series__unit", "presenter")
        .get(pk=session.pk)
    )
    if session.status != LectureStatus.PLANNED:
        raise ValidationError(f"该场次已{session.get_status_display()}，不能再修改。")
    return session


@transaction.atomic
def session_set_absentees(*, actor, session: LectureSession, absentees: list[Person]) -> LectureSession:
    """Record who will be (or was) absent. An absent presenter is skipped: the session goes to
    the next member by the rule; having presented fewer times, they come first next time."""
    session = _planned(actor, session)
    members, sessions = _members_and_sessions(session.series)
    member_ids = {p.pk for p in members}
    outsiders = [p.name for p in absentees if p.pk not in member_ids]
    if outsiders:
        raise ValidationError({"absentees": f"以下人员不是本讲堂的成员：{'、'.join(outsiders)}。"})
    before = sorted(session.absentees.values_list("name", flat=True))
    absent_ids = {p.pk for p in absentees}
    changes: dict[str, list[Any]] = {}
    if session.presenter_id in absent_ids:
        counts = presented_counts(sessions, exclude=session.pk)
        replacement = next_presenter(
            members, {p: counts.get(p.pk, 0) for p in members}, skip={p for p in members if p.pk in absent_ids}
        )
        if replacement is None:
            raise ValidationError({"absentees": "全部成员都缺席，无法安排主讲人；请取消本次讲堂。"})
        changes["presenter"] = [session.presenter.name, replacement.name]
        session.presenter = replacement
        session.save(update_fields=["presenter"])
    session.absentees.set(absentees)
    after = sorted(p.name for p in absentees)
    if after != before:
        changes["absentees"] = [before, after]
    if changes:
        audit_record(
            actor=actor, action=Action.LECTURE_UPDATE, target=session, target_repr=_session_repr(session), changes=changes
        )
    return session


@transaction.atomic
def session_cancel(*, actor, session: LectureSession) -> LectureSession:
    session = _planned(actor, session)
    session.status = LectureStatus.CANCELLED
    session.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=Action.LECTURE_UPDATE,
        target=session,
        target_repr=_session_repr(session),
        changes={"status": [str(LectureStatus.PLANNED.label), str(LectureStatus.CANCELLED.label)]},
    )
    return session


@transaction.atomic
def session_hold(
    *,
    actor,
    session: LectureSession,
    held_on: dt.date | None = None,
    topic: str | None = None,
    hours: Decimal | None = None,
    data: dict | None = None,
    study_level: str = "",
    files: list[tuple[str, Any]] | None = None,
    submit: bool = True,
) -> Record:
    """Mark a planned session held: write its ledger record (submitted for review) and link it.

    ``submit=False`` leaves the record a draft of the organizer's, for a caller that attaches the
    evidence afterwards (the API, whose files arrive through the records' evidence endpoint).

    ``data`` is the record's content for the kind's fields, already validated by the caller's
    form (as for ``record_create``); fields it leaves out that the session answers (topic,
    presenter) are filled in. Attendees are the members present: not absent, not the presenter.
    """

    session = _planned(actor, session)
    series = session.series
    held_on = held_on or session.planned_on
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": f"讲堂日期（{dates.display(held_on)}）还没到，举办后再登记。"})
    if topic is not None:
        session.topic = topic.strip()
    if not session.topic:
        raise ValidationError({"topic": "请填写讲堂主题。"})
    presenter = session.presenter
    absent = set(session.absentees.values_list("pk", flat=True))
    members = [m.person for m in series.members.select_related("person")]
    present = [p for p in members if p.pk not in absent and p.pk != presenter.pk]
    definitions = series.kind.fields
    values = {**(data or {}), **prefill_data(definitions, presenter=presenter, topic=session.topic)}
    record = record_create(
        actor=actor,
        kind=series.kind,
        submit=submit,
        values=RecordInput(
            occurred_on=held_on,
            unit=series.unit,
            author=presenter,
            presenter=presenter,
            data=values,
            study_level=study_level,
            author_hours=hours,
            # the presenter is listed too, so that the hours reach them; their role stays 主讲人
            attendees=[(presenter, hours)] + [(p, hours) for p in present],
            files=list(files or []),
        ),
    )
    before_date = session.planned_on
    session.status, session.record, session.planned_on = LectureStatus.HELD, record, held_on
    session.save(update_fields=["status", "record", "planned_on", "topic"])
    changes = {
        "status": [str(LectureStatus.PLANNED.label), str(LectureStatus.HELD.label)],
        "record": [None, record.pk],
        "attendees": [None, _names(present)],
    }
    if held_on != before_date:
        changes["planned_on"] = [before_date.isoformat(), held_on.isoformat()]
    audit_record(actor=actor, action=Action.LECTURE_UPDATE, target=session, target_repr=_session_repr(session), changes=changes)
    return record
