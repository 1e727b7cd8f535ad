"""The cadre's home on a 375 px phone: points, rank and what waits, one tap from each."""

from __future__ import annotations

import datetime as dt

import pytest

from xuebi.ledger.services import records as ledger
from xuebi.testing.helpers import give, self_study, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cadre_sees_points_rank_and_a_returned_record_on_the_phone_home(phone, users, org, kinds, theory):
    give(org, org.abag_other, 3, 1, day=dt.date(2026, 10, 10))
    give(org, org.bayi, 5, 2, day=dt.date(2026, 11, 20))
    record = ledger.record_return(
        actor=users.abag_reviewer, record=self_study(users.cadre, kinds, content="退回的"), comment="请补充学习篇目"
    )
    sign_in(phone, "cadre")
    phone.goto("/")
    assert phone.get_by_test_id("home-points-total").inner_text() == "5"
    assert phone.get_by_test_id("home-rank").inner_text() == "第1名"
    assert "新" not in phone.get_by_test_id("home-move").inner_text()  # no points at the end of October: no arrow
    assert "退回意见：请补充学习篇目" in phone.get_by_test_id("home-returned").inner_text()
    assert "积分和排行榜将在后续版本开放" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # the cards fit the phone
    phone.get_by_test_id("home-returned").get_by_role("link", name=record.title).click()
    phone.wait_for_url(f"**/ledger/{record.pk}/edit/")
    phone.goto("/")
    phone.get_by_test_id("home-points").click()
    phone.wait_for_url("**/points/")
    assert phone.problems == []
