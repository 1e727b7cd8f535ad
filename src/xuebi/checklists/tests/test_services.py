"""The status machine of a checklist item (every allowed and every refused move), who may make
each move, progress with evidence, pledges and their 践诺评价, and bad input changing nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.audit.models import AuditEntry
from xuebi.checklists import services
from xuebi.checklists.models import TRANSITIONS, Item, ItemEvent, ItemFile, ListKind, Move, Status
from xuebi.testing.helpers import make_user, photo

from .conftest import DUE, make_item

pytestmark = pytest.mark.django_db


def _reach(item, status, users):
    """Walk an item to ``status`` through the allowed moves."""
    path = {
        Status.NOT_STARTED: [],
        Status.IN_PROGRESS: [(users.cadre, Move.PROGRESS)],
        Status.PENDING: [(users.cadre, Move.SUBMIT)],
        Status.DONE: [(users.cadre, Move.SUBMIT), (users.abag_admin, Move.ACCEPT)],
        Status.CANCELLED: [(users.abag_admin, Move.CANCEL)],
    }[status]
    for actor, move in path:
        services.move(actor=actor, item=item, move=move, text="理由", percent=None)
    item.refresh_from_db()
    assert item.status == status


MOVER = {
    Move.PROGRESS: "cadre",
    Move.SUBMIT: "cadre",
    Move.ACCEPT: "abag_admin",
    Move.RETURN: "abag_admin",
    Move.CANCEL: "abag_admin",
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("move", list(Move))
def test_every_move_from_every_status(org, users, item, status, move):
    _reach(item, status, users)
    events_before = ItemEvent.objects.count()
    actor = getattr(users, MOVER[move])
    target = TRANSITIONS.get((status, move))
    if target is None:
        with pytest.raises(ValidationError) as exc:
            services.move(actor=actor, item=item, move=move, text="理由")
        assert f"{Status(status).label}，不能{Move(move).label}" in exc.value.messages[0]
        item.refresh_from_db()
        assert item.status == status and ItemEvent.objects.count() == events_before
    else:
        services.move(actor=actor, item=item, move=move, text="理由")
        item.refresh_from_db()
        assert item.status == target
        assert ItemEvent.objects.filter(item=item).last().status_to == target


def test_the_machine_allows_exactly_these_moves():
    assert {(Status(a).label, Move(m).label, Status(b).label) for (a, m), b in TRANSITIONS.items()} == {
        ("未开始", "报告进展", "进行中"),
        ("进行中", "报告进展", "进行中"),
        ("未开始", "申请验收", "待验收"),
        ("进行中", "申请验收", "待验收"),
        ("待验收", "验收通过", "已完成"),
        ("待验收", "退回", "进行中"),
        ("未开始", "撤销", "已撤销"),
        ("进行中", "撤销", "已撤销"),
        ("待验收", "撤销", "已撤销"),
    }


def test_only_the_responsible_person_reports_and_only_an_admin_of_the_list_accepts(org, users, item):
    with pytest.raises(PermissionDenied, match="只有责任人"):
        services.move(actor=users.abag_admin, item=item, move=Move.PROGRESS, text="代报")
    services.move(actor=users.cadre, item=item, move=Move.SUBMIT)
    with pytest.raises(PermissionDenied, match="只有清单所属单位的管理员"):
        services.move(actor=users.xilin_admin, item=item, move=Move.ACCEPT)
    with pytest.raises(PermissionDenied, match="只有清单所属单位的管理员"):
        services.move(actor=users.cadre, item=item, move=Move.ACCEPT)
    services.move(actor=users.league_admin, item=item, move=Move.ACCEPT)  # the league administers 阿巴嘎旗 too
    item.refresh_from_db()
    assert item.status == Status.DONE and item.closed_on == dt.date(2026, 11, 25) and not item.closed_late


def test_an_admin_who_is_responsible_cannot_accept_their_own_item(org, users, password_hash):
    admin_person_user = make_user("abag2", "unit_admin", org.abag, password_hash, person=org.abag_other)
    mine = make_item(users.abag_admin, org.abag, org.abag_other)
    services.move(actor=admin_person_user, item=mine, move=Move.SUBMIT)
    with pytest.raises(PermissionDenied, match="不能验收本人负责的事项"):
        services.move(actor=admin_person_user, item=mine, move=Move.ACCEPT)
    assert Item.objects.get(pk=mine.pk).status == Status.PENDING


def test_return_and_cancel_need_a_reason(users, item):
    services.move(actor=users.cadre, item=item, move=Move.SUBMIT)
    for move in (Move.RETURN, Move.CANCEL):
        with pytest.raises(ValidationError) as exc:
            services.move(actor=users.abag_admin, item=item, move=move, text="  ")
        assert exc.value.message_dict["text"] == [f"请填写{Move(move).label}的理由。"]
    assert Item.objects.get(pk=item.pk).status == Status.PENDING


def test_a_progress_report_with_files_keeps_them_the_ledgers_way(users, item):
    services.move(actor=users.cadre, item=item, move=Move.PROGRESS, text="已整理 120 卷", percent=60, files=[photo("档案.jpg")])
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.percent == 60
    stored = ItemFile.objects.get()
    assert stored.original_name == "档案.jpg" and stored.file.name.startswith("evidence/") and stored.thumbnail
    assert AuditEntry.objects.filter(action="checklists.progress", target_id=str(item.pk)).exists()


def test_a_bad_file_refuses_the_whole_report(users, item, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as exc:
        services.move(actor=users.cadre, item=item, move=Move.PROGRESS, text="进展", files=[photo(), bad])
    assert "病毒.exe" in " ".join(exc.value.message_dict["files"])
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED and not ItemEvent.objects.exists() and not ItemFile.objects.exists()


def test_a_percentage_out_of_range_and_an_empty_report_are_refused(users, item):
    with pytest.raises(ValidationError) as exc:
        services.move(actor=users.cadre, item=item, move=Move.PROGRESS, text="进展", percent=120)
    assert exc.value.message_dict == {"percent": ["完成进度须在 0 到 100 之间。"]}
    with pytest.raises(ValidationError) as exc:
        services.move(actor=users.cadre, item=item, move=Move.PROGRESS)
    assert "请填写进展情况" in exc.value.message_dict["text"][0]
    assert not ItemEvent.objects.exists()


def test_accepting_after_the_due_date_marks_the_item_late(users, item, time_machine):
    services.move(actor=users.cadre, item=item, move=Move.SUBMIT)
    time_machine.move_to(dt.datetime(2026, 12, 12, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    services.move(actor=users.abag_admin, item=item, move=Move.ACCEPT)
    item.refresh_from_db()
    assert item.closed_on == dt.date(2026, 12, 12) and item.closed_late


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": " "}, "title", "请填写事项名称。"),
        ({"due_date": None}, "due_date", "阶段任务和督查项目须填写完成时限。"),
        ({"start_date": dt.date(2026, 12, 20)}, "due_date", "完成时限不能早于开始日期。"),
        ({"supervision": "key"}, "supervision", "只有督查项目有督办级别。"),
        ({"kind": ListKind.PLEDGE}, "kind", "请选择科室责任清单、阶段任务清单或督查项目清单。"),
    ],
)
def test_bad_items_are_refused_by_field(org, users, change, field, message):
    data = {
        "kind": ListKind.TASK,
        "unit": org.abag,
        "title": "整理档案",
        "responsible_unit": org.abag_section,
        "responsible_person": org.bayi,
        "due_date": DUE,
    }
    data.update(change)
    with pytest.raises(ValidationError) as exc:
        services.save_item(actor=users.abag_admin, data=services.ItemData(**data))
    assert exc.value.message_dict[field] == [message]
    assert not Item.objects.exists()


def test_an_admin_lists_only_in_their_units_and_names_people_of_the_responsible_unit(org, users):
    with pytest.raises(ValidationError) as exc:
        make_item(users.abag_admin, org.xilin, org.xilin_person)
    assert exc.value.message_dict["unit"] == ["只能在本人管理的单位建立清单。"]
    with pytest.raises(ValidationError) as exc:
        make_item(users.abag_admin, org.abag, org.xilin_person, responsible_unit=org.abag_section)
    assert exc.value.message_dict["responsible_person"] == ["巴图不在组织股，请选择责任单位的人员。"]
    league_item = make_item(users.league_admin, org.league, org.bayi, kind=ListKind.SUPERVISION, supervision="listed")
    assert league_item.get_supervision_display() == "挂牌督办"


def test_a_closed_item_cannot_be_changed(org, users, item):
    services.move(actor=users.abag_admin, item=item, move=Move.CANCEL, text="任务调整")
    with pytest.raises(ValidationError, match="已销号或撤销"):
        services.save_item(
            actor=users.abag_admin,
            item=item,
            data=services.ItemData(kind=ListKind.TASK, unit=org.abag, title="改", responsible_unit=org.abag, due_date=DUE),
        )


def test_pledges_are_the_cadres_own_public_to_their_unit_and_reviewed_by_an_admin(org, users, password_hash):
    pledge = services.save_pledge(actor=users.cadre, title="全年撰写调研报告 2 篇", year=2026)
    assert (pledge.kind, pledge.responsible_person, pledge.due_date) == (ListKind.PLEDGE, org.bayi, dt.date(2026, 12, 31))
    colleague = make_user("colleague", "cadre", org.abag, password_hash, person=org.abag_other)
    stranger = make_user("stranger", "cadre", org.xilin, password_hash, person=org.xilin_person)
    assert Item.visible_to(colleague).filter(pk=pledge.pk).exists()
    assert not Item.visible_to(stranger).filter(pk=pledge.pk).exists()
    with pytest.raises(PermissionDenied, match="只能修改本人的承诺"):
        services.save_pledge(actor=colleague, item=pledge, title="改", year=2026)
    with pytest.raises(PermissionDenied, match="只有承诺人所在单位的管理员"):
        services.review_pledge(actor=users.xilin_admin, item=pledge, grade="kept")
    services.review_pledge(actor=users.abag_admin, item=pledge, grade="kept", comment="完成 2 篇，其中 1 篇被盟级采用")
    pledge.refresh_from_db()
    assert pledge.get_pledge_grade_display() == "已践诺" and pledge.reviewed_by == users.abag_admin
    assert AuditEntry.objects.filter(action="checklists.pledge.review").count() == 1


def test_a_pledge_outside_its_year_is_refused(users):
    with pytest.raises(ValidationError) as exc:
        services.save_pledge(actor=users.cadre, title="承诺", year=2026, due_date=dt.date(2027, 1, 5))
    assert exc.value.message_dict == {"due_date": ["兑现时限须在 2026 年内。"]}
    assert not Item.objects.exists()


@pytest.mark.parametrize("year", [1999, 2101, -365862483, 10**6])
def test_a_pledge_year_out_of_range_is_a_message_not_a_crash(users, year):
    with pytest.raises(ValidationError) as exc:
        services.save_pledge(actor=users.cadre, title="承诺", year=year)
    assert exc.value.message_dict == {"year": ["请填写正确的年度（2000—2100）。"]}
    assert not Item.objects.exists()
