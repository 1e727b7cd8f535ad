"""The dashboard and the 大屏 in a real browser: every chart is drawn from the API (canvas, no console
error or CSP violation), the 大屏 fills 1920×1080 and fetches again by itself, and the dashboard fits
a phone."""

from __future__ import annotations

import datetime as dt

import pytest

from xuebi.testing.helpers import give, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["units", "counties", "months", "dimensions", "kinds", "compliance", "study"]


@pytest.fixture
def points(org, theory, campaign):
    give(org, org.bayi, 7, 1, day=dt.date(2026, 10, 15))
    give(org, org.xilin_person, 5, 2)
    return org


def _drawn(page) -> None:
    page.wait_for_selector("#xb-dashboard[data-loaded]")
    for name in CHARTS:
        box = page.locator(f'[data-chart="{name}"]')
        assert box.get_attribute("data-ready") == "1", name
        assert box.locator("canvas").count() >= 1, name


def test_the_dashboard_draws_every_chart(page, users, points):
    sign_in(page, "league")
    page.goto("/reports/dashboard/")
    _drawn(page)
    page.get_by_text("按人均").click()
    page.get_by_text("按总分").wait_for()
    assert page.problems == []


def test_the_big_screen_fills_1920_by_1080_and_refreshes_itself(browser, live_server, users, points):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}, base_url=live_server.url)
    screen = context.new_page()
    problems = []
    screen.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    sign_in(screen, "league")
    screen.goto("/reports/screen/?refresh=10")
    _drawn(screen)
    assert screen.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    title = screen.locator(".xb-screen-head h1")
    assert "全盟组织系统" in title.inner_text()
    assert float(title.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px")) >= 32
    assert screen.locator("[data-updated]").inner_text() != "—"
    screen.clock.install()  # the page's own timer, run forward: it fetches again
    screen.goto("/reports/screen/?refresh=10")
    screen.wait_for_selector('#xb-dashboard[data-loaded="1"]')
    screen.clock.run_for(11_000)
    screen.wait_for_selector('#xb-dashboard[data-loaded="2"]')
    assert problems == []
    context.close()


def test_the_dashboard_fits_a_phone(phone, users, points):
    sign_in(phone, "abag")
    phone.goto("/reports/dashboard/")
    _drawn(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert phone.problems == []
