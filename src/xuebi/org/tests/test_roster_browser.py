"""The roster in a real browser: on a phone, the date picker, and a county's file imported
through the preview."""

from __future__ import annotations

import pytest

from xuebi.org.models import Person
from xuebi.testing.helpers import sign_in

from .test_roster_files import ZHANG_X, county_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_roster_on_a_phone_keeps_each_name_on_one_line(phone, org, users):
    sign_in(phone, "abag")
    phone.goto("/org/people/")

    name = phone.get_by_test_id("person-name").filter(has_text="巴依斯古楞").locator("a")
    name.wait_for()
    # One line box: an inline element broken over lines has one client rect per line.
    assert name.evaluate("el => el.getClientRects().length") == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # Columns a phone does without are hidden, 状态 stays.
    assert not phone.get_by_role("columnheader", name="身份证号").is_visible()
    assert phone.get_by_role("columnheader", name="状态").is_visible()
    assert phone.problems == []


def test_a_date_field_has_a_picker_button_and_still_takes_typed_dates(page, org, users):
    sign_in(page, "abag")
    page.goto("/org/people/new/")

    button = page.get_by_test_id("date-picker-joined_party_date")
    assert button.is_visible()
    # The browser's calendar cannot be driven headless: pick through the hidden date input it fills.
    picker = page.locator("#id_joined_party_date ~ input[type=date]")
    picker.evaluate("el => { el.value = '2012-07-01'; el.dispatchEvent(new Event('change')); }")
    assert page.get_by_label("入党日期").input_value() == "2012年7月1日"
    page.get_by_label("参加工作日期").fill("2010.8")
    assert page.get_by_label("参加工作日期").input_value() == "2010.8"
    assert page.problems == []


def upload_county_file(page, tmp_path):
    """As 阿巴嘎's admin: upload the county's roster file into 组织股 and wait for the preview."""
    path = tmp_path / "阿巴嘎花名册.xlsx"
    path.write_bytes(county_file().getvalue())
    sign_in(page, "abag")
    page.goto("/org/people/import/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_label("导入到单位").select_option(label="　组织股")
    page.get_by_role("button", name="上传并预览").click()
    preview = page.get_by_test_id("import-preview")
    preview.wait_for()
    return preview


def test_a_county_file_is_previewed_then_imported(page, org, users, tmp_path):
    preview = upload_county_file(page, tmp_path)
    assert "新增 2 人 / 更新 0 人 / 未变化 0 人 / 跳过 7 行" in preview.inner_text()
    assert "第9行：合计行" in page.get_by_test_id("import-skipped").inner_text()
    assert not Person.objects.filter(name="张伟").exists()
    page.get_by_test_id("import-confirm").click()
    page.get_by_text("导入成功：新增2人").wait_for()
    assert Person.objects.get(id_number_hash=Person.hash_id_number(ZHANG_X)).unit == org.abag_section
    assert page.problems == []
