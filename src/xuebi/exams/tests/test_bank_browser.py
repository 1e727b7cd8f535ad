"""The question bank and the random paper's rules in the browser: an administrator on a phone adds a
multiple-choice question from its form (tick boxes for the key), sees it in the filtered list; on
the rules page the count the banks hold follows the rule being typed, in red when it is too few."""

import re

import pytest
from playwright.sync_api import expect

from xuebi.exams.models import Category, Paper, PaperMode, Question
from xuebi.testing.helpers import sign_in

pytestmark = pytest.mark.browser


def test_a_phone_adds_a_multiple_choice_question(phone, users, bank):
    sign_in(phone, "league")
    phone.goto("/exams/banks/")
    phone.get_by_role("link", name="党史知识题库").click()
    phone.get_by_role("link", name="新建多选题").click()
    phone.get_by_label("分类").select_option(label="组织工作")
    phone.get_by_label("题干").fill("党的纪律包括哪些？")
    for letter, text in zip("ABCD", ["政治纪律", "组织纪律", "廉洁纪律", "考勤纪律"]):
        phone.get_by_label(f"选项{letter}").fill(text)
    phone.get_by_test_id("question-form").get_by_label("A", exact=True).check()
    phone.get_by_test_id("question-form").get_by_label("C", exact=True).check()
    phone.get_by_role("button", name="保存", exact=True).click()
    expect(phone.get_by_text("只有一个正确选项", exact=False)).to_have_count(0)
    expect(phone.locator(".alert-success")).to_contain_text("已添加第")
    saved = Question.objects.get(text="党的纪律包括哪些？")
    assert saved.answer == [0, 2] and saved.options[3] == "考勤纪律" and saved.category.name == "组织工作"
    phone.get_by_label("题型").select_option(label="多选题")
    phone.get_by_role("button", name="筛选").click()
    expect(phone.get_by_test_id("question-table")).to_contain_text("党的纪律包括哪些？")
    expect(phone.get_by_test_id("question-table")).not_to_contain_text("遵义会议")
    assert phone.problems == []


def test_the_rules_page_counts_the_questions_a_rule_can_draw(page, users, bank, org):
    paper = Paper.objects.create(title="随机卷", unit=org.league, mode=PaperMode.RANDOM)
    paper.banks.set([bank.bank])
    sign_in(page, "league")
    page.goto(f"/exams/papers/{paper.pk}/rules/")
    row = page.locator("[data-rule]").first
    row.locator("[name$='-category']").select_option(label="党史")
    row.locator("[name$='-count']").fill("20")
    row.locator("[name$='-points']").fill("2")
    row.locator("[name$='-type']").select_option(label="单选题")
    have = row.locator("[data-have]")
    expect(have).to_have_text("13 道")
    expect(have).to_have_class(re.compile("text-danger"))
    row.locator("[name$='-count']").fill("10")
    row.locator("[name$='-category']").select_option(label="全部分类")
    expect(have).to_have_text("13 道")
    expect(have).not_to_have_class(re.compile("text-danger"))
    page.get_by_test_id("rules-save").click()
    expect(page.get_by_test_id("paper-max")).to_have_text("20")
    assert [(r.category_id, r.count) for r in paper.rules.all()] == [(None, 10)]
    assert Category.objects.filter(name="党史").exists() and page.problems == []


def test_an_import_is_refused_with_its_rows_then_taken_and_a_paper_picked(page, users, bank, org):
    from xuebi.exams import sheets

    from .conftest import category
    from .test_sheets import GOOD, workbook

    category("干部工作")  # a live-server test starts from a flushed database: the seeded categories are gone
    sign_in(page, "league")
    page.goto(f"/exams/banks/{bank.bank.pk}/")
    page.get_by_test_id("bank-import").click()
    bad = workbook([GOOD[0], sheets.sheet_row("单选题", "民族团结", "分类不对", ["甲", "乙"], "A")])
    page.get_by_label("试题文件（.xlsx）").set_input_files(
        {"name": "试题.xlsx", "mimeType": "application/octet-stream", "buffer": bad.read()}
    )
    page.get_by_role("button", name="导入").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("第 4 行")
    expect(errors).to_contain_text("没有名为“民族团结”的分类")
    good = workbook(GOOD)
    page.get_by_label("试题文件（.xlsx）").set_input_files(
        {"name": "试题.xlsx", "mimeType": "application/octet-stream", "buffer": good.read()}
    )
    page.get_by_role("button", name="导入").click()
    expect(page.locator(".alert-success")).to_contain_text("已导入 6 道试题")
    paper = Paper.objects.create(title="固定卷", unit=org.league)
    page.goto(f"/exams/papers/{paper.pk}/")
    page.get_by_test_id("paper-compose").click()
    page.get_by_label("题型").select_option(label="判断题")
    page.get_by_role("button", name="查找").click()
    candidates = page.get_by_test_id("picker-candidates")
    expect(candidates.locator("tbody tr")).to_have_count(2)
    for box in candidates.get_by_role("checkbox").all():
        box.check()
    page.get_by_test_id("picker-save").click()
    expect(page.get_by_test_id("paper-max")).to_have_text("2")
    expect(page.get_by_test_id("paper-questions")).to_contain_text("预备党员的预备期为一年。")
    assert paper.fixed.count() == 2 and page.problems == []
