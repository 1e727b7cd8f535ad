"""Questions in and out of .xlsx with real workbooks (openpyxl writes them, the import reads them;
LibreOffice opens the export): a good file of every type, a bad one refused whole with every row
and column named, unknown categories, duplicates reported and skipped, formula-like text kept as
text, and an exported bank imported again unchanged."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.core import xlsx
from xuebi.exams import sheets
from xuebi.exams.models import Bank, Question

HEADER = sheets.COLUMNS


row = sheets.sheet_row


def workbook(rows, header=HEADER, title="阿巴嘎旗业务题库") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(header)
    for values in rows:
        ws.append(values)
    return SimpleUploadedFile("试题.xlsx", xlsx.save(wb))  # text that looks like a formula stays text, as typed


GOOD = [
    row("单选题", "党史", "中国共产党成立于哪一年？", ["1919年", "1921年", "1927年"], "B", "1921年7月。", "易", "建党"),
    row("多选", "组织工作", "党的组织生活制度包括？", ["三会一课", "组织生活会", "民主评议党员", "年终奖评"], "A,B,C"),
    row("判断题", "党章党规", "预备党员的预备期为一年。", [], "√", "", "中"),
    row("填空题", "党史", "遵义会议于____年召开。", [], 1935, "", "难"),
    row("填空题", "党史", "党的一大在____和____召开。", [], "上海；嘉兴|浙江嘉兴"),
    row("简答题", "干部工作", "简述好干部标准。", [], "信念坚定\n为民服务"),
]


@pytest.fixture
def county_bank(org, users):
    return Bank.objects.create(name="阿巴嘎旗业务题库", unit=org.abag, created_by=users.abag_admin)


def test_a_good_file_adds_every_type(users, county_bank):
    result = sheets.import_questions(workbook(GOOD), user=users.abag_admin, bank=county_bank)
    assert result.errors == [] and result.created == 6
    got = {q.text: q for q in county_bank.questions.select_related("category")}
    single = got["中国共产党成立于哪一年？"]
    assert single.answer == [1] and single.options == ["1919年", "1921年", "1927年"] and single.difficulty == 1
    assert single.explanation == "1921年7月。" and single.tags == "建党" and single.category.name == "党史"
    assert got["党的组织生活制度包括？"].answer == [0, 1, 2]
    assert got["预备党员的预备期为一年。"].answer == [True]
    assert got["遵义会议于____年召开。"].answer == [["1935"]]  # a number cell read as typed
    assert got["党的一大在____和____召开。"].answer == [["上海"], ["嘉兴", "浙江嘉兴"]]
    assert got["简述好干部标准。"].reference == "信念坚定\n为民服务"
    entry = AuditEntry.objects.get(action=Action.EXAM_QUESTION_IMPORT)
    assert entry.changes["导入试题"] == [0, 6]


def test_a_bad_file_names_every_row_and_column_and_adds_nothing(users, county_bank):
    rows = [
        GOOD[0],
        row("问答题", "党史", "题型不对"),
        row("单选题", "民族团结", "没有这个分类", ["甲", "乙"], "A"),
        row("单选题", "党史", "答案不是选项", ["甲", "乙"], "C"),
        row("多选题", "党史", "", ["甲", "乙", "丙"], "AB"),
        row("判断题", "党史", "判断题答案不对", [], "也许"),
        row("单选题", "党史", "难度不对", ["甲", "乙"], "A", difficulty="很难"),
    ]
    result = sheets.import_questions(workbook(rows), user=users.abag_admin, bank=county_bank)
    found = {(e.row, e.column): e.message for e in result.errors}
    assert "不是题型" in found[(4, "题型")]
    assert "没有名为“民族团结”的分类" in found[(5, "分类")] and "党史" in found[(5, "分类")]  # the known ones listed
    assert "A–B" in found[(6, "答案")]
    assert "请填写题干" in found[(7, "题干")]
    assert "正确" in found[(8, "答案")]
    assert "易、中、难" in found[(9, "难度")]
    assert result.created == 0 and not county_bank.questions.exists()
    assert not AuditEntry.objects.filter(action=Action.EXAM_QUESTION_IMPORT).exists()


def test_duplicates_are_reported_and_skipped(users, county_bank):
    sheets.import_questions(workbook(GOOD[:1]), user=users.abag_admin, bank=county_bank)
    first = county_bank.questions.get()
    again = [
        row("单选题", "党史", "中国共产党成立于哪一年?", ["1919年", "1921年", "1927年"], "B"),  # the same, half-width "?"
        GOOD[2],
        GOOD[2],
    ]
    result = sheets.import_questions(workbook(again), user=users.abag_admin, bank=county_bank)
    assert result.errors == [] and result.created == 1
    assert [(e.row, e.message) for e in result.skipped] == [
        (3, f"与本题库第 {first.pk} 号试题重复：“中国共产党成立于哪一年？”。"),
        (5, "与文件第 4 行的试题重复。"),
    ]
    assert county_bank.questions.count() == 2


def test_what_is_not_a_question_file_is_refused_in_words(users, county_bank, org):
    not_xlsx = SimpleUploadedFile("试题.xlsx", b"this is not a workbook")
    result = sheets.import_questions(not_xlsx, user=users.abag_admin, bank=county_bank)
    assert ".xlsx" in result.errors[0].message
    no_header = sheets.import_questions(
        workbook([["甲", "乙"]], header=["姓名", "单位"]), user=users.abag_admin, bank=county_bank
    )
    assert "未找到表头" in no_header.errors[0].message
    missing = sheets.import_questions(
        workbook([["单选题", "题"]], header=["题型", "题干"]), user=users.abag_admin, bank=county_bank
    )
    assert "缺少必填列：分类、答案" in missing.errors[0].message
    empty = sheets.import_questions(workbook([]), user=users.abag_admin, bank=county_bank)
    assert empty.errors[0].message == "文件中没有试题。"
    other = Bank.objects.create(name="锡林浩特题库", unit=org.xilin)
    refused = sheets.import_questions(workbook(GOOD), user=users.abag_admin, bank=other)
    assert "无权" in refused.errors[0].message and not Question.objects.exists()


def test_an_exported_bank_imports_again_unchanged_and_formulas_stay_text(users, county_bank, org):
    rows = [*GOOD, row("单选题", "党史", '=HYPERLINK("http://x","点我")', ["=1+1", "+2", "-3"], "A")]
    sheets.import_questions(workbook(rows), user=users.abag_admin, bank=county_bank)
    content = sheets.export(
        county_bank, county_bank.questions.select_related("category").order_by("pk"), today=dt.date(2026, 11, 25)
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    formula_cells = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith(("=", "+", "-"))]
    assert formula_cells and all(c.data_type == "s" and c.quotePrefix for c in formula_cells)
    copy = Bank.objects.create(name="副本", unit=org.abag)
    result = sheets.import_questions(SimpleUploadedFile("导出.xlsx", content), user=users.abag_admin, bank=copy)
    assert result.errors == [] and result.created == 7

    def fields(bank):
        return sorted(
            (q.type, q.category_id, q.text, q.options, q.answer, q.reference, q.explanation, q.difficulty, q.tags)
            for q in bank.questions.all()
        )

    assert fields(copy) == fields(county_bank)


def test_the_template_imports_as_it_is(users, county_bank):
    result = sheets.import_questions(SimpleUploadedFile("模板.xlsx", sheets.template()), user=users.abag_admin, bank=county_bank)
    assert result.errors == [] and result.created == len(sheets.EXAMPLES)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_export_and_its_copy_imports(users, county_bank, org, tmp_path):
    sheets.import_questions(workbook(GOOD), user=users.abag_admin, bank=county_bank)
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "题库.xlsx"
    path.write_bytes(sheets.export(county_bank, county_bank.questions.select_related("category"), today=dt.date(2026, 11, 25)))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    copy = Bank.objects.create(name="副本", unit=org.abag)
    resaved = SimpleUploadedFile("题库.xlsx", (tmp_path / "题库.xlsx").read_bytes())
    result = sheets.import_questions(resaved, user=users.abag_admin, bank=copy)
    assert result.errors == [] and result.created == 6
    assert copy.questions.get(type="fill", text__contains="一大").answer == [["上海"], ["嘉兴", "浙江嘉兴"]]


def test_the_import_page_lists_problems_and_the_export_is_a_download(users, client_for, county_bank):
    client = client_for(users.abag_admin)
    bad = client.post(
        f"/exams/banks/{county_bank.pk}/import/", {"file": workbook([row("单选题", "党史", "缺答案", ["甲", "乙"])])}
    )
    body = bad.content.decode()
    assert "未导入任何试题" in body and "第 3 行" in body and "请填写答案" in body
    good = client.post(f"/exams/banks/{county_bank.pk}/import/", {"file": workbook(GOOD)})
    assert good.status_code == 302 and county_bank.questions.count() == 6
    again = client.post(f"/exams/banks/{county_bank.pk}/import/", {"file": workbook(GOOD[:2])}).content.decode()
    assert "以下 2 行是重复的试题" in again and "已导入 0 道试题" in again
    download = client.get(f"/exams/banks/{county_bank.pk}/export.xlsx?type=single")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    exported = load_workbook(
        io.BytesIO(b"".join(download.streaming_content) if download.streaming else download.content)
    ).worksheets[0]
    texts = [r[2] for r in exported.iter_rows(min_row=4, values_only=True)]
    assert texts == ["中国共产党成立于哪一年？"]  # the filter applies to the export
    assert AuditEntry.objects.filter(action=Action.EXAM_QUESTION_EXPORT).exists()
    template = client.get("/exams/banks/template.xlsx")
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
