"""The roster (花名册) import, template and export, with real .xlsx files built by openpyxl.

Each test reads like what a unit admin does: fill a sheet, import it, and look at the roster
(or at the list of errors, after which nothing at all has been imported).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.core import context
from xuebi.org.services import roster
from xuebi.org.models import Person, UnitMembership
from xuebi.testing.helpers import TEST_NOW, make_id

IMPORT_URL = "/org/people/import/"
TEMPLATE_URL = "/org/people/import/template.xlsx"
EXPORT_URL = "/org/people/export.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADERS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "手机号码",
    "所在单位",
    "职务",
    "学历",
    "政治面貌",
    "入党日期",
    "转正日期",
    "参加工作日期",
]
HEADERS_EXPORTED = [c.header for c in roster.COLUMNS]  # the template's and the export's columns, in order

# New people (not in the `org` fixture). seq odd → male, even → female.
ZHANG_ID = make_id("152522", dt.date(1990, 5, 12), 13)  # 张伟, 男
LI_ID = make_id("152522", dt.date(1992, 8, 20), 24)  # 李娜, 女
WANG_ID = make_id("152522", dt.date(1988, 1, 9), 35)  # 王刚, 男


def zhang(**cells) -> dict:
    """A good row; keyword arguments (by header) change or add cells."""
    return {
        "姓名": "张伟",
        "性别": "男",
        "民族": "汉族",
        "身份证号": ZHANG_ID,
        "手机号码": "13912345678",
        "所在单位": "组织股",
        "职务": "科员",
        "学历": "大学本科",
        "政治面貌": "中共党员",
        "入党日期": "2012-06-01",
        "转正日期": "2013-06-01",
        "参加工作日期": "2012.7.1",
        **cells,
    }


def li(**cells) -> dict:
    return {"姓名": "李娜", "身份证号": LI_ID, "所在单位": "组织股", "民族": "蒙古族", "政治面貌": "中共党员", **cells}


def wang(**cells) -> dict:
    return {"姓名": "王刚", "身份证号": WANG_ID, "所在单位": "阿巴嘎旗委组织部", "民族": "汉族", "政治面貌": "群众", **cells}


def xlsx(*rows: dict, headers=HEADERS, title: str | None = None) -> io.BytesIO:
    """A workbook with an optional title row, the header row, then one row per dict (by header)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(list(headers))
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, f"cells for columns the sheet lacks: {unknown}"
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def run(file, user) -> roster.ImportResult:
    with context.acting_as(user, ip="127.0.0.1"):
        return roster.import_workbook(file, user=user, filename="花名册.xlsx")


def import_audits() -> int:
    return AuditEntry.objects.filter(action=Action.ROSTER_IMPORT).count()


def refused(file, user) -> list[tuple[int, str, str]]:
    """Import a file that must be refused; check nothing was written; return the errors as (row, column, message)."""
    people, audits, memberships = Person.objects.count(), import_audits(), UnitMembership.objects.count()
    result = run(file, user)
    assert not result.ok
    assert (result.created, result.updated) == (0, 0)
    assert Person.objects.count() == people
    assert UnitMembership.objects.count() == memberships
    assert import_audits() == audits
    return [(e.row, e.column, e.message) for e in result.errors]


def person(id_number: str) -> Person:
    return Person.objects.get(id_number_hash=Person.hash_id_number(id_number))


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected, shown",
    [
        ("2021-07-01", dt.date(2021, 7, 1), "2021年7月1日"),
        ("2021/7/1", dt.date(2021, 7, 1), "2021年7月1日"),
        ("2021.7.1", dt.date(2021, 7, 1), "2021年7月1日"),
        ("2021年7月1日", dt.date(2021, 7, 1), "2021年7月1日"),
        ("2021年7月1号", dt.date(2021, 7, 1), "2021年7月1日"),
        ("二〇二一年七月一日", dt.date(2021, 7, 1), "2021年7月1日"),
        (" 2021-07-01 ", dt.date(2021, 7, 1), "2021年7月1日"),
        (dt.datetime(2021, 7, 1), dt.date(2021, 7, 1), "2021年7月1日"),  # a real Excel date cell
        (44378, dt.date(2021, 7, 1), "2021年7月1日"),  # the serial number of a cell that lost its date format
        (20210701, dt.date(2021, 7, 1), "2021年7月1日"),  # 20210701 typed into a number cell
        ("2021年7月", dt.date(2021, 7, 1), "2021年7月"),
        ("2021.07", dt.date(2021, 7, 1), "2021年7月"),
        (2021.07, dt.date(2021, 7, 1), "2021年7月"),  # 2021.07 typed into a number cell is the float 2021.07
        (2021, dt.date(2021, 1, 1), "2021年"),  # and 2021 the integer 2021, not Excel's day 2021 (1905)
    ],
    ids=[
        "iso",
        "slash",
        "dots",
        "chinese",
        "chinese-hao",
        "chinese-numerals",
        "spaces-around",
        "excel-date-cell",
        "excel-serial-number",
        "yyyymmdd-number",
        "chinese-month",
        "dotted-month-text",
        "dotted-month-number",
        "year-number",
    ],
)
def test_every_date_form_lands_as_the_right_date(users, cell, expected, shown):
    result = run(xlsx(zhang(参加工作日期=cell)), users.abag_admin)

    assert result.ok, result.errors
    saved = person(ZHANG_ID)
    assert saved.work_start_date == expected
    assert saved.date_display("work_start_date") == shown


def test_month_precision_is_stored_and_shown_as_the_month(users, client_for):
    result = run(xlsx(zhang(入党日期="2012年6月", 转正日期="2013.06")), users.abag_admin)

    assert result.ok, result.errors
    saved = person(ZHANG_ID)
    assert saved.date_precision == {"joined_party_date": "month", "full_member_date": "month"}
    assert (saved.date_display("joined_party_date"), saved.date_display("full_member_date")) == ("2012年6月", "2013年6月")
    page = client_for(users.abag_admin).get(f"/org/people/{saved.pk}/").content.decode()
    assert "2012年6月" in page and "2012年6月1日" not in page


def test_giving_a_full_date_where_the_month_was_is_an_update(users):
    assert run(xlsx(zhang(入党日期="2012年6月")), users.abag_admin).ok

    result = run(xlsx(zhang(入党日期="2012年6月1日")), users.abag_admin)

    assert (result.updated, result.unchanged) == (1, 0)
    assert person(ZHANG_ID).date_display("joined_party_date") == "2012年6月1日"


def test_decimal_cell_shows_the_month_excel_shows(users):
    """2013.10 in a cell formatted “0.00” is the float 2013.1; Excel shows 2013.10, so it is October."""
    file = xlsx(zhang())
    wb = load_workbook(file)
    cell = wb.active.cell(row=2, column=HEADERS.index("转正日期") + 1, value=2013.1)
    cell.number_format = "0.00"
    file = io.BytesIO()
    wb.save(file)
    file.seek(0)

    assert run(file, users.abag_admin).ok
    assert person(ZHANG_ID).date_display("full_member_date") == "2013年10月"


def test_birth_month_column_is_completed_from_the_id_number(users):
    """Many rosters have 出生年月 (1990.05) rather than a full date: it must agree with the number."""
    headers = ["姓名", "出生年月", "身份证号", "所在单位"]
    good = xlsx({"姓名": "张伟", "出生年月": 1990.05, "身份证号": ZHANG_ID, "所在单位": "组织股"}, headers=headers)

    assert run(good, users.abag_admin).ok
    assert person(ZHANG_ID).birth_date == dt.date(1990, 5, 12)

    errors = refused(
        xlsx({"姓名": "李娜", "出生年月": "1992年9月", "身份证号": LI_ID, "所在单位": "组织股"}, headers=headers),
        users.abag_admin,
    )
    assert errors == [(2, "出生年月", "出生日期与身份证号不一致（身份证号为 1992年8月20日）。")]


# --- headers as real rosters write them -------------------------------------------------------


def test_title_row_and_header_aliases(users, org):
    headers = ["序号", "姓 名", "性别", "公民身份号码", "工作单位", "联系电话", "现任职务", "文化程度", "备注"]
    file = xlsx(
        {
            "序号": 1,
            "姓 名": "张伟",
            "性别": "男",
            "公民身份号码": ZHANG_ID,
            "工作单位": "组织股",
            "联系电话": 13912345678,
            "现任职务": "副股长",
            "文化程度": "本科",
            "备注": "新调入",
        },
        headers=headers,
        title="阿巴嘎旗委组织部干部花名册",
    )

    result = run(file, users.abag_admin)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    saved = person(ZHANG_ID)
    assert (saved.name, saved.unit, saved.phone, saved.position) == ("张伟", org.abag_section, "13912345678", "副股长")
    assert saved.education == "bachelor"
    assert saved.birth_date == dt.date(1990, 5, 12) and saved.sex == "M"  # from the 身份证号


def test_columns_left_out_take_the_defaults_of_a_new_person(users):
    result = run(
        xlsx({"姓名": "张伟", "身份证号": ZHANG_ID, "所在单位": "组织股"}, headers=["姓名", "身份证号", "所在单位"]),
        users.abag_admin,
    )

    assert result.ok, result.errors
    saved = person(ZHANG_ID)
    # 民族 is not guessed: it stays blank, and the import says so.
    assert (saved.ethnicity, saved.political_status, saved.is_org_cadre) == ("", "member", True)
    assert any("没有“民族”列" in note for note in result.notes)


def test_labels_as_people_write_them(users):
    file = xlsx(li(民族="蒙古", 学历="大专", 政治面貌="预备党员", 性别="女性"))

    assert run(file, users.abag_admin).ok
    li_ = person(LI_ID)
    assert (li_.ethnicity, li_.education, li_.political_status, li_.sex) == ("蒙古族", "college", "probationary", "F")


def test_unit_and_section_in_two_columns(users, org):
    """工作单位 阿巴嘎旗委组织部 + 所在科室 组织股 names one unit, even for the league admin."""
    headers = ["姓名", "身份证号", "工作单位", "所在科室"]
    file = xlsx(
        {"姓名": "张伟", "身份证号": ZHANG_ID, "工作单位": "阿巴嘎旗委组织部", "所在科室": "组织股"},
        {"姓名": "李娜", "身份证号": LI_ID, "工作单位": "锡林浩特市委组织部", "所在科室": "组织股"},
        {"姓名": "王刚", "身份证号": WANG_ID, "工作单位": "阿巴嘎旗委组织部组织股"},
        headers=headers,
    )

    assert run(file, users.league_admin).ok
    assert (person(ZHANG_ID).unit, person(LI_ID).unit, person(WANG_ID).unit) == (
        org.abag_section,
        org.xilin_section,
        org.abag_section,
    )


# --- importing again --------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(users):
    data = xlsx(zhang(), li(), wang()).getvalue()
    first = run(io.BytesIO(data), users.abag_admin)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    people, memberships = Person.objects.count(), UnitMembership.objects.count()

    second = run(io.BytesIO(data), users.abag_admin)

    assert second.ok, second.errors
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert (Person.objects.count(), UnitMembership.objects.count()) == (people, memberships)
    assert not AuditEntry.objects.filter(action=Action.PERSON_UPDATE).exists()


def test_changing_one_cell_updates_exactly_that_person(users):
    assert run(xlsx(zhang(), li()), users.abag_admin).ok
    li_before = person(LI_ID)

    result = run(xlsx(zhang(手机号码="13700000001"), li()), users.abag_admin)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert person(ZHANG_ID).phone == "13700000001"
    assert person(LI_ID).updated_at == li_before.updated_at
    update = AuditEntry.objects.get(action=Action.PERSON_UPDATE)
    assert update.target_id == str(person(ZHANG_ID).pk) and "phone" in update.changes


def test_moving_a_person_to_another_unit_keeps_the_history(users, org):
    headers = ["姓名", "身份证号", "所在单位"]
    file = xlsx({"姓名": "巴依斯古楞", "身份证号": org.bayi.id_number, "所在单位": "阿巴嘎旗委组织部"}, headers=headers)

    result = run(file, users.abag_admin)

    assert (result.created, result.updated) == (0, 1)
    bayi = person(org.bayi.id_number)
    assert bayi.unit == org.abag
    # Columns the sheet does not have keep their stored values.
    assert (bayi.ethnicity, bayi.phone, bayi.birth_date) == ("蒙古族", "13847900011", dt.date(1985, 3, 1))
    history = list(bayi.memberships.order_by("start_date").values_list("unit", "end_date"))
    assert len(history) == 2
    assert history[0][0] == org.abag_section.pk and history[0][1] is not None
    assert history[1] == (org.abag.pk, None)


def test_a_sheet_without_the_org_cadre_column_keeps_the_stored_flag(users, org):
    Person.objects.filter(pk=org.abag_other.pk).update(is_org_cadre=False)
    headers = ["姓名", "性别", "身份证号", "所在单位"]

    result = run(
        xlsx({"姓名": "王芳", "性别": "女", "身份证号": org.abag_other.id_number, "所在单位": "组织股"}, headers=headers),
        users.abag_admin,
    )

    assert (result.updated, result.unchanged) == (0, 1)
    assert person(org.abag_other.id_number).is_org_cadre is False


# --- bad rows ---------------------------------------------------------------------------------


def _bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


TOMORROW = TEST_NOW.date() + dt.timedelta(days=1)  # the suite's clock (conftest._clock), not the machine's


@pytest.mark.parametrize(
    "cells, column, message",
    [
        ({"身份证号": _bad_check_digit(ZHANG_ID)}, "身份证号", "身份证号校验码不正确"),
        ({"身份证号": ZHANG_ID[:17]}, "身份证号", "身份证号应为18位"),
        ({"出生日期": "1990-05-13"}, "出生日期", "出生日期与身份证号不一致（身份证号为 1990年5月12日）"),
        ({"性别": "女"}, "性别", "性别与身份证号不一致"),
        ({"所在单位": "宣传股"}, "所在单位", "找不到单位“宣传股”"),
        ({"所在单位": ""}, "所在单位", "请填写所在单位"),
        ({"民族": "火星族"}, "民族", "“火星族”不是可选值"),
        ({"学历": "幼儿园"}, "学历", "“幼儿园”不是可选值，可选：研究生、大学本科"),
        ({"政治面貌": "党外人士"}, "政治面貌", "“党外人士”不是可选值"),
        ({"参加工作日期": "去年七月"}, "参加工作日期", "无法识别的日期“去年七月”"),
        ({"参加工作日期": "2021年2月30日"}, "参加工作日期", "日期不存在（2021年2月30日）"),
        ({"参加工作日期": f"{TOMORROW:%Y-%m-%d}"}, "参加工作日期", "日期不能晚于今天"),
        ({"入党日期": "2013-06-01", "转正日期": "2012-06-01"}, "转正日期", "转正日期不能早于入党日期"),
        ({"手机号码": "1234567"}, "手机号码", "手机号码应为11位中国大陆手机号"),
        ({"姓名": ""}, "姓名", "请填写姓名"),
        ({"姓名": "  "}, "姓名", "请填写姓名"),
        ({"身份证号": ""}, "身份证号", "请填写身份证号"),
    ],
    ids=[
        "check-digit",
        "17-characters",
        "birth-date",
        "sex",
        "unknown-unit",
        "no-unit",
        "ethnicity",
        "education",
        "political-status",
        "unreadable-date",
        "no-such-day",
        "future-date",
        "full-member-before-joining",
        "phone",
        "no-name",
        "blank-name",
        "no-id-number",
    ],
)
def test_a_bad_row_is_named_by_row_column_and_reason(users, cells, column, message):
    errors = refused(xlsx(li(), zhang(**cells)), users.abag_admin)

    assert len(errors) == 1, errors
    row, col, text = errors[0]
    assert (row, col) == (3, column)
    assert message in text


def test_id_number_that_excel_stored_as_a_number(users):
    """Excel keeps 15 digits: an 18-digit number comes back as 1.52522199005121e+17."""
    errors = refused(xlsx(zhang(身份证号=float(ZHANG_ID))), users.abag_admin)

    assert errors == [(2, "身份证号", "身份证号被 Excel 当作数字保存，后几位已经丢失。请将该列设为“文本”格式后重新填写。")]


def test_duplicate_id_within_the_file_names_the_other_row(users):
    errors = refused(xlsx(zhang(), li(), zhang(姓名="张卫")), users.abag_admin)

    assert errors == [(4, "身份证号", "与第2行的身份证号重复。")]


def test_id_registered_outside_the_importers_scope(users, org):
    """巴图 is on 锡林浩特市's roster: 阿巴嘎旗 can neither add him again nor take him over."""
    errors = refused(xlsx(zhang(身份证号=org.xilin_person.id_number, 姓名="巴图")), users.abag_admin)

    assert errors == [(2, "身份证号", "该身份证号已登记在您管理范围以外的单位，请联系上级组织部门办理调动。")]
    assert person(org.xilin_person.id_number).unit == org.xilin_section


def test_organization_section_is_ambiguous_for_the_league_admin_only(users, org):
    errors = refused(xlsx(zhang()), users.league_admin)
    assert errors == [
        (2, "所在单位", "单位“组织股”有多个同名单位，请写明上级单位，如：阿巴嘎旗委组织部/组织股、锡林浩特市委组织部/组织股。")
    ]

    assert run(xlsx(zhang(所在单位="阿巴嘎旗委组织部/组织股")), users.league_admin).ok
    assert person(ZHANG_ID).unit == org.abag_section


def test_organization_section_is_not_ambiguous_for_the_county_admin(users, org):
    assert run(xlsx(zhang()), users.abag_admin).ok
    assert person(ZHANG_ID).unit == org.abag_section


@pytest.mark.parametrize("unit", ["锡林浩特市委组织部/组织股", "锡林浩特市委组织部", "组织科"])
def test_county_admin_cannot_import_into_another_unit(users, unit):
    errors = refused(xlsx(zhang(所在单位=unit)), users.abag_admin)

    assert errors == [(2, "所在单位", f"找不到单位“{unit}”，或该单位不在您的管理范围内。")]


def test_missing_required_column(users):
    errors = refused(xlsx({"姓名": "张伟", "所在单位": "组织股"}, headers=["姓名", "所在单位"]), users.abag_admin)

    assert errors == [(0, "身份证号", "缺少必填列“身份证号”。")]


def test_without_a_unit_column_the_unit_must_be_chosen(users):
    result = run(xlsx({"姓名": "张伟", "身份证号": ZHANG_ID}, headers=["姓名", "身份证号"]), users.abag_admin)

    assert result.needs_unit
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (0, "所在单位", "文件中没有“所在单位”列：请选择这些人员所在的单位（命令行用 --unit）。")
    ]


def test_two_columns_for_the_same_field(users):
    headers = ["姓名", "身份证号", "所在单位", "手机号码", "联系电话"]
    file = xlsx(
        {"姓名": "张伟", "身份证号": ZHANG_ID, "所在单位": "组织股", "手机号码": "13912345678", "联系电话": "13700000001"},
        headers=headers,
        title="花名册",
    )

    errors = refused(file, users.abag_admin)

    assert errors == [(2, "联系电话", "“手机号码”和“联系电话”两列都是手机号码，请删去其中一列。")]


def test_too_many_rows(users, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 2)

    errors = refused(xlsx(zhang(), li(), wang()), users.abag_admin)

    assert errors == [(4, "", "一次最多导入2行，请分批导入。")]


def test_sheet_without_the_header_row(users):
    errors = refused(xlsx({"名字": "张伟"}, headers=["名字"]), users.abag_admin)

    assert len(errors) == 1 and "未找到表头" in errors[0][2]


@pytest.mark.parametrize(
    "content",
    [
        "姓名,身份证号,所在单位\n张伟,152522199005120132,组织股\n".encode("gbk"),  # a CSV renamed to .xlsx
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,  # an Excel 97–2003 .xls
        b"PK\x03\x04 broken",
    ],
    ids=["csv", "xls", "broken-zip"],
)
def test_a_file_that_is_not_xlsx(users, content):
    errors = refused(io.BytesIO(content), users.abag_admin)

    assert errors == [(0, "", "无法读取文件：请上传 Excel 2007 及以上版本的 .xlsx 文件。")]


SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def padded(file: io.BytesIO, *, strings: int = 0, extra_bytes: int = 0) -> io.BytesIO:
    """The workbook with a shared-strings part of ``strings`` entries (unused by the sheet, as in
    the probe's 660 KB file that unpacked to hundreds of MB) or an extra part of ``extra_bytes``."""
    source = zipfile.ZipFile(file)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "[Content_Types].xml" and strings:
                data = data.replace(
                    b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}"/></Types>'.encode()
                )
            package.writestr(part.filename, data)
        if strings:
            package.writestr(
                "xl/sharedStrings.xml",
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + b"<si><t>x</t></si>" * strings
                + b"</sst>",
            )
        if extra_bytes:
            package.writestr("xl/media/padding.bin", b" " * extra_bytes)
    out.seek(0)
    return out


def test_a_workbook_whose_shared_strings_unpack_to_megabytes_is_refused_before_reading(users):
    bomb = padded(xlsx(zhang()), strings=700_000)  # 11 MB of XML in a file of tens of KB
    assert len(bomb.getvalue()) < 100_000

    errors = refused(bomb, users.abag_admin)

    assert errors == [
        (0, "", "文件中的文字（共享字符串表）解压后有 11.3 MB，超过 10 MB 的上限，请将数据复制到新的工作簿后再导入，或分批导入。")
    ]


def test_a_workbook_that_unpacks_past_the_configured_limit_is_refused(users, settings):
    settings.XUEBI_IMPORT_MAX_UNZIPPED_MB = 1
    assert run(padded(xlsx(zhang()), extra_bytes=500_000), users.abag_admin).ok

    errors = refused(padded(xlsx(li()), extra_bytes=2_000_000), users.abag_admin)

    assert len(errors) == 1 and errors[0][2].startswith("文件解压后有 1.9 MB，超过 1 MB 的上限")


def test_rows_read_are_bounded_blank_ones_included(users, monkeypatch):
    monkeypatch.setattr(roster, "MAX_SHEET_ROWS", 5)
    blank = {h: " " for h in HEADERS}

    errors = refused(xlsx(zhang(), *[blank] * 5), users.abag_admin)

    assert errors == [(0, "", "工作表超过5行（含空行），请删去多余的空行，或分批导入（一次最多10000人）。")]


def test_the_import_page_refuses_a_zip_bomb_with_a_message(users, client_for):
    upload = SimpleUploadedFile("花名册.xlsx", padded(xlsx(zhang()), strings=700_000).getvalue(), content_type=XLSX)
    people = Person.objects.count()

    response = client_for(users.abag_admin).post(IMPORT_URL, {"file": upload})

    assert response.status_code == 200
    assert "超过 10 MB 的上限" in response.content.decode()
    assert Person.objects.count() == people


def test_every_bad_row_is_listed_and_nothing_is_imported(users, org):
    file = xlsx(
        zhang(),  # row 2: good
        li(性别="男"),  # row 3: sex disagrees with the number
        wang(参加工作日期="2021.13.1"),  # row 4: no month 13
        {
            "姓名": "赵敏",
            "身份证号": _bad_check_digit(make_id("152522", dt.date(1991, 3, 3), 46)),
            "所在单位": "组织股",
            "手机号码": "12345",
            "民族": "汉族",
            "政治面貌": "群众",
        },  # row 5: two problems
        {},  # row 6: blank, skipped
        zhang(姓名="张伟伟"),  # row 7: the same number as row 2
        zhang(姓名="孙强", 身份证号=make_id("152522", dt.date(1987, 2, 2), 57)),  # row 8: good
        {
            "姓名": "巴依斯古楞",
            "身份证号": org.bayi.id_number,
            "所在单位": "组织股",
            "民族": "蒙古族",
            "政治面貌": "中共党员",
            "手机号码": "13700000001",
        },  # row 9: a good update
    )

    errors = refused(file, users.abag_admin)

    assert [(row, column) for row, column, _message in errors] == [
        (3, "性别"),
        (4, "参加工作日期"),
        (5, "身份证号"),
        (5, "手机号码"),
        (7, "身份证号"),
    ]
    assert not Person.objects.filter(name__in=["张伟", "孙强"]).exists()
    assert person(org.bayi.id_number).phone == "13847900011"


def test_a_file_with_only_a_header(users):
    assert refused(xlsx(), users.abag_admin) == [(0, "", "文件中没有人员数据。")]


# --- pages: who may import and export ---------------------------------------------------------


@pytest.mark.parametrize("role", ["cadre", "abag_reviewer", "sysadmin", "auditor", "judge"])
@pytest.mark.parametrize("url", [IMPORT_URL, TEMPLATE_URL])
def test_only_admins_reach_the_import_page_and_template(users, client_for, role, url):
    assert client_for(getattr(users, role)).get(url).status_code == 403


def test_import_page_lists_the_bad_rows_and_imports_nothing(users, client_for):
    client = client_for(users.abag_admin)
    upload = SimpleUploadedFile("花名册.xlsx", xlsx(zhang(), li(手机号码="12345")).getvalue(), content_type=XLSX)
    people = Person.objects.count()

    response = client.post(IMPORT_URL, {"file": upload})

    assert response.status_code == 200
    page = response.content.decode()
    assert "第3行" in page and "手机号码" in page and "手机号码应为11位中国大陆手机号" in page
    assert "未导入任何数据" in page
    assert Person.objects.count() == people


def _preview(client, file, **data):
    upload = SimpleUploadedFile("花名册.xlsx", file.getvalue(), content_type=XLSX)
    response = client.post(IMPORT_URL, {"file": upload, **data})
    assert response.status_code == 200
    return response.content.decode(), response.context.get("token")


def test_import_page_previews_then_imports_on_confirm(users, client_for, settings):
    client = client_for(users.abag_admin)

    page, token = _preview(client, xlsx(zhang(), li()))

    assert "新增 2 人 / 更新 0 人 / 未变化 0 人" in page and "确认导入" in page
    assert not Person.objects.filter(name="张伟").exists()  # nothing written by the preview
    kept = settings.DATA_DIR / "imports" / f"{token}.xlsx"
    assert kept.is_file()  # the upload itself is kept for the confirm

    response = client.post(IMPORT_URL, {"confirm": token}, follow=True)

    assert "导入成功：新增2人，更新0人" in response.content.decode()
    assert person(ZHANG_ID).name == "张伟" and person(LI_ID).name == "李娜"
    entry = AuditEntry.objects.get(action=Action.ROSTER_IMPORT)
    assert entry.actor == users.abag_admin and entry.changes["created"] == 2
    assert not kept.exists()  # the kept upload is deleted once imported
    # The same token cannot import twice.
    again = client.post(IMPORT_URL, {"confirm": token}, follow=True)
    assert "预览已过期或已导入" in again.content.decode()


def test_preview_shows_each_change_as_the_pages_show_it(users, client_for):
    assert run(xlsx(zhang(), li()), users.abag_admin).ok
    client = client_for(users.abag_admin)

    page, _token = _preview(client, xlsx(zhang(职务="副股长", 入党日期="2012年6月"), li()))

    assert "新增 0 人 / 更新 1 人（职务、入党日期） / 未变化 1 人" in page
    assert "职务：科员 → 副股长" in page and "入党日期：2012年6月1日 → 2012年6月" in page


def test_confirm_refuses_when_the_roster_changed_since_the_preview(users, client_for):
    assert run(xlsx(zhang()), users.abag_admin).ok
    client = client_for(users.abag_admin)
    _page, token = _preview(client, xlsx(zhang(职务="副股长")))
    Person.objects.filter(pk=person(ZHANG_ID).pk).update(position="股长")  # someone else edits meanwhile

    response = client.post(IMPORT_URL, {"confirm": token}, follow=True)

    assert "预览之后花名册已有变动" in response.content.decode()
    assert person(ZHANG_ID).position == "股长"


def test_import_page_asks_for_the_unit_when_the_file_has_none(users, client_for, org):
    client = client_for(users.abag_admin)
    file = xlsx({"姓名": "张伟", "身份证号": ZHANG_ID}, headers=["姓名", "身份证号"])

    page, token = _preview(client, file)
    assert token is None and "请选择这些人员所在的单位" in page

    page, token = _preview(client, file, unit=org.abag_section.pk)
    assert "新增 1 人" in page
    client.post(IMPORT_URL, {"confirm": token})
    assert person(ZHANG_ID).unit == org.abag_section


def test_the_unit_picker_offers_only_units_the_user_may_change(users, client_for, org):
    client = client_for(users.abag_admin)
    file = xlsx({"姓名": "张伟", "身份证号": ZHANG_ID}, headers=["姓名", "身份证号"])

    page, token = _preview(client, file, unit=org.xilin_section.pk)

    assert token is None and not Person.objects.filter(name="张伟").exists()
    assert "锡林浩特" not in client.get(IMPORT_URL).content.decode()


def _open(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def test_reviewer_exports_only_their_subtree_with_masked_fields(users, client_for, org):
    response = client_for(users.abag_reviewer).get(EXPORT_URL)

    sheet = _open(response).active
    rows = [dict(zip(HEADERS_EXPORTED, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(r["姓名"] for r in rows) == ["巴依斯古楞", "王芳"]
    bayi = next(r for r in rows if r["姓名"] == "巴依斯古楞")
    full_id = org.bayi.id_number
    assert bayi["身份证号"] == full_id[:6] + "********" + full_id[-4:]
    assert bayi["手机号码"] == "138****0011"
    everything = " ".join(str(v) for r in sheet.iter_rows(values_only=True) for v in r if v is not None)
    for secret in (full_id, org.abag_other.id_number, "13847900011", "13900000022"):
        assert secret not in everything


def test_export_is_audited(users, client_for):
    client_for(users.abag_admin).get(EXPORT_URL)

    entry = AuditEntry.objects.get(action=Action.ROSTER_EXPORT)
    assert entry.actor == users.abag_admin and entry.changes["rows"] == 2


def test_league_export_names_same_named_units_by_their_parent(users, client_for, org):
    sheet = _open(client_for(users.league_admin).get(EXPORT_URL)).active
    units = {row[0]: row[HEADERS_EXPORTED.index("所在单位")] for row in sheet.iter_rows(min_row=2, values_only=True)}

    assert units == {
        "李强": "组织科",
        "巴依斯古楞": "阿巴嘎旗委组织部/组织股",
        "王芳": "阿巴嘎旗委组织部/组织股",
        "巴图": "锡林浩特市委组织部/组织股",
    }


def test_export_shows_dates_as_entered(users, client_for):
    assert run(xlsx(zhang(入党日期="2012年6月")), users.abag_admin).ok

    sheet = _open(client_for(users.abag_admin).get(EXPORT_URL)).active
    row = next(dict(zip(HEADERS_EXPORTED, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "张伟")
    assert (row["入党日期"], row["转正日期"], row["出生日期"]) == ("2012年6月", "2013年6月1日", "1990年5月12日")


def test_export_never_writes_a_formula(users, client_for, org):
    Person.objects.filter(pk=org.bayi.pk).update(position='=HYPERLINK("http://example.com","点击")')

    sheet = _open(client_for(users.abag_admin).get(EXPORT_URL)).active
    cell = next(r[HEADERS_EXPORTED.index("职务")] for r in sheet.iter_rows(min_row=2) if r[0].value == "巴依斯古楞")
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://example.com","点击")', "s")


@pytest.mark.parametrize("role", ["cadre", "sysadmin", "auditor"])
def test_who_may_not_export(users, client_for, role):
    assert client_for(getattr(users, role)).get(EXPORT_URL).status_code == 403


# --- the template -----------------------------------------------------------------------------


def test_template_has_the_headers_instructions_and_drop_downs(users, client_for):
    response = client_for(users.abag_admin).get(TEMPLATE_URL)

    wb = _open(response)
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "姓名",
        "性别",
        "民族",
        "出生日期",
        "身份证号",
        "手机号码",
        "所在单位",
        "职务",
        "职级",
        "学历",
        "政治面貌",
        "入党日期",
        "转正日期",
        "参加工作日期",
        "组工干部",
    ]
    assert "填写说明" in wb.sheetnames
    assert any("身份证号" in (row[0] or "") for row in wb["填写说明"].iter_rows(values_only=True))
    sex_rules = [dv for dv in sheet.data_validations.dataValidation if "B2" in str(dv.sqref)]
    assert len(sex_rules) == 1 and sex_rules[0].type == "list"
    listed = wb["可选值"]
    assert [c.value for c in listed["A"][:3]] == ["性别", "男", "女"]
    assert sheet["E2"].number_format == "@"  # 身份证号 as text


def test_filled_template_imports(users, client_for, org):
    wb = _open(client_for(users.abag_admin).get(TEMPLATE_URL))
    sheet = wb.worksheets[0]
    values = {
        "姓名": "张伟",
        "性别": "男",
        "民族": "汉族",
        "身份证号": ZHANG_ID,
        "手机号码": "13912345678",
        "所在单位": "组织股",
        "职务": "科员",
        "职级": "一级科员",
        "学历": "研究生",
        "政治面貌": "中共党员",
        "入党日期": dt.datetime(2012, 6, 1),
        "转正日期": "2013年6月1日",
        "参加工作日期": "2012.7",
        "组工干部": "否",
    }
    for i, header in enumerate(HEADERS_EXPORTED, start=1):
        sheet.cell(row=2, column=i, value=values.get(header))
    file = io.BytesIO()
    wb.save(file)
    file.seek(0)

    result = run(file, users.abag_admin)

    assert result.ok, result.errors
    assert result.created == 1
    saved = person(ZHANG_ID)
    assert (saved.rank, saved.education, saved.is_org_cadre, saved.unit) == ("一级科员", "postgraduate", False, org.abag_section)
    assert (saved.joined_party_date, saved.date_display("work_start_date")) == (dt.date(2012, 6, 1), "2012年7月")


# --- the management command -------------------------------------------------------------------


def _save(tmp_path, file: io.BytesIO):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(file.getvalue())
    return str(path)


def test_command_imports_and_prints_the_counts(users, tmp_path, capsys):
    path = _save(tmp_path, xlsx(zhang(), li()))

    call_command("import_roster", path, "--as", "abag")

    assert "导入成功：新增 2 人，更新 0 人，未变化 0 人。" in capsys.readouterr().out
    assert person(ZHANG_ID).unit.name == "组织股"
    assert AuditEntry.objects.get(action=Action.ROSTER_IMPORT).actor == users.abag_admin


def test_command_refuses_a_bad_file_and_imports_nothing(users, tmp_path, capsys):
    path = _save(tmp_path, xlsx(zhang(), li(性别="男")))
    people = Person.objects.count()

    with pytest.raises(CommandError, match="导入失败：1 处错误，未导入任何数据。"):
        call_command("import_roster", path, "--as", "abag")

    assert "第3行 性别 性别与身份证号不一致" in capsys.readouterr().err
    assert Person.objects.count() == people


@pytest.mark.parametrize(
    "username, message",
    [
        ("cadre", "无权导入花名册"),
        ("no-such-user", "不存在或已停用"),
    ],
    ids=["cadre", "unknown-account"],
)
def test_command_needs_an_admin_account(users, tmp_path, username, message):
    path = _save(tmp_path, xlsx(zhang()))

    with pytest.raises(CommandError, match=message):
        call_command("import_roster", path, "--as", username)
    assert not Person.objects.filter(name="张伟").exists()
