"""Approving a record in the browser updates the cadre's points and rank pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.services.records import RecordInput, record_create
from xuebi.testing.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approval_updates_the_cadres_points_and_rank(page, phone, users, org):
    campaign = Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    indicator = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    Rule.objects.create(campaign=campaign, indicator=indicator, name="讲党课", source_kind="give_lecture", points=Decimal(5))
    kind = kind_create(
        actor=users.league_admin,
        code="give_lecture",
        name="讲党课",
        dimension="theory",
        fields=[{"key": "topic", "label": "题目", "type": "text", "required": True}],
    )
    record = record_create(
        actor=users.cadre,
        kind=kind,
        submit=True,
        values=RecordInput(occurred_on=dt.date(2026, 11, 20), data={"topic": "学习贯彻党的二十届四中全会精神"}),
    )

    sign_in(phone, "cadre")
    phone.goto("/points/")
    assert phone.get_by_test_id("points-total").inner_text() == "0"

    sign_in(page, "reviewer")
    page.goto(f"/ledger/{record.pk}/")
    page.get_by_test_id("approve").click()
    page.get_by_test_id("queue-empty").wait_for()

    phone.goto("/points/")
    assert phone.get_by_test_id("points-total").inner_text() == "5"
    phone.locator("#xb-radar[data-ready='1'] canvas").wait_for()  # the 类别 radar chart, drawn under the CSP
    assert phone.problems == []
    assert phone.get_by_test_id("rank-league").inner_text() == "1"
    phone.get_by_test_id("journal").get_by_text("讲党课：学习贯彻党的二十届四中全会精神").wait_for()
    phone.goto("/points/board/")
    assert "巴依斯古楞" in phone.get_by_test_id("people-board").inner_text()
    phone.get_by_label("期间").select_option(label="2026年11月")  # the month's board, from the one drop-down
    phone.get_by_role("button", name="查看").click()
    phone.get_by_test_id("board-span").get_by_text("2026年11月").wait_for()
    row = phone.get_by_test_id("people-board").locator("tbody tr").first
    assert row.locator("td").nth(0).inner_text() == "1" and "巴依斯古楞" in row.inner_text()
    assert phone.get_by_test_id("board-span").inner_text().startswith("2026年11月 · 总分")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
