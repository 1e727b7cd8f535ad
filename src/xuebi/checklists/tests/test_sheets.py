"""Checklist items from real .xlsx files: a good sheet (with a title row above the header, dates as
people type them) imported whole; a sheet with bad rows imports nothing and names every row and
column; the export opens in openpyxl, keeps text as text, and imports again."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from xuebi.audit.models import AuditEntry
from xuebi.checklists import sheets
from xuebi.checklists.models import Item, ListKind

from .conftest import make_item

pytestmark = pytest.mark.django_db


def workbook(rows, header=sheets.COLUMNS, title="阿巴嘎旗委组织部2026年清单") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("清单.xlsx", out.getvalue())


GOOD = [
    [
        "阶段任务清单",
        "报送组织生活会情况",
        "书面材料",
        "组织股",
        "巴依斯古楞",
        "副部长",
        "2026.11.1",
        "2026年12月25日",
        "重要",
        "",
    ],
    ["督查项目", "软弱涣散党组织整顿", "", "阿巴嘎旗委组织部", "", "", "", "2026-12-31", "", "挂牌督办"],
    ["科室责任清单", "党员信息维护", "每月核对", "组织股", "王芳", "", "", "", "", ""],
]


def test_a_good_sheet_is_imported_whole(org, users):
    result = sheets.import_items(workbook(GOOD), user=users.abag_admin, unit=org.abag)
    assert result.errors == [] and result.created == 3
    task = Item.objects.get(title="报送组织生活会情况")
    assert (task.kind, task.responsible_unit, task.responsible_person, task.priority) == (
        ListKind.TASK,
        org.abag_section,
        org.bayi,
        "high",
    )
    assert str(task.start_date) == "2026-11-01" and str(task.due_date) == "2026-12-25"
    assert Item.objects.get(title="软弱涣散党组织整顿").get_supervision_display() == "挂牌督办"
    assert AuditEntry.objects.filter(action="checklists.import").count() == 1


def test_bad_rows_import_nothing_and_are_named_by_row_and_column(org, users):
    bad = [
        GOOD[0],
        ["周计划", "事项甲", "", "组织股", "", "", "", "2026-12-01", "", ""],
        ["阶段任务清单", "事项乙", "", "锡林浩特市委组织部", "", "", "", "2026-12-01", "", ""],
        ["阶段任务清单", "事项丙", "", "组织股", "巴图", "", "", "2026-12-01", "", ""],
        ["阶段任务清单", "事项丁", "", "组织股", "", "", "", "明年", "", ""],
        ["阶段任务清单", '=HYPERLINK("http://x")', "", "组织股", "", "", "", "", "", ""],
    ]
    result = sheets.import_items(workbook(bad), user=users.abag_admin, unit=org.abag)
    # row 8's 事项 is a formula: read as no text at all (and so, no title and no due date)
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "清单"),
        (5, "责任单位"),
        (6, "责任人"),
        (7, "完成时限"),
        (8, "事项"),
        (8, "完成时限"),
    ]
    assert "“周计划”不是可选的值" in result.errors[0].message
    assert result.errors[1].message == "没有名为“锡林浩特市委组织部”的单位（须是本单位或下属单位）。"
    assert result.errors[2].message == "组织股没有在职人员“巴图”。"
    assert "明年" in result.errors[3].message and result.errors[4].message == "请填写事项名称。"
    assert not Item.objects.exists() and not AuditEntry.objects.filter(action="checklists.import").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.xlsx", b"not a workbook"), "无法读取文件"),
        (workbook([], header=["姓名", "身份证号"]), "未找到表头"),
        (workbook([]), "文件中没有事项。"),
    ],
)
def test_a_file_that_is_not_a_list_says_so(org, users, upload, message):
    result = sheets.import_items(upload, user=users.abag_admin, unit=org.abag)
    assert result.created == 0 and message in result.errors[0].message


def test_only_into_a_unit_one_administers(org, users):
    result = sheets.import_items(workbook(GOOD), user=users.xilin_admin, unit=org.abag)
    assert result.errors[0].message.startswith("请选择本人管理的单位") and not Item.objects.exists()


def test_the_export_opens_keeps_text_as_text_and_imports_again(client_for, org, users):
    make_item(users.abag_admin, org.abag, org.bayi, title="=1+1 不是公式")
    client = client_for(users.abag_admin)
    response = client.get(reverse("checklists:export") + "?year=2026")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c.value for row in ws.iter_rows() for c in row]
    (title,) = [c for row in ws.iter_rows() for c in row if c.value == "=1+1 不是公式"]
    assert title.data_type == "s"  # text, not a formula
    assert "进行中" not in cells and "未开始" in cells
    Item.objects.all().delete()
    again = sheets.import_items(SimpleUploadedFile("导出.xlsx", response.content), user=users.abag_admin, unit=org.abag)
    assert again.errors == [] and again.created == 1


def test_the_import_page_lists_the_problems(client_for, org, users):
    client = client_for(users.abag_admin)
    page = client.post(reverse("checklists:import"), {"unit": org.abag.pk, "file": workbook([["周计划", "事项", "", "组织股"]])})
    assert "未导入任何事项" in page.content.decode() and "第 3 行" in page.content.decode()
    done = client.post(reverse("checklists:import"), {"unit": org.abag.pk, "file": workbook(GOOD)})
    assert done.status_code == 302 and Item.objects.count() == 3
    template = client.get(reverse("checklists:import_template"))
    assert load_workbook(io.BytesIO(template.content)).active.cell(3, 1).value == "清单"
