"""The points pages a department uses in its first week: the net journal with its detail a tap
away, a recompute previewed on request, a board printed on A4 and downloaded as .xlsx."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from xuebi.campaign.models import Rule
from xuebi.ledger.services import records as services
from xuebi.testing.helpers import self_study, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rule_change_is_previewed_on_request_applied_and_read_as_one_net_row(page, phone, users, org, kinds, theory):
    services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds, content="党章"))
    Rule.objects.filter(source_kind="self_study").update(points=Decimal(2))  # as if edited in place
    sign_in(page, "league")
    page.goto("/points/recompute/")
    assert page.get_by_test_id("recompute-preview").count() == 0  # nothing computed on the visit
    page.get_by_test_id("recompute-ask").click()
    preview = page.get_by_test_id("recompute-preview")
    assert "巴依斯古楞" in preview.inner_text() and "阿巴嘎旗委组织部 · 组织股" in preview.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("recompute-apply").click()
    page.get_by_text("已重算：1人积分变化").wait_for()

    sign_in(phone, "cadre")
    phone.goto("/points/")
    assert phone.get_by_test_id("journal-net").count() == 1  # 得分, 冲销, 得分 again: one row, +2
    assert "+2" in phone.get_by_test_id("journal-net").inner_text()
    phone.get_by_test_id("journal-entries").click()
    phone.wait_for_url("**/points/?view=detail")
    assert phone.get_by_test_id("journal").locator(".list-group-item").count() == 3
    assert phone.problems == []


def test_a_board_prints_on_a4_without_navigation_and_downloads_as_xlsx(page, users, org, theory):
    from xuebi.testing.helpers import give

    give(org, org.bayi, 5, 1)
    give(org, org.abag_other, 3, 2)
    sign_in(page, "abag")
    page.goto("/points/board/")
    with page.expect_download() as download:
        page.get_by_test_id("board-export").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["巴依斯古楞", "王芳"]
    page.emulate_media(media="print")
    assert not page.locator("nav.xb-navbar").is_visible() and not page.get_by_test_id("board-form").is_visible()
    assert page.locator(".xb-print-only").first.is_visible()
    assert (
        page.get_by_test_id("people-board").locator("thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
    )
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
