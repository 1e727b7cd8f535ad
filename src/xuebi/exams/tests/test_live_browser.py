"""现场监考 in the browser: the figures and the latest submissions refresh by themselves (every
5 s, the page's timer driven by Playwright's clock) when someone hands in while the organiser
watches."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from xuebi.exams.models import AttemptStatus
from xuebi.testing.fixtures import ARTIFACTS
from xuebi.testing.helpers import sign_in

from .conftest import OPENS, make_exam
from .test_results import take

pytestmark = pytest.mark.browser


def test_the_live_page_shows_a_new_submission(org, users, fixed_paper, page):
    exam = make_exam(org, users, fixed_paper, kind="onsite", room="二楼会议室", units=[org.abag])
    take(exam, org.abag_other, users.league_admin, status=AttemptStatus.ACTIVE)
    page.clock.install()
    sign_in(page, "abag")
    page.goto(f"/exams/{exam.pk}/live/")
    figures = page.get_by_test_id("live-figures")
    expect(figures.locator("[data-live=submitted]")).to_have_text("0")
    expect(figures.locator("[data-live=answering]")).to_have_text("1")
    expect(figures.locator("[data-live=not_started]")).to_have_text("1")
    expect(page.get_by_test_id("live-latest")).to_contain_text("还没有人交卷")

    take(exam, org.bayi, users.cadre, submitted=OPENS + dt.timedelta(minutes=40))  # 巴依斯古楞 hands in
    with page.expect_response(lambda r: r.url.endswith(f"/exams/{exam.pk}/live/data/")):
        page.clock.run_for(5000)
    expect(figures.locator("[data-live=submitted]")).to_have_text("1")
    expect(figures.locator("[data-live=not_started]")).to_have_text("0")
    expect(page.get_by_test_id("live-latest")).to_contain_text("巴依斯古楞")
    expect(page.get_by_test_id("live-latest")).to_contain_text("09:40:00")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "exam-live.png"))


def test_the_results_chart_draws(org, users, fixed_paper, page):
    exam = make_exam(org, users, fixed_paper, units=[org.abag])
    take(exam, org.bayi, users.cadre)
    sign_in(page, "league")
    page.goto(f"/exams/{exam.pk}/results/")
    expect(page.locator("#xb-exam-chart")).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("attempt-rows")).to_contain_text("巴依斯古楞")
