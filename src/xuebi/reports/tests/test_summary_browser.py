"""The annual summary in a real browser, at a phone's width: the figures fit, the text is edited
and saved, and nothing breaks the page's rules (CSP, console)."""

from __future__ import annotations

import pytest

from xuebi.reports.models import SummaryDraft
from xuebi.testing.helpers import sign_in

from .test_summary import _kinds, _record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_admin_edits_the_summary_on_a_phone(phone, org, users, campaign):
    kinds = _kinds(users.league_admin)
    for _ in range(2):
        _record(users.cadre, users.abag_reviewer, kinds["feature_film"], {"title": "初心"})
    sign_in(phone, "abag")
    phone.goto("/reports/summary/")

    text = phone.get_by_label("正文")
    assert text.input_value() == "全旗组织系统拍摄党员教育专题片2部。"
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert phone.locator("tr[data-key=feature_films] td").nth(3).inner_text() == "2部"

    text.fill("全旗组织系统拍摄党员教育专题片2部，深受好评。")
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.get_by_text("年度总结已保存。").wait_for()
    assert phone.get_by_label("正文").input_value() == "全旗组织系统拍摄党员教育专题片2部，深受好评。"
    assert SummaryDraft.objects.get().text == "全旗组织系统拍摄党员教育专题片2部，深受好评。"
    assert phone.problems == []
