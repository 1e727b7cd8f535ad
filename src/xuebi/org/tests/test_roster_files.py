"""Rosters as people keep them: a county's own file, the system's export edited and imported
again (also after LibreOffice saved it), the import's bounded queries, and the life-date rules
the person form and the import share."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.core import context
from xuebi.org import events
from xuebi.org.services import roster
from xuebi.org.forms import PersonForm
from xuebi.org.models import Person, UnitMembership
from xuebi.testing.helpers import make_id

EXPORT_URL = "/org/people/export.xlsx"


def run(file, user, **kwargs) -> roster.ImportResult:
    with context.acting_as(user, ip="127.0.0.1"):
        return roster.import_workbook(file, user=user, filename="花名册.xlsx", **kwargs)


def person(id_number: str) -> Person:
    return Person.objects.get(id_number_hash=Person.hash_id_number(id_number))


def id_ending_in_x(birth: dt.date, sex: str) -> str:
    return next(n for seq in range(1 if sex == "M" else 2, 999, 2) if (n := make_id("152522", birth, seq)).endswith("X"))


def saved(wb: Workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


ZHANG_X = id_ending_in_x(dt.date(1990, 5, 12), "M")
LI_X = id_ending_in_x(dt.date(1992, 8, 20), "F")


def county_file() -> io.BytesIO:
    """Built like a county's own roster: a title, 填报单位 and 填报日期 above the header, 序号,
    names padded to line up (also with U+3000), full-width digits, a lower-case x, 1985.03-style
    months, blank rows, a 合计 row and a 填表说明 footer — and no unit column."""
    wb = Workbook()
    ws = wb.active
    ws.append(["阿巴嘎旗委组织部干部花名册"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：阿巴嘎旗委组织部（盖章）", None, None, None, None, None, None, "填报日期：2026年11月20日"])
    ws.append([])
    ws.append(
        ["序号", "姓　名", "性别", "民族", "出生年月", "公民身份号码", "参加工作时间", "入党时间", "现任职务", "联系电话", "备注"]
    )
    ws.append(
        [
            1,
            "张　　伟",
            "男",
            "汉族",
            "1990.05",
            ZHANG_X.lower(),
            "２０１２.０７",
            "2013.7",
            "科员",
            "１３９１２３４５６７８",
            None,
        ]
    )
    ws.append([None] * 11)
    ws.append([2, " 李 娜 ", "女", "蒙古族", "1992年8月", LI_X.lower(), "201407", "2016年6月", "副股长", "13700000001", "新调入"])
    ws.append([3])  # a numbered row left empty
    ws.append(["合计", "2人"])
    ws.append(["填表说明：1. 身份证号请填写18位；"])
    ws.append(["2. 日期精确到月。"])
    return saved(wb)


def test_a_county_file_imports_into_the_chosen_section(users, org):
    result = run(county_file(), users.abag_admin, unit=org.abag_section)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    zhang, li = person(ZHANG_X), person(LI_X)
    assert (zhang.name, li.name) == ("张伟", "李娜")
    assert zhang.unit == li.unit == org.abag_section
    assert zhang.phone == "13912345678" and li.phone == "13700000001"
    assert zhang.id_number == ZHANG_X  # the x upper-cased
    assert zhang.birth_date == dt.date(1990, 5, 12)  # 1990.05 confirmed by the number, completed from it
    assert (zhang.date_display("work_start_date"), zhang.date_display("joined_party_date")) == ("2012年7月", "2013年7月")
    assert li.date_display("work_start_date") == "2014年7月"  # 201407
    assert dict(result.skipped_summary) == {
        "表头以上的标题、填报单位等": "第1–2行",
        "空行": "第6行",
        "没有姓名、身份证号（只有序号等）": "第8行",
        "合计行": "第9行",
        "表尾说明": "第10–11行",
    }


def test_a_county_file_without_a_unit_is_refused_until_one_is_chosen(users):
    result = run(county_file(), users.abag_admin)

    assert result.needs_unit and not Person.objects.filter(name="张伟").exists()


def test_command_takes_the_unit_as_a_path(users, org, tmp_path, capsys):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(county_file().getvalue())

    call_command("import_roster", str(path), "--as", "abag", "--unit", "阿巴嘎旗委组织部/组织股")

    out = capsys.readouterr().out
    assert "导入成功：新增 2 人" in out and "跳过 第9行：合计行" in out
    assert person(ZHANG_X).unit == org.abag_section


@pytest.mark.parametrize(
    "unit, message",
    [
        ("锡林浩特市委组织部/组织股", "不在您的管理范围内"),
        ("宣传股", "找不到单位“宣传股”"),
    ],
)
def test_command_refuses_a_unit_outside_the_users_scope(users, tmp_path, unit, message):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(county_file().getvalue())

    with pytest.raises(CommandError, match=message):
        call_command("import_roster", str(path), "--as", "abag", "--unit", unit)
    assert not Person.objects.filter(name="张伟").exists()


def test_every_error_of_a_row_is_listed(users, org):
    wb = load_workbook(county_file())
    ws = wb.active
    ws["C5"], ws["D5"], ws["J5"] = "女", "火星族", "12345"  # three mistakes in one row

    result = run(saved(wb), users.abag_admin, unit=org.abag_section)

    assert {(e.row, e.column) for e in result.errors} == {(5, "性别"), (5, "民族"), (5, "联系电话")}


# --- the export round trip ---------------------------------------------------------------------


def export(client) -> Workbook:
    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def row_of(ws, name: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == name)


def test_the_export_carries_a_stable_person_number(users, client_for, org):
    client = client_for(users.abag_admin)
    first, second = export(client).active, export(client).active

    keys = {ws.cell(row_of(ws, "巴依斯古楞"), column(ws, "人员编号")).value for ws in (first, second)}
    assert keys == {roster.person_key(org.bayi.pk)}


def test_reimporting_the_export_unchanged_changes_nothing(users, client_for):
    result = run(saved(export(client_for(users.abag_admin))), users.abag_admin)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert not AuditEntry.objects.filter(action__in=[Action.PERSON_UPDATE, Action.PERSON_MOVE]).exists()


def test_an_edited_export_updates_exactly_what_was_edited(users, client_for, org):
    wb = export(client_for(users.abag_admin))
    ws = wb.active
    ws.cell(row_of(ws, "巴依斯古楞"), column(ws, "职务"), "副部长")
    ws.cell(row_of(ws, "王芳"), column(ws, "手机号码"), "13600000066")  # a full number replaces the masked one

    plan = roster.plan_import(saved(wb), user=users.abag_admin)

    assert plan.ok, plan.errors
    assert {p.name: p.changes for p in plan.to_update} == {
        "巴依斯古楞": [("职务", "", "副部长")],
        "王芳": [("手机号码", "139****0022", "136****0066")],
    }
    with context.acting_as(users.abag_admin):
        roster.apply_import(plan, user=users.abag_admin)
    bayi, wang = person(org.bayi.id_number), person(org.abag_other.id_number)
    assert (bayi.position, bayi.phone, wang.phone) == ("副部长", "13847900011", "13600000066")
    assert AuditEntry.objects.filter(action=Action.PERSON_UPDATE).count() == 2


def test_a_masked_id_number_that_was_edited_is_refused(users, client_for):
    wb = export(client_for(users.abag_admin))
    ws = wb.active
    cell = ws.cell(row_of(ws, "王芳"), column(ws, "身份证号"))
    cell.value = cell.value[:-4] + "0000"

    result = run(saved(wb), users.abag_admin)

    assert [(e.column, e.message[:18]) for e in result.errors] == [("身份证号", "隐去部分数字的身份证号与该人员登记的")]


def test_a_masked_id_number_without_the_person_number_is_refused(users, client_for):
    wb = export(client_for(users.abag_admin))
    wb.active.delete_cols(column(wb.active, "人员编号"))

    result = run(saved(wb), users.abag_admin)

    assert {(e.row, e.column) for e in result.errors} == {(2, "身份证号"), (2, "手机号码"), (3, "身份证号"), (3, "手机号码")}
    assert all("隐去了部分数字" in e.message for e in result.errors)


def test_a_person_number_outside_the_scope_is_refused(users, client_for, org):
    file = export_edited(client_for(users.abag_admin), "王芳", "人员编号", roster.person_key(org.xilin_person.pk))

    result = run(file, users.abag_admin)

    assert not result.ok and "不在您的管理范围内" in result.errors[0].message


@contextlib.contextmanager
def received(signal):
    """The keyword arguments of each sending of ``signal`` inside the block."""
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    signal.connect(receiver, weak=False, dispatch_uid="test-received")
    try:
        yield sent
    finally:
        signal.disconnect(dispatch_uid="test-received")


def export_edited(client, name: str, header: str, value) -> io.BytesIO:
    """The export with one cell changed: the person ``name``'s ``header``."""
    wb = export(client)
    ws = wb.active
    ws.cell(row_of(ws, name), column(ws, header), value)
    return saved(wb)


def test_setting_the_status_to_retired_closes_the_membership_and_tells_the_accounts(users, client_for, org):
    file = export_edited(client_for(users.abag_admin), "巴依斯古楞", "状态", "退休")

    with received(events.person_left) as left:
        result = run(file, users.abag_admin)

    assert result.ok and result.updated == 1
    assert [(s["person"].pk, s["actor"]) for s in left] == [(org.bayi.pk, users.abag_admin)]
    assert person(org.bayi.id_number).status == "retired"
    assert not UnitMembership.objects.filter(person=org.bayi, end_date__isnull=True).exists()
    assert AuditEntry.objects.get(action=Action.PERSON_DEACTIVATE).target_id == str(org.bayi.pk)


def test_a_move_in_the_file_keeps_the_history_and_tells_the_points(users, client_for, org):
    file = export_edited(client_for(users.abag_admin), "巴依斯古楞", "所在单位", "阿巴嘎旗委组织部")

    with received(events.person_moved) as moved:
        result = run(file, users.abag_admin)

    assert result.ok and result.updated == 1
    assert [(s["person"].pk, s["old_unit_id"]) for s in moved] == [(org.bayi.pk, org.abag_section.pk)]
    history = list(UnitMembership.objects.filter(person=org.bayi).order_by("start_date").values_list("unit", "end_date"))
    assert history[0][0] == org.abag_section.pk and history[0][1] is not None and history[1] == (org.abag.pk, None)
    assert AuditEntry.objects.get(action=Action.PERSON_MOVE).changes["unit"] == ["组织股", "阿巴嘎旗委组织部"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_round_trip_through_a_file_saved_by_libreoffice(users, client_for, org, tmp_path):
    """Export → edit a cell → LibreOffice opens and saves the file → import: exactly the edit changes."""
    wb = export(client_for(users.abag_admin))
    ws = wb.active
    ws.cell(row_of(ws, "王芳"), column(ws, "职务"), "组织员")
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(edited),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    resaved = (out / "edited.xlsx").read_bytes()
    assert resaved != edited.read_bytes()  # LibreOffice wrote its own file

    plan = roster.plan_import(io.BytesIO(resaved), user=users.abag_admin)

    assert plan.ok, plan.errors
    assert [(p.name, p.changes) for p in plan.to_update] == [("王芳", [("职务", "", "组织员")])]
    assert (plan.created, plan.unchanged) == (0, 1)


# --- speed: queries do not grow with the rows ------------------------------------------------


def roster_of(n: int, start: int = 0) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "民族", "身份证号", "手机号码", "所在单位", "职务", "入党日期", "参加工作日期"])
    for i in range(start, start + n):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=i // 5)
        ws.append(
            [
                f"张{i}",
                None,
                "汉族",
                make_id("152522", birth, 100 + i % 5 * 2 + 1),
                f"139{i:08d}",
                "组织股",
                "科员",
                "2000.7",
                "1995年8月",
            ]
        )
    return saved(wb)


def queries_of(file, user) -> tuple[int, int]:
    """(statements other than INSERT, INSERTs) of one import."""
    with CaptureQueriesContext(connection) as queries:
        assert run(file, user).ok
    inserts = sum(q["sql"].startswith("INSERT") for q in queries.captured_queries)
    return len(queries) - inserts, inserts


def test_the_import_runs_the_same_queries_for_40_and_400_rows(users):
    (small, small_inserts), (large, large_inserts) = (
        queries_of(roster_of(40), users.abag_admin),
        queries_of(roster_of(400, start=1000), users.abag_admin),
    )
    assert large - small <= 2, (small, large)
    # People, memberships and audit entries are written by core.bulk: one statement each (up to
    # 2,000 rows a statement on SQLite; a COPY on PostgreSQL), whatever the number of rows.
    assert large_inserts == small_inserts <= 4, (small_inserts, large_inserts)
    # Importing them again (every row matched, nothing written) is bounded too.
    again, again_inserts = queries_of(roster_of(400, start=1000), users.abag_admin)
    assert again <= small and again_inserts == 1  # the import's own audit entry


# --- the life-date rules the form and the import share -----------------------------------------


def form(user, org, **data) -> PersonForm:
    base = {
        "name": "张伟",
        "ethnicity": "汉族",
        "id_number": make_id("152522", dt.date(1990, 5, 12), 13),
        "unit": org.abag_section.pk,
        "political_status": "member",
    }
    return PersonForm(data={**base, **data}, user=user)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"work_start_date": "1989-01-01"}, "work_start_date", "参加工作日期不能早于出生日期（1990年5月12日）。"),
        ({"joined_party_date": "1990.3"}, "joined_party_date", "入党日期不能早于出生日期"),
        ({"full_member_date": "1988年"}, "full_member_date", "转正日期不能早于出生日期"),
        ({"joined_party_date": "2015-07-01", "full_member_date": "2014-07-01"}, "full_member_date", "转正日期不能早于入党日期"),
        ({"work_start_date": "2001.9"}, "work_start_date", "参加工作时不满14周岁"),
        ({"joined_party_date": "2027-01-01"}, "joined_party_date", "日期不能晚于今天"),
    ],
    ids=["work-before-birth", "joined-before-birth", "full-member-before-birth", "full-before-joined", "work-at-11", "future"],
)
def test_impossible_life_dates_are_refused_naming_the_field(users, org, data, field, message):
    bound = form(users.abag_admin, org, **data)

    assert not bound.is_valid()
    assert list(bound.errors) == [field] and message in bound.errors[field][0]


def test_the_month_of_birth_itself_is_not_before_birth(users, org):
    assert form(users.abag_admin, org, work_start_date="2008.9", joined_party_date="2010.6").is_valid()


def test_the_import_applies_the_same_rules(users, org):
    wb = load_workbook(county_file())
    wb.active["G5"] = "1989.01"  # 参加工作时间 before birth

    result = run(saved(wb), users.abag_admin, unit=org.abag_section)

    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (5, "参加工作时间", "参加工作日期不能早于出生日期（1990年5月12日）。")
    ]


def test_ethnicity_is_a_required_choice_without_a_default(users, org):
    bound = form(users.abag_admin, org, ethnicity="")

    assert not bound.is_valid() and bound.errors["ethnicity"] == ["请选择民族。"]
    assert PersonForm(user=users.abag_admin)["ethnicity"].value() in (None, "")


def test_a_move_between_two_units_of_one_name_is_written_and_audited(users, client_for, org):
    file = export_edited(client_for(users.league_admin), "巴依斯古楞", "所在单位", "锡林浩特市委组织部/组织股")

    plan = roster.plan_import(file, user=users.league_admin)

    assert [p.changes for p in plan.to_update] == [[("所在单位", "阿巴嘎旗委组织部/组织股", "锡林浩特市委组织部/组织股")]]
    with context.acting_as(users.league_admin):
        roster.apply_import(plan, user=users.league_admin)
    assert person(org.bayi.id_number).unit == org.xilin_section
    assert AuditEntry.objects.get(action=Action.PERSON_MOVE).changes["unit"] == [
        "阿巴嘎旗委组织部/组织股",
        "锡林浩特市委组织部/组织股",
    ]
