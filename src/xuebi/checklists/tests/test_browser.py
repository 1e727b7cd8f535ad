"""清单式管理 in the browser: a cadre on a phone sees the bell's count, opens the reminder, reports
progress with a photo and asks for 验收; the county admin on a desktop accepts it from the board."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from xuebi.checklists.models import Item, Status
from xuebi.notifications import services as notifications
from xuebi.testing.helpers import sign_in

pytestmark = pytest.mark.browser


def test_reminded_on_a_phone_reported_and_accepted_on_a_desktop(org, users, item, phone, page, tmp_path):
    notifications.notify(
        [notifications.Message(users.cadre.pk, "还有 3 天到期：整理党员档案", url=f"/checklists/items/{item.pk}/", key="k")]
    )
    sign_in(phone, "cadre")
    bell = phone.get_by_test_id("bell")
    if not bell.is_visible():  # on a phone the navigation is folded behind its button
        phone.locator(".navbar-toggler").click()
    expect(bell.locator(".badge")).to_have_text("1")
    bell.click()
    phone.get_by_text("还有 3 天到期：整理党员档案").click()
    expect(phone.get_by_role("heading", name="整理党员档案")).to_be_visible()

    picture = tmp_path / "档案室.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 20, 28)).save(buffer, "JPEG")
    picture.write_bytes(buffer.getvalue())
    phone.get_by_label("进展情况").fill("已整理 6 个支部的档案")
    phone.get_by_label("完成进度（%）").fill("80")
    phone.get_by_label("佐证材料").set_input_files(str(picture))
    phone.get_by_test_id("progress-submit").click()
    expect(phone.locator(".alert-success")).to_contain_text("已报告进展。")
    expect(phone.get_by_test_id("events")).to_contain_text("已整理 6 个支部的档案")
    expect(phone.get_by_test_id("events").locator("img")).to_have_count(1)
    phone.get_by_test_id("ask-accept").click()
    expect(phone.get_by_test_id("item-status")).to_have_text("待验收")
    assert not phone.problems

    sign_in(page, "abag")
    page.goto("/checklists/board/")
    page.get_by_test_id("board").locator('[data-status="pending"]').get_by_text("整理党员档案").click()
    page.get_by_test_id("accept").click()
    expect(page.locator(".alert-success")).to_contain_text("已验收通过，事项销号。")
    expect(page.get_by_test_id("item-status")).to_have_text("已完成")
    assert Item.objects.get(pk=item.pk).status == Status.DONE
    assert not page.problems
