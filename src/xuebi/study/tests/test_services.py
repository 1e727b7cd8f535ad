"""Services and selectors: who a list reaches, completion and overdue arithmetic, the rules of each write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.audit.models import Action, AuditEntry
from xuebi.org.choices import PersonStatus
from xuebi.study import selectors, services
from xuebi.study.models import StudyItem, StudyList, StudyNote, StudyPlan, StudyProgress
from xuebi.testing.helpers import add_item, add_person, days, log

pytestmark = pytest.mark.django_db


def reached_names(study_list, viewer) -> set[str]:
    return set(selectors.reached_people(study_list, viewer).values_list("name", flat=True))


def my_items(person):
    return {i.title: i for i in selectors.items_with_progress(StudyItem.objects.reaching(person.pk), person.pk)}


# --- who a list reaches -----------------------------------------------------------------------


def test_a_list_reaches_the_active_people_in_the_subtrees_of_its_target_units(org, users, study):
    assert reached_names(study.league_list, users.league_admin) == {"巴依斯古楞", "王芳", "巴图"}
    assert reached_names(study.abag_list, users.league_admin) == {"巴依斯古楞", "王芳"}
    org.abag_other.status = PersonStatus.RETIRED
    org.abag_other.save()
    assert reached_names(study.league_list, users.league_admin) == {"巴依斯古楞", "巴图"}
    assert not StudyList.objects.reaching(org.abag_other.pk).exists()


def test_a_list_sent_to_the_root_reaches_people_added_later_anywhere_below(org, users, study):
    newcomer = add_person(org.xilin_section, "新来的", 71, address="152502")
    services.study_list_publish(actor=users.league_admin, study_list=study.draft)
    assert set(StudyList.objects.reaching(newcomer.pk)) == {study.league_list, study.draft}


def test_a_draft_reaches_nobody(org, study):
    for person in (org.bayi, org.league_person):
        assert study.draft not in StudyList.objects.reaching(person.pk)


@pytest.mark.parametrize(
    "role, expected",
    [
        ("league_admin", {"league_list", "abag_list", "draft"}),
        ("abag_admin", {"league_list", "abag_list"}),  # its own, and the league's sent down to it
        ("abag_reviewer", {"league_list", "abag_list"}),
        ("cadre", {"league_list", "abag_list"}),  # what reaches 巴依斯古楞
        ("xilin_admin", {"league_list"}),
        ("judge", set()),
        ("sysadmin", set()),
        ("secadmin", set()),
        ("auditor", set()),
        ("nobody", set()),
    ],
)
def test_who_sees_which_list(role, expected, users, study):
    visible = set(StudyList.objects.visible_to(getattr(users, role)))
    assert {n for n in ("league_list", "abag_list", "draft") if getattr(study, n) in visible} == expected


def test_only_the_publishers_admins_change_a_list(users, study):
    assert set(StudyList.objects.visible_to(users.abag_admin, "change")) == {study.abag_list}
    assert set(StudyList.objects.visible_to(users.league_admin, "change")) == {study.league_list, study.abag_list, study.draft}
    assert not StudyList.objects.visible_to(users.abag_reviewer, "change").exists()
    assert not StudyList.objects.visible_to(users.cadre, "change").exists()


# --- completion arithmetic --------------------------------------------------------------------


def test_an_item_is_complete_when_the_hours_reach_the_requirement_over_several_entries(org, users, study):
    log(users.cadre, study.reading, "0.7", days(-3))
    assert not my_items(org.bayi)[study.reading.title].is_complete
    log(users.cadre, study.reading, "1.3", days(-2))  # 0.7 + 1.3 = 2.0 exactly, also where sums are floats
    item = my_items(org.bayi)[study.reading.title]
    assert item.is_complete and not item.is_overdue
    assert selectors.hours_text(item.hours_done) == "2"


def test_float_sums_do_not_fall_short_of_the_requirement(org, users, study):
    item = add_item(users.abag_admin, study.abag_list, "九分之九", "0.9", days(5))
    log(users.cadre, item, "0.7")
    log(users.cadre, item, "0.2")  # 0.7 + 0.2 is 0.8999999999999999 in binary floating point
    assert my_items(org.bayi)["九分之九"].is_complete


def test_an_item_asking_no_hours_is_complete_once_anything_is_logged(org, users, study):
    assert not my_items(org.bayi)[study.video.title].is_complete
    log(users.cadre, study.video, "0.5")
    assert my_items(org.bayi)[study.video.title].is_complete


def test_an_item_is_overdue_past_its_due_date_until_complete(org, users, study):
    items = my_items(org.bayi)
    assert items[study.reading.title].is_overdue  # due 10 days ago, nothing logged
    assert not items[study.book.title].is_overdue  # due in 60 days
    log(users.cadre, study.reading, "2", days(-1))  # finished late: complete, no longer overdue
    assert not my_items(org.bayi)[study.reading.title].is_overdue


def test_completion_by_item_unit_and_person(org, users, study):
    # 巴依斯古楞 finishes everything; 王芳 does the video only; 巴图 half the reading.
    log(users.cadre, study.reading, "2", days(-12))
    log(users.cadre, study.video, "1")
    log(users.cadre, study.book, "3", days(-1))
    log(users.cadre, study.book, "3")  # 6 of 5 hours: counted as 5 in the total
    StudyProgress.objects.create(item=study.video, person=org.abag_other, hours=Decimal("1"), studied_on=days(0))
    StudyProgress.objects.create(item=study.reading, person=org.xilin_person, hours=Decimal("1"), studied_on=days(-11))

    report = selectors.completion(study.league_list, users.league_admin)
    assert (report.reached, report.complete, report.overdue, report.percent) == (3, 1, 2, 33)
    assert report.item_count == 3 and report.required_hours == Decimal("7")
    items = {i.title: (i.completed, i.overdue) for i in report.items}
    assert items == {study.reading.title: (1, 2), study.video.title: (2, 0), study.book.title: (1, 0)}
    units = {r.unit.name: (r.reached, r.complete, r.overdue, r.percent) for r in report.by_unit}
    assert units == {"阿巴嘎旗委组织部": (2, 1, 1, 50), "锡林浩特市委组织部": (1, 0, 1, 0)}
    people = {p.name: (selectors.hours_text(p.hours_done), p.items_done, p.items_overdue) for p in report.people}
    assert people == {"巴依斯古楞": ("7", 3, 0), "王芳": ("0", 1, 1), "巴图": ("1", 0, 1)}


def test_completion_filters_people_by_state_and_unit(org, users, study):
    for item in (study.reading, study.video, study.book):
        log(users.cadre, item, "5", days(-1) if item == study.reading else days(0))
    complete = selectors.completion(study.league_list, users.league_admin, state="complete")
    assert [p.name for p in complete.people] == ["巴依斯古楞"]
    overdue = selectors.completion(study.league_list, users.league_admin, state="overdue")
    assert {p.name for p in overdue.people} == {"王芳", "巴图"}
    xilin = selectors.completion(study.league_list, users.league_admin, unit=org.xilin)
    assert xilin.reached == 1 and [r.unit for r in xilin.by_unit] == [org.xilin_section]


def test_a_county_admin_sees_only_its_own_people_on_a_list_from_the_league(org, users, study):
    report = selectors.completion(study.league_list, users.abag_admin)
    assert {p.name for p in report.people} == {"巴依斯古楞", "王芳"}
    assert report.root == org.abag
    assert [(r.unit, r.reached) for r in report.by_unit] == [(org.abag_section, 2)]


def test_people_directly_in_the_root_unit_form_their_own_row(org, users, study):
    add_person(org.abag, "旗部本级", 81)
    report = selectors.completion(study.league_list, users.abag_admin)
    rows = [(r.unit, r.is_root, r.reached) for r in report.by_unit]
    assert rows == [(org.abag, True, 1), (org.abag_section, False, 2)]


# --- lists and items --------------------------------------------------------------------------


def test_creating_and_publishing_a_list_is_audited(org, users):
    study_list = services.study_list_create(actor=users.abag_admin, unit=org.abag, title="业务学习", target_units=[org.abag])
    assert study_list.status == "draft"
    with pytest.raises(ValidationError, match="请先添加至少一项学习内容"):
        services.study_list_publish(actor=users.abag_admin, study_list=study_list)
    add_item(users.abag_admin, study_list, "条例", "1", days(3))
    services.study_list_publish(actor=users.abag_admin, study_list=study_list)
    actions = list(
        AuditEntry.objects.filter(target_id=str(study_list.pk), target_type="study.studylist")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [Action.STUDY_LIST_CREATE, Action.STUDY_LIST_PUBLISH]
    assert AuditEntry.objects.filter(
        action=Action.STUDY_LIST_UPDATE, target_type="study.studyitem", actor=users.abag_admin
    ).exists()
    with pytest.raises(ValidationError, match="已经发布"):
        services.study_list_publish(actor=users.abag_admin, study_list=study_list)


def test_targets_must_lie_under_the_publishing_unit(org, users):
    with pytest.raises(ValidationError) as caught:
        services.study_list_create(actor=users.abag_admin, unit=org.abag, title="越界", target_units=[org.xilin])
    assert "锡林浩特市委组织部不在其中" in str(caught.value)
    with pytest.raises(ValidationError, match="至少一个下发单位"):
        services.study_list_create(actor=users.abag_admin, unit=org.abag, title="空", target_units=[])
    assert not StudyList.objects.exists()


@pytest.mark.parametrize("role", ["xilin_admin", "abag_reviewer", "cadre", "judge", "sysadmin", "nobody"])
def test_only_admins_of_a_unit_publish_in_its_name(role, org, users):
    with pytest.raises(PermissionDenied):
        services.study_list_create(actor=getattr(users, role), unit=org.abag, title="冒名", target_units=[org.abag])
    assert not StudyList.objects.exists()


def test_a_county_admin_cannot_change_a_list_sent_down_from_the_league(org, users, study):
    with pytest.raises(PermissionDenied):
        services.study_item_create(
            actor=users.abag_admin,
            study_list=study.league_list,
            title="加塞",
            due_date=days(1),
            required_hours=Decimal("1"),
            material_type="article",
        )
    with pytest.raises(PermissionDenied):
        services.study_list_update(
            actor=users.abag_admin, study_list=study.league_list, unit=org.abag, title="改", target_units=[org.abag]
        )
    assert study.league_list.items.count() == 3


def test_a_studied_item_cannot_be_deleted_and_a_published_list_keeps_one(org, users, study):
    log(users.cadre, study.abag_item, "1")
    with pytest.raises(ValidationError, match="已有人登记"):
        services.study_item_delete(actor=users.abag_admin, item=study.abag_item)
    spare = add_item(users.league_admin, study.league_list, "多余的", "1", days(3))
    services.study_item_delete(actor=users.league_admin, item=spare)
    assert not StudyItem.objects.filter(pk=spare.pk).exists()
    lonely = services.study_list_create(actor=users.abag_admin, unit=org.abag, title="单项", target_units=[org.abag])
    only = add_item(users.abag_admin, lonely, "唯一", "1", days(3))
    services.study_list_publish(actor=users.abag_admin, study_list=lonely)
    with pytest.raises(ValidationError, match="至少要保留一项"):
        services.study_item_delete(actor=users.abag_admin, item=only)


def test_editing_an_item_audits_the_changed_fields(users, study):
    services.study_item_update(
        actor=users.league_admin,
        item=study.book,
        title=study.book.title,
        due_date=days(90),
        required_hours=Decimal("5"),
        material_type="book",
        source="人民出版社",
    )
    entry = AuditEntry.objects.filter(action=Action.STUDY_LIST_UPDATE, target_id=str(study.book.pk)).latest("pk")
    assert set(entry.changes) == {"due_date", "source"}


# --- progress ---------------------------------------------------------------------------------


def test_logging_progress_is_audited_with_the_hours(org, users, study):
    progress = log(users.cadre, study.reading, "1.5", days(-1), note="读了第一节")
    entry = AuditEntry.objects.get(action=Action.STUDY_PROGRESS)
    assert entry.actor == users.cadre and entry.target_id == str(progress.pk)
    assert entry.changes["hours"] == [None, "1.5"] and entry.changes["person"] == [None, "巴依斯古楞"]


def test_a_day_holds_at_most_24_hours_across_entries(users, study):
    log(users.cadre, study.reading, "20", days(-1))
    with pytest.raises(ValidationError) as caught:
        log(users.cadre, study.book, "4.5", days(-1))
    assert "已登记20学时，再加4.5学时" in str(caught.value) and "24小时" in str(caught.value)
    log(users.cadre, study.book, "4", days(-1))
    assert StudyProgress.objects.count() == 2


def test_progress_only_on_items_that_reach_you_and_not_in_the_future(org, users, study):
    with pytest.raises(PermissionDenied, match="没有下发给您"):
        log(users.cadre, study.draft_item, "1")
    with pytest.raises(ValidationError, match="不能晚于今天"):
        log(users.cadre, study.reading, "1", days(1))
    with pytest.raises(PermissionDenied, match="未关联花名册人员"):
        log(users.league_admin, study.reading, "1")
    assert not StudyProgress.objects.exists()


# --- plans and notes --------------------------------------------------------------------------


def test_a_plan_is_saved_with_its_steps_and_only_its_owner_changes_it(org, users):
    plan = services.study_plan_save(
        actor=users.cadre,
        year=2026,
        title="年度学习计划",
        goals="读原著",
        target_hours=Decimal("60"),
        items=[{"text": "读《纲要》", "due_date": days(30)}, {"text": "写心得", "done": True}],
    )
    assert plan.person == org.bayi
    assert [(s.text, s.done) for s in plan.items.all()] == [("读《纲要》", False), ("写心得", True)]
    services.study_plan_save(
        actor=users.cadre,
        plan=plan,
        year=2026,
        title="年度学习计划",
        goals="读原著",
        target_hours=Decimal("60"),
        items=[{"text": "写心得", "done": True}],
    )
    assert [s.text for s in plan.items.all()] == ["写心得"]
    entry = AuditEntry.objects.filter(action=Action.STUDY_PLAN_SAVE).latest("pk")
    assert entry.changes["items"][1] == ["☑ 写心得"]
    with pytest.raises(PermissionDenied, match="只有本人"):
        services.study_plan_save(actor=users.abag_admin, plan=plan, year=2026, title="改", items=[])
    step = plan.items.get()
    services.study_plan_item_toggle(actor=users.cadre, item=step, done=False)
    step.refresh_from_db()
    assert not step.done
    with pytest.raises(PermissionDenied):
        services.study_plan_item_toggle(actor=users.abag_admin, item=step, done=True)


def test_admins_read_plans_and_notes_of_their_subtree_only(org, users):
    plan = services.study_plan_save(actor=users.cadre, year=2026, title="计划", items=[])
    note = services.study_note_save(actor=users.cadre, kind="note", title="笔记", body="正文")
    for role, sees in [
        ("league_admin", True),
        ("abag_admin", True),
        ("abag_reviewer", True),
        ("cadre", True),
        ("xilin_admin", False),
        ("judge", False),
        ("auditor", False),
        ("nobody", False),
    ]:
        user = getattr(users, role)
        assert StudyPlan.objects.visible_to(user).filter(pk=plan.pk).exists() is sees, role
        assert StudyNote.objects.visible_to(user).filter(pk=note.pk).exists() is sees, role
        assert StudyNote.objects.visible_to(user, "edit").filter(pk=note.pk).exists() is (role == "cadre"), role


def test_a_note_may_refer_only_to_an_item_that_reaches_you_and_long_bodies_are_audited_short(org, users, study):
    with pytest.raises(ValidationError, match="没有下发给您"):
        services.study_note_save(actor=users.cadre, kind="note", title="草稿", body="x", item=study.draft_item)
    note = services.study_note_save(actor=users.cadre, kind="reflection", title="心得", body="长" * 500, item=study.reading)
    entry = AuditEntry.objects.get(action=Action.STUDY_NOTE_SAVE)
    assert entry.changes["body"][1].endswith("…（共500字）")
    # Moved to another county, the person keeps the note and its link to the item.
    org.bayi.unit = org.league_section
    org.bayi.save()
    services.study_note_save(actor=users.cadre, note=note, kind="reflection", title="心得（修改）", body="短", item=study.reading)
    note.refresh_from_db()
    assert note.item == study.reading and note.title == "心得（修改）"
