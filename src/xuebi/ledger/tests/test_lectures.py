"""业务讲堂: the rotation rule, series and sessions, and the ledger record a held session becomes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from xuebi.audit.models import Action, AuditEntry
from xuebi.ledger.selectors import lectures as lecture_selectors
from xuebi.ledger.demo.lectures import load_demo_lectures
from xuebi.ledger.services import lectures
from xuebi.ledger.selectors.lectures import next_presenter
from xuebi.ledger.models import LectureMember, LectureSeries, LectureSession, Record
from xuebi.testing.helpers import add_person

from ._reports import lecture_kind

# --- the rule -------------------------------------------------------------------------------------


def _run(members, sessions, absences=None):
    """Play the rule: for each session, who presents; ``absences`` maps a session number to who is away."""
    counts, order = Counter(), []
    for n in range(sessions):
        chosen = next_presenter(members, counts, skip=(absences or {}).get(n, ()))
        order.append(chosen)
        if chosen is not None:
            counts[chosen] += 1
    return order


def test_everyone_presents_once_before_anyone_presents_twice():
    assert _run("ABCD", 9) == list("ABCDABCDA")


def test_an_absent_presenter_is_skipped_and_makes_it_up_next_time():
    # B is away for session 1 (their turn): C presents; next time B comes first, then D, then A again.
    assert _run("ABCD", 6, {1: {"B"}}) == list("ACBDAB")


def test_several_absences_are_made_up_in_rotation_order():
    # B and C both away for session 1: D presents; B then C make it up before the second round.
    assert _run("ABCDE", 7, {1: {"B", "C"}}) == list("ADBCEAB")


def test_a_member_absent_twice_still_gets_their_turn_first_when_back():
    assert _run("ABC", 5, {0: {"A"}, 1: {"A"}}) == list("BCAAB")


def test_nobody_can_present_when_everyone_is_away_or_there_are_no_members():
    assert next_presenter("AB", {}, skip={"A", "B"}) is None
    assert next_presenter([], {}) is None


def test_a_member_who_joins_late_presents_before_the_next_round():
    counts = Counter({"A": 1, "B": 1})
    assert next_presenter(["A", "B", "C"], counts) == "C"


@hsettings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=60))
def test_without_absences_counts_never_differ_by_more_than_one(size, sessions):
    members = list(range(size))
    counts = Counter()
    for _ in range(sessions):
        counts[next_presenter(members, counts)] += 1
        values = [counts[m] for m in members]
        assert max(values) - min(values) <= 1


@hsettings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=8).flatmap(
        lambda size: st.lists(st.sets(st.integers(min_value=0, max_value=size - 1)), max_size=40).map(lambda a: (size, a))
    )
)
def test_with_absences_the_presenter_is_present_and_has_presented_least(case):
    size, absences = case
    members = list(range(size))
    counts = Counter()
    for away in absences:
        chosen = next_presenter(members, counts, skip=away)
        eligible = [m for m in members if m not in away]
        if not eligible:
            assert chosen is None
            continue
        assert chosen not in away
        assert counts[chosen] == min(counts[m] for m in eligible)
        assert chosen == min((m for m in eligible if counts[m] == counts[chosen]))  # ties by position
        counts[chosen] += 1
    # Once everyone is back, the rotation evens out again within one round.
    for _ in range(sum(counts.values()) * size + size):
        counts[next_presenter(members, counts)] += 1
        if max(counts.values()) - min(counts[m] for m in members) <= 1:
            break
    assert max(counts[m] for m in members) - min(counts[m] for m in members) <= 1


# --- series and sessions ----------------------------------------------------------------------------


@pytest.fixture
def kind(users):
    return lecture_kind(users.league_admin)


@pytest.fixture
def section(org):
    """组织股 of 阿巴嘎 with four active members (巴依斯古楞, 王芳, 苏和, 张敏) and one retired."""
    org.suhe = add_person(org.abag_section, "苏和", 31)
    org.zhang = add_person(org.abag_section, "张敏", 42)
    add_person(org.abag_section, "退休老李", 53, status="retired")
    return org


@pytest.fixture
def series(kind, section, users):
    return lectures.series_create(
        actor=users.abag_admin,
        unit=section.abag_section,
        title="组织股业务讲堂",
        members=[section.bayi, section.abag_other, section.suhe, section.zhang],
    )


def past(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def plan(series, user, days_ago: int, **extra) -> LectureSession:
    return lectures.session_plan(actor=user, series=series, planned_on=past(days_ago), **extra)


def test_a_new_series_takes_the_active_people_of_the_unit_in_roster_order(kind, section, users):
    series = lectures.series_create(actor=users.abag_reviewer, unit=section.abag_section, title="讲堂")
    members = list(series.members.select_related("person"))
    assert sorted(m.person.name for m in members) == ["巴依斯古楞", "张敏", "王芳", "苏和"]
    assert [m.position for m in members] == [1, 2, 3, 4]
    assert series.kind == kind
    entry = AuditEntry.objects.get(action=Action.LECTURE_CREATE)
    assert entry.changes["unit"] == [None, "组织股"]


@pytest.mark.parametrize("role", ["xilin_admin", "cadre", "judge"])
def test_a_series_only_in_a_unit_one_manages(role, kind, section, users):
    with pytest.raises(ValidationError) as exc:
        lectures.series_create(actor=getattr(users, role), unit=section.abag_section, title="讲堂")
    assert "不在您的管理范围内" in exc.value.messages[0]


def test_members_from_outside_the_unit_are_refused(kind, section, users):
    with pytest.raises(ValidationError) as exc:
        lectures.series_create(
            actor=users.league_admin, unit=section.abag_section, title="讲堂", members=[section.bayi, section.xilin_person]
        )
    assert "巴图" in exc.value.messages[0]


def test_without_a_lecture_kind_the_organizer_is_told_whom_to_ask(section, users):
    with pytest.raises(ValidationError) as exc:
        lectures.series_create(actor=users.abag_admin, unit=section.abag_section, title="讲堂")
    assert "业务讲堂" in exc.value.messages[0]


def test_planning_follows_the_rotation(series, section, users):
    presenters = [plan(series, users.abag_admin, 40 - i).presenter.name for i in range(6)]
    assert presenters == ["巴依斯古楞", "王芳", "苏和", "张敏", "巴依斯古楞", "王芳"]


def test_an_absent_presenter_is_replaced_and_makes_it_up_next_time(series, section, users):
    admin = users.abag_admin
    first = plan(series, admin, 30)
    second = plan(series, admin, 20)
    assert second.presenter == section.abag_other

    second = lectures.session_set_absentees(actor=admin, session=second, absentees=[section.abag_other])

    assert second.presenter == section.suhe  # skipped to the next eligible member
    assert [plan(series, admin, 10 - i).presenter.name for i in range(3)] == ["王芳", "张敏", "巴依斯古楞"]
    assert first.presenter == section.bayi
    entry = AuditEntry.objects.filter(action=Action.LECTURE_UPDATE, target_id=str(second.pk)).latest("pk")
    assert entry.changes["presenter"] == ["王芳", "苏和"]
    assert entry.changes["absentees"] == [[], ["王芳"]]


def test_absentees_must_be_members_and_someone_must_be_left_to_present(series, section, users):
    session = plan(series, users.abag_admin, 5)
    with pytest.raises(ValidationError) as exc:
        lectures.session_set_absentees(actor=users.abag_admin, session=session, absentees=[section.league_person])
    assert "李强" in exc.value.messages[0]
    everyone = [section.bayi, section.abag_other, section.suhe, section.zhang]
    with pytest.raises(ValidationError) as exc:
        lectures.session_set_absentees(actor=users.abag_admin, session=session, absentees=everyone)
    assert "全部成员都缺席" in exc.value.messages[0]
    session.refresh_from_db()
    assert session.presenter == section.bayi and not session.absentees.exists()


def test_a_cancelled_session_gives_the_turn_back(series, section, users):
    session = plan(series, users.abag_admin, 5)
    lectures.session_cancel(actor=users.abag_admin, session=session)
    assert plan(series, users.abag_admin, 4).presenter == section.bayi
    with pytest.raises(ValidationError):
        lectures.session_cancel(actor=users.abag_admin, session=session)


def test_a_presenter_can_be_named_but_must_be_a_member(series, section, users):
    assert plan(series, users.abag_admin, 5, presenter=section.zhang).presenter == section.zhang
    with pytest.raises(ValidationError) as exc:
        plan(series, users.abag_admin, 4, presenter=section.xilin_person)
    assert "不是本讲堂的成员" in exc.value.messages[0]


def test_reordering_members_changes_who_is_next_but_keeps_what_was_presented(series, section, users):
    admin = users.abag_admin
    plan(series, admin, 9)  # 巴依斯古楞
    lectures.series_set_members(actor=admin, series=series, members=[section.zhang, section.suhe, section.bayi])
    assert [m.person.name for m in LectureMember.objects.filter(series=series).select_related("person")] == [
        "张敏",
        "苏和",
        "巴依斯古楞",
    ]
    assert [plan(series, admin, 8 - i).presenter.name for i in range(3)] == ["张敏", "苏和", "张敏"]


def test_another_county_cannot_touch_the_series(series, section, users):
    with pytest.raises(PermissionDenied):
        plan(series, users.xilin_admin, 5)
    session = plan(series, users.abag_admin, 5)
    for call in (
        lambda u: lectures.session_set_absentees(actor=u, session=session, absentees=[]),
        lambda u: lectures.session_cancel(actor=u, session=session),
        lambda u: lectures.session_hold(actor=u, session=session, hours=Decimal(1)),
        lambda u: lectures.series_set_members(actor=u, series=series, members=[section.bayi]),
    ):
        for user in (users.xilin_admin, users.cadre):
            with pytest.raises(PermissionDenied):
                call(user)
    assert LectureSession.objects.get(pk=session.pk).status == "planned"


# --- held sessions become ledger records ----------------------------------------------------------------


def test_a_held_session_becomes_a_record_with_presenter_topic_and_attendees(series, section, users):
    admin = users.abag_admin
    session = plan(series, admin, 3, topic="发展党员工作流程")
    lectures.session_set_absentees(actor=admin, session=session, absentees=[section.zhang])

    record = lectures.session_hold(actor=admin, session=session, hours=Decimal("1.5"), data={"summary": "讲解发展党员25个步骤"})

    session.refresh_from_db()
    assert session.status == "held" and session.record == record
    assert record.kind.code == "business_lecture" and record.status == "submitted"
    assert record.unit == section.abag_section and record.author == section.bayi and record.created_by == admin
    assert record.occurred_on == past(3)
    assert record.data == {
        "topic": "发展党员工作流程",
        "presenter": {"id": section.bayi.pk, "name": "巴依斯古楞"},
        "summary": "讲解发展党员25个步骤",
    }
    roles = {p.person.name: (p.role, p.hours) for p in record.participants.select_related("person")}
    assert roles == {
        "巴依斯古楞": ("presenter", Decimal("1.5")),
        "王芳": ("attendee", Decimal("1.5")),
        "苏和": ("attendee", Decimal("1.5")),
    }
    held = AuditEntry.objects.filter(action=Action.LECTURE_UPDATE, changes__has_key="record").get()
    assert held.changes["attendees"] == [None, ["王芳", "苏和"]]
    # the presenter sees it in their own ledger
    assert Record.objects.visible_to(users.cadre).filter(pk=record.pk).exists()


def test_a_kind_without_review_is_approved_when_held(users, section):
    lecture_kind(users.league_admin, review_required=False)
    series = lectures.series_create(actor=users.abag_admin, unit=section.abag_section, title="讲堂")
    session = plan(series, users.abag_admin, 1, topic="组织工作条例")
    assert lectures.session_hold(actor=users.abag_admin, session=session, hours=Decimal(2)).status == "approved"


def test_a_session_is_held_on_or_before_today_and_only_once(series, section, users):
    admin = users.abag_admin
    future = lectures.session_plan(actor=admin, series=series, planned_on=past(-7), topic="下周的课")
    with pytest.raises(ValidationError) as exc:
        lectures.session_hold(actor=admin, session=future, hours=Decimal(1))
    assert "还没到" in exc.value.message_dict["held_on"][0]
    record = lectures.session_hold(actor=admin, session=future, held_on=past(0), hours=Decimal(1))
    assert record.occurred_on == past(0)
    with pytest.raises(ValidationError) as exc:
        lectures.session_hold(actor=admin, session=future, hours=Decimal(1))
    assert "已举办" in exc.value.messages[0]
    assert Record.objects.count() == 1


def test_bad_input_when_holding_leaves_the_session_planned_and_no_record(series, section, users):
    admin = users.abag_admin
    session = plan(series, admin, 2)
    with pytest.raises(ValidationError) as exc:
        lectures.session_hold(actor=admin, session=session, hours=Decimal(1))
    assert "主题" in exc.value.message_dict["topic"][0]
    # the kind asks hours of every attendee: the ledger's own check answers, in Chinese
    with pytest.raises(ValidationError) as exc:
        lectures.session_hold(actor=admin, session=session, topic="党费收缴", hours=None)
    assert "学时" in " ".join(exc.value.messages)
    session.refresh_from_db()
    assert session.status == "planned" and session.topic == "" and Record.objects.count() == 0


def test_prefill_recognises_topic_and_presenter_fields_by_key_or_label(section):
    definitions = [
        {"key": "subject", "label": "课程", "type": "text"},
        {"key": "jiangti", "label": "讲题", "type": "textarea"},
        {"key": "speaker_x", "label": "授课人", "type": "person"},
        {"key": "host", "label": "主持人", "type": "person"},
    ]
    assert lecture_selectors.session_answered(definitions) == (["speaker_x"], "subject")
    data = lecture_selectors.prefill_data(definitions, presenter=section.bayi, topic="基层组织建设")
    assert data == {"subject": "基层组织建设", "speaker_x": {"id": section.bayi.pk, "name": "巴依斯古楞"}}


def test_an_ended_series_takes_no_new_sessions_until_taken_up_again(series, section, users):
    admin = users.abag_admin
    lectures.series_set_active(actor=admin, series=series, is_active=False)
    with pytest.raises(ValidationError) as exc:
        plan(series, admin, 1)
    assert "已结束" in exc.value.messages[0]
    assert AuditEntry.objects.filter(action=Action.LECTURE_UPDATE, changes__is_active=[True, False]).exists()
    with pytest.raises(PermissionDenied):
        lectures.series_set_active(actor=users.cadre, series=series, is_active=True)
    lectures.series_set_active(actor=admin, series=series, is_active=True)
    assert plan(series, admin, 1).presenter == section.bayi


def test_the_demo_series_shows_a_rotation_with_a_made_up_absence(section, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    lecture_kind(users.league_admin, evidence_required=True)

    assert load_demo_lectures() == 5

    series = LectureSeries.objects.get()
    assert series.unit == section.abag_section
    sessions = list(series.sessions.select_related("presenter").order_by("planned_on"))
    assert [s.status for s in sessions] == ["held", "held", "held", "held", "planned"]
    # 巴依斯古楞, 王芳 ... the third presenter was away and presents the fourth session instead
    away = sessions[2].absentees.get()
    assert sessions[2].presenter != away and sessions[3].presenter == away
    assert [s.record.status for s in sessions[:4]] == ["approved", "approved", "approved", "submitted"]
    assert all(s.record.evidence.exists() for s in sessions[:4])
    assert load_demo_lectures() == 0
    assert LectureSession.objects.count() == 5
