"""Taking an exam in the browser on a phone: one question a screen with a countdown, answers kept
as they are given, the browser closed and opened again on the same attempt (same questions, what
was answered, the time left), 交卷 listing what is unanswered; and the countdown handing in."""

import re

import pytest
from playwright.sync_api import expect

from xuebi.exams.models import Attempt, AttemptStatus
from xuebi.testing.fixtures import ARTIFACTS
from xuebi.testing.helpers import sign_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def open_exam(phone, exam):
    phone.goto(f"/exams/{exam.pk}/")


def test_a_phone_answers_closes_the_browser_resumes_and_hands_in(org, users, exam, browser, live_server):
    phone = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE).new_page()
    sign_in(phone, "cadre")
    phone.goto("/exams/")
    phone.get_by_text("党史知识竞答").click()
    phone.get_by_test_id("start").click()
    expect(phone.get_by_test_id("countdown")).to_contain_text(re.compile(r"剩余 (29|30):\d\d"))
    first = phone.get_by_test_id("question-1")
    expect(first).to_be_visible()
    expect(phone.get_by_test_id("question-2")).to_be_hidden()  # one question a screen
    assert "1935年1月" not in phone.content()  # no explanation, no key in the page
    first.get_by_label(re.compile(r"1935年$")).check()
    expect(phone.get_by_test_id("save-status")).to_contain_text("已保存")
    phone.get_by_role("button", name="下一题").click()
    phone.get_by_role("button", name="下一题").click()
    phone.get_by_test_id("question-3").get_by_label("正确").check()
    expect(phone.get_by_test_id("save-status")).to_contain_text("已保存")
    expect(phone.get_by_test_id("progress")).to_contain_text("已答 2 / 5 题")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "exam-sheet-phone.png"))
    attempt = Attempt.objects.get(exam=exam)
    order = [item.shown.get("options") for item in attempt.items.all()]
    phone.context.close()  # the browser is closed

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    again = context.new_page()
    try:
        sign_in(again, "cadre")
        open_exam(again, exam)
        again.get_by_test_id("resume").click()
        expect(again.get_by_test_id("progress")).to_contain_text("已答 2 / 5 题")
        expect(again.get_by_test_id("question-1").get_by_label(re.compile(r"1935年$"))).to_be_checked()
        expect(again.get_by_test_id("countdown")).to_contain_text(re.compile(r"剩余 (2\d|30):\d\d"))
        assert [item.shown.get("options") for item in Attempt.objects.get(pk=attempt.pk).items.all()] == order
        again.get_by_test_id("submit").click()
        expect(again.get_by_test_id("confirm")).to_contain_text("还有 3 题未作答：第 2、4、5 题。")
        again.get_by_test_id("confirm-submit").click()
        expect(again.get_by_test_id("score")).to_have_text("4")
    finally:
        context.close()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and Attempt.objects.filter(exam=exam).count() == 1


def test_the_countdown_hands_the_paper_in_when_the_time_is_up(org, users, exam, page):
    page.clock.install()
    sign_in(page, "cadre")
    open_exam(page, exam)
    page.get_by_test_id("start").click()
    page.get_by_role("link", name="整卷一页").click()
    expect(page.get_by_test_id("question-5")).to_be_visible()  # the whole paper on one page
    page.get_by_test_id("question-3").get_by_label("正确").check()
    expect(page.get_by_test_id("save-status")).to_contain_text("已保存")
    page.clock.run_for("30:01")
    expect(page.get_by_test_id("result")).to_contain_text("已交卷")
    expect(page.get_by_test_id("score")).to_have_text("2")
