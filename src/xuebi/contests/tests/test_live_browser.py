"""A live contest in the browser: three judges score on their phones, and the big screen shows
each contestant's final score as soon as all three have scored, with the dropped highest and
lowest struck through."""

import re

import pytest
from playwright.sync_api import expect

from xuebi.contests.models import Assignment, AssignmentStatus
from xuebi.contests.services import contests as setup
from xuebi.contests.services import entries, judging
from xuebi.org.choices import Role
from xuebi.testing.helpers import make_user, sign_in

from .conftest import make_contest, to_review

pytestmark = pytest.mark.browser


def phone_page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.problems = problems
    return page


def test_three_judges_on_phones_and_the_big_screen(org, users, people, password_hash, browser, live_server, page):
    contest = make_contest(users, live=True, blind=False, kind="speech", judges_per_entry=3, trim_from=3, title="演讲比赛")
    judges = [
        users.judge,
        make_user("j2", Role.JUDGE, org.xilin, password_hash),
        make_user("j3", Role.JUDGE, org.league, password_hash),
    ]
    judges[1].full_name, judges[2].full_name = "评委二", "评委三"
    setup.panels_save(actor=users.league_admin, contest=contest, panels=[{"name": "评审组", "is_final": False, "judges": judges}])
    first = entries.entry_submit(actor=users.league_admin, contest=contest, title="青春在北疆", text="", authors=[org.bayi])
    second = entries.entry_submit(
        actor=users.league_admin, contest=contest, title="草原上的初心", text="", authors=[org.abag_other]
    )
    judging.assign(actor=users.league_admin, contest=contest)
    to_review(contest)
    speaker = min((first, second), key=lambda e: Assignment.objects.filter(entry=e).first().entry.live_order)
    speaker.refresh_from_db()

    sign_in(page, "league")
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto(f"/contests/{contest.pk}/screen/")
    row = page.locator(f"tr[data-code='{speaker.code}']")
    expect(row).to_contain_text("评分中 0/3")

    # content 40, expression 30, manner 20, time 10: the three totals are 92, 85 and 70
    given = {"judge": ["37", "27", "18", "10"], "j2": ["34", "26", "16", "9"], "j3": ["28", "21", "14", "7"]}
    for number, (username, values) in enumerate(given.items(), start=1):
        phone = phone_page(browser, live_server)
        sign_in(phone, username)
        phone.goto("/contests/judging/")
        phone.get_by_text(speaker.title).click()
        expect(phone.get_by_test_id("entry-code")).to_have_text(speaker.code)
        inputs = phone.locator("input[data-max]")
        for i, value in enumerate(values):
            inputs.nth(i).fill(value)
        expect(phone.locator("[data-score-total]")).to_have_text(f"{sum(int(v) for v in values)}.00")
        phone.get_by_test_id("score-submit").click()
        expect(phone.get_by_text(f"已提交作品 {speaker.code} 的评分")).to_be_visible()
        assert phone.problems == []
        phone.context.close()
        if number < 3:
            expect(row).to_contain_text(f"评分中 {number}/3")
            expect(row.get_by_test_id("final-score")).to_have_text("—")

    # all three scored: 92 and 70 dropped, 85 stays
    expect(row.get_by_test_id("final-score")).to_have_text("85.00")
    expect(row.locator(".dropped[data-dropped='high'] s")).to_have_text("92.00")
    expect(row.locator(".dropped[data-dropped='low'] s")).to_have_text("70.00")
    expect(row).to_contain_text("巴依斯古楞" if speaker == first else "王芳")
    assert Assignment.objects.filter(entry=speaker, status=AssignmentStatus.SUBMITTED).count() == 3
    other = page.locator(f"tr[data-code='{(second if speaker == first else first).code}']")
    expect(other.get_by_test_id("final-score")).to_have_text("—")
    assert page.problems == []


def test_a_judge_typing_over_the_maximum_is_told_and_nothing_is_saved(org, users, people, phone):
    contest = make_contest(users, blind=True)
    setup.panels_save(
        actor=users.league_admin, contest=contest, panels=[{"name": "评审组", "is_final": False, "judges": [users.judge]}]
    )
    entry = entries.entry_submit(actor=users.cadre, contest=contest, title="调研", text="正文", authors=[org.bayi])
    to_review(contest)
    assignment = Assignment.objects.create(entry=entry, judge=users.judge)
    sign_in(phone, "judge")
    phone.goto(f"/contests/judging/{assignment.pk}/")
    phone.locator("input[data-max]").first.fill("45")
    expect(phone.locator("input[data-max]").first).to_have_class(re.compile("is-invalid"))
    phone.get_by_test_id("score-submit").click()
    expect(phone.get_by_test_id("score-errors")).to_contain_text("“内容”的得分应在 0 到 40 之间")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.PENDING and not assignment.scores.exists()
