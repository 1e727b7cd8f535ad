"""组工信息 in the browser: a county admin sends an item on a phone, the league department records
its adoption on a desktop, and the quarter's ranking shows it."""

import pytest
from playwright.sync_api import expect

from xuebi.orginfo.models import InfoItem
from xuebi.testing.helpers import sign_in

pytestmark = pytest.mark.browser


def test_sent_on_a_phone_adopted_by_the_league_ranked(rules, org, users, phone, page):
    sign_in(phone, "abag")
    phone.goto("/orginfo/")
    phone.get_by_test_id("item-new").click()
    phone.get_by_label("标题").fill("阿巴嘎旗：“双学双比”推动学用结合")
    phone.locator("#id_author").select_option(str(org.bayi.pk))
    phone.get_by_label("正文").fill("学" * 900)
    phone.get_by_test_id("item-submit").click()
    expect(phone.get_by_test_id("item-status")).to_have_text("已报送")
    assert not phone.problems
    item = InfoItem.objects.get()

    sign_in(page, "league")
    page.goto(f"/orginfo/{item.pk}/")
    page.get_by_test_id("adopt").click()
    page.get_by_label("采用级别").select_option("region")
    page.get_by_test_id("adoption-save").click()
    expect(page.locator(".alert-success")).to_contain_text("已登记“自治区/自治区党委组织部”采用（长篇）")
    expect(page.get_by_test_id("adoption-points")).to_have_text("20分")

    page.goto("/orginfo/ranking/")
    first = page.get_by_test_id("ranking-table").locator("tbody tr").first
    expect(first).to_contain_text("阿巴嘎旗委组织部")
    expect(first.locator("td").nth(0)).to_have_text("1")
    expect(first).to_contain_text("20")
    assert not page.problems
