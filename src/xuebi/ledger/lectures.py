"""业务讲堂 (组工干部上讲台): series, members in rotation order, sessions, and the rotation rule.

The rule (``next_presenter``): the next presenter is the member who has presented the fewest
times, ties broken by rotation position. So everyone presents once before anyone presents twice,
and a member who was absent when their turn came — skipped, the session going to the next
eligible member — has presented fewer times than the others and comes first next time (补讲).

"Presented" counts the sessions a member holds the lectern for that are planned or held (not
cancelled): two sessions planned ahead of time must not both go to the same person.

A session marked held becomes a ledger record of the series' kind through ``record_create``:
the presenter as the record's author with role 主讲人, the members present as attendees.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import dates
from xuebi.org.choices import PersonStatus
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import subtree_q, unit_paths

from .choices import FieldType, LectureStatus
from .models import LectureMember, LectureSeries, LectureSession, Record, RecordKind

__all__ = [
    "LECTURE_KIND_CODE", "next_presenter", "presented_counts", "units_for_series", "default_members",
    "with_counts", "series_create", "series_set_active", "series_set_members", "session_plan", "session_set_absentees",
    "session_hold", "session_cancel", "proposed_presenter", "load_demo_lectures", "prefill_data", "session_answered", "sessions_visible_to",
]

LECTURE_KIND_CODE = "business_lecture"
COUNTED = (LectureStatus.PLANNED, LectureStatus.HELD)

T = TypeVar("T", bound=Hashable)


# --- the rule -----------------------------------------------------------------------------------

def next_presenter(members: Sequence[T], presented: Mapping[T, int], *, skip: Collection[T] = ()) -> T | None:
    """The member to present next: fewest presentations, then earliest rotation position.

    ``members`` in rotation order; ``presented`` how many sessions each has presented (missing
    means none); ``skip`` those who cannot present this time (absent). None when nobody can.
    """
    best, best_key = None, None
    for position, member in enumerate(members):
        if member in skip:
            continue
        key = (presented.get(member, 0), position)
        if best_key is None or key < best_key:
            best, best_key = member, key
    return best


def presented_counts(sessions, *, exclude: int | None = None) -> Counter:
    """{person id: sessions planned or held} from the series' sessions (already loaded)."""
    return Counter(s.presenter_id for s in sessions if s.status in COUNTED and s.pk != exclude)


def proposed_presenter(members: list[LectureMember], sessions) -> Person | None:
    """Who the rule proposes for the next session (for the plan form and the series page)."""
    people = [m.person for m in members]
    counts = presented_counts(sessions)
    return next_presenter(people, {p: counts.get(p.pk, 0) for p in people})


# --- scope helpers ------------------------------------------------------------------------------

def units_for_series(user):
    """Units in which the user may run a series: the subtrees of their change-role grants."""
    paths = unit_paths(user, LectureSeries.scope_roles["change"])
    return Unit.objects.filter(subtree_q(paths, ""), is_active=True)


def default_members(actor, unit: Unit):
    """Active people of the unit and its sections, as the roster orders them."""
    return (Person.objects.visible_to(actor, "pick")
            .filter(unit__path__startswith=unit.path, status=PersonStatus.ACTIVE).select_related("unit"))


def with_counts(series):
    """A list of series with how many sessions were held and how many members each has."""
    return series.select_related("unit").annotate(
        # distinct: the two counts join two tables, which would multiply each other
        held=Count("sessions", filter=Q(sessions__status=LectureStatus.HELD), distinct=True),
        member_count=Count("members", distinct=True),
    ).order_by("-is_active", "-created_at", "-pk")


def sessions_visible_to(user, action: str = "view"):
    """Sessions of the series the user may see (sessions have no unit of their own)."""
    return LectureSession.objects.filter(series__in=LectureSeries.objects.visible_to(user, action))


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
    LectureMember.objects.bulk_create(
        [LectureMember(series=series, person=p, position=i) for i, p in enumerate(people, start=1)]
    )
    _require_change(actor, series)
    audit_record(actor=actor, action=Action.LECTURE_CREATE, target=series, changes={
        "title": [None, title], "unit": [None, unit.name], "members": [None, _names(people)],
    })
    return series


@transaction.atomic
def series_set_active(*, actor, series: LectureSeries, is_active: bool) -> LectureSeries:
    """End a series (no more sessions can be planned; its history stays) or take it up again."""
    _require_change(actor, series)
    series = LectureSeries.objects.select_for_update().get(pk=series.pk)
    if series.is_active != is_active:
        audit_record(actor=actor, action=Action.LECTURE_UPDATE, target=series, changes={"is_active": [series.is_active, is_active]})
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
    LectureMember.objects.bulk_create(
        [LectureMember(series=series, person=p, position=i) for i, p in enumerate(people, start=1)]
    )
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
def session_plan(*, actor, series: LectureSeries, planned_on: dt.date, topic: str = "",
                 presenter: Person | None = None) -> LectureSession:
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
    session = LectureSession.objects.create(series=series, planned_on=planned_on, topic=(topic or "").strip(), presenter=presenter)
    audit_record(actor=actor, action=Action.LECTURE_UPDATE, target=session, target_repr=_session_repr(session), changes={
        "session": [None, "计划"], "planned_on": [None, planned_on.isoformat()], "presenter": [None, presenter.name],
        "topic": [None, session.topic],
    })
    return session


def _planned(actor, session: LectureSession) -> LectureSession:
    _require_change(actor, session.series)
    session = LectureSession.objects.select_for_update().select_related("series", "series__kind", "series__unit", "presenter").get(pk=session.pk)
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
        replacement = next_presenter(members, {p: counts.get(p.pk, 0) for p in members},
                                     skip={p for p in members if p.pk in absent_ids})
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
        audit_record(actor=actor, action=Action.LECTURE_UPDATE, target=session, target_repr=_session_repr(session), changes=changes)
    return session


@transaction.atomic
def session_cancel(*, actor, session: LectureSession) -> LectureSession:
    session = _planned(actor, session)
    session.status = LectureStatus.CANCELLED
    session.save(update_fields=["status"])
    audit_record(actor=actor, action=Action.LECTURE_UPDATE, target=session, target_repr=_session_repr(session),
                 changes={"status": [str(LectureStatus.PLANNED.label), str(LectureStatus.CANCELLED.label)]})
    return session


# Field definitions a lecture kind is likely to have, recognised by key or label, so the record a
# held session becomes carries its topic and presenter without the organizer typing them twice.
_TOPIC_KEYS, _TOPIC_WORDS = {"topic", "title", "subject", "theme"}, ("主题", "题目", "课题", "专题", "讲题")
_PRESENTER_KEYS, _PRESENTER_WORDS = {"presenter", "speaker", "lecturer"}, ("主讲", "授课", "讲授", "宣讲人")


def _matches(definition: dict, keys: set[str], words: tuple[str, ...]) -> bool:
    return definition["key"] in keys or any(w in definition["label"] for w in words)


def session_answered(definitions: list[dict]) -> tuple[list[str], str | None]:
    """(keys of presenter fields, key of the topic field): the fields a session fills itself,
    which the held form therefore does not ask for again."""
    presenters = [d["key"] for d in definitions
                  if d["type"] == FieldType.PERSON and _matches(d, _PRESENTER_KEYS, _PRESENTER_WORDS)]
    topic = next((d["key"] for d in definitions
                  if d["type"] in (FieldType.TEXT, FieldType.TEXTAREA) and _matches(d, _TOPIC_KEYS, _TOPIC_WORDS)), None)
    return presenters, topic


def prefill_data(definitions: list[dict], *, presenter: Person, topic: str) -> dict:
    """Record data (stored form, see schema.py) for the fields the session already answers."""
    presenter_keys, topic_key = session_answered(definitions)
    data: dict[str, Any] = {key: {"id": presenter.pk, "name": presenter.name} for key in presenter_keys}
    if topic_key and topic:
        data[topic_key] = topic
    return data


@transaction.atomic
def session_hold(*, actor, session: LectureSession, held_on: dt.date | None = None, topic: str | None = None,
                 hours: Decimal | None = None, data: dict | None = None, study_level: str = "",
                 files: list[tuple[str, Any]] | None = None, submit: bool = True) -> Record:
    """Mark a planned session held: write its ledger record (submitted for review) and link it.

    ``submit=False`` leaves the record a draft of the organizer's, for a caller that attaches the
    evidence afterwards (the API, whose files arrive through the records' evidence endpoint).

    ``data`` is the record's content for the kind's fields, already validated by the caller's
    form (as for ``record_create``); fields it leaves out that the session answers (topic,
    presenter) are filled in. Attendees are the members present: not absent, not the presenter.
    """
    from .services import RecordInput, record_create

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
    record = record_create(actor=actor, kind=series.kind, submit=submit, values=RecordInput(
        occurred_on=held_on, unit=series.unit, author=presenter, presenter=presenter, data=values,
        study_level=study_level, author_hours=hours,
        # the presenter is listed too, so that the hours reach them; their role stays 主讲人
        attendees=[(presenter, hours)] + [(p, hours) for p in present],
        files=list(files or []),
    ))
    before_date = session.planned_on
    session.status, session.record, session.planned_on = LectureStatus.HELD, record, held_on
    session.save(update_fields=["status", "record", "planned_on", "topic"])
    changes = {"status": [str(LectureStatus.PLANNED.label), str(LectureStatus.HELD.label)], "record": [None, record.pk],
               "attendees": [None, _names(present)]}
    if held_on != before_date:
        changes["planned_on"] = [before_date.isoformat(), held_on.isoformat()]
    audit_record(actor=actor, action=Action.LECTURE_UPDATE, target=session, target_repr=_session_repr(session), changes=changes)
    return record


# --- demo -----------------------------------------------------------------------------------------

DEMO_TOPICS = ["发展党员工作流程", "干部人事档案专项审核", "组工信息写作要点", "党费收缴使用和管理", "基层党组织换届选举"]


def load_demo_lectures() -> int:
    """A 业务讲堂 in the demo cadre's section: four sessions held over the last four and a half
    months, about a month apart (in the third a presenter was away and made it up next time), and
    one planned a fortnight ahead. The newest held session waits for review when it is this year's;
    sessions of last year are approved, as that campaign closes. Idempotent: nothing once a series
    exists. Returns the number of sessions created."""
    from django.utils import timezone

    from xuebi.core import context
    from xuebi.org.models import User

    from .demo import demo_photo

    kind = RecordKind.objects.filter(code=LECTURE_KIND_CODE, is_active=True).first()
    admin, reviewer, cadre = (User.objects.filter(username=u).first() for u in ("abag", "reviewer", "cadre"))
    if LectureSeries.objects.exists() or kind is None or not (admin and reviewer and cadre and cadre.person_id):
        return 0
    unit, today = cadre.person.unit, timezone.localdate()
    with context.acting_as(admin, ip="127.0.0.1"):
        series = series_create(actor=admin, unit=unit, title=f"{unit.display_name}业务讲堂")
        held = []
        for i, back in enumerate((138, 103, 75, 40)):
            session = session_plan(actor=admin, series=series, planned_on=today - dt.timedelta(days=back), topic=DEMO_TOPICS[i])
            if i == 2 and series.members.count() > 1:
                # the presenter is away on business: the next member takes the lectern (a section of
                # one, in a small demo such as `xuebi demo --people 60`, has nobody to stand in)
                session = session_set_absentees(actor=admin, session=session, absentees=[session.presenter])
            held.append(session_hold(actor=admin, session=session, hours=Decimal(2), files=[("", demo_photo(100 + i))]))
        session_plan(actor=admin, series=series, planned_on=today + dt.timedelta(days=16), topic=DEMO_TOPICS[4])
    from .services import record_approve

    with context.acting_as(reviewer, ip="127.0.0.1"):
        for record in held:
            if record is not held[-1] or record.occurred_on.year < today.year:
                record_approve(actor=reviewer, record=record)
    return series.sessions.count()
