"""The real pages in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

These run against a live server on a transactional test database. Screenshots of each test's
last page land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from xuebi.org.models import Person
from xuebi.testing.helpers import make_id, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_navigate_and_find_a_person_by_pinyin_initials(page, org, users):
    sign_in(page, "abag")
    page.get_by_role("button", name="管理", exact=True).click()  # the admin entries fold into one menu
    page.get_by_role("link", name="人员花名册").first.click()
    table = page.locator("#person-table")
    assert table.get_by_text("王芳").is_visible()
    page.wait_for_load_state()  # the deferred scripts (htmx) have run: typing now searches
    page.get_by_placeholder("姓名、全拼或首字母").fill("bysgl")
    # HTMX swaps the table in place once the server answers.
    table.get_by_text("王芳").wait_for(state="detached")
    assert table.get_by_role("link", name="巴依斯古楞").is_visible()
    assert "q=bysgl" in page.url
    table.get_by_role("link", name="巴依斯古楞").click()
    page.get_by_role("heading", name="巴依斯古楞").wait_for()
    assert page.problems == []


def test_a_bad_id_number_gets_a_chinese_error_and_nothing_is_saved(page, org, users):
    sign_in(page, "abag")
    page.goto("/org/people/new/")
    page.get_by_label("姓名").fill("苏和")
    page.get_by_label("身份证号").fill("152522199005040171")  # wrong check character
    page.get_by_label("所在单位").select_option(label="　组织股")
    page.get_by_role("button", name="保存").click()
    error = page.locator('[data-field="id_number"]')
    assert "身份证号校验码不正确" in error.inner_text()
    assert page.get_by_label("姓名").input_value() == "苏和"  # what was typed stays
    assert not Person.objects.filter(name="苏和").exists()


def test_a_good_person_is_created_and_the_id_is_revealed_only_on_request(page, org, users):
    sign_in(page, "abag")
    page.goto("/org/people/new/")
    number = make_id("152522", __import__("datetime").date(1990, 5, 4), 17)
    page.get_by_label("姓名").fill("苏和")
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("所在单位").select_option(label="　组织股")
    page.get_by_label("民族").select_option("蒙古族")
    page.get_by_label("入党日期").fill("2012年7月1日")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("heading", name="苏和").wait_for()
    assert number not in page.content() and "152522********" in page.content()
    page.wait_for_load_state()  # htmx is ready before 查看 is pressed
    page.get_by_test_id("reveal-id").click()
    page.get_by_test_id("revealed").wait_for()
    assert page.get_by_test_id("revealed").inner_text() == number
    page.get_by_test_id("hide-id_number").click()  # 隐藏: masked again
    page.get_by_test_id("masked-id_number").wait_for()
    assert number not in page.content() and page.get_by_test_id("reveal-id").is_visible()
    assert page.problems == []


def _roster_file(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "民族", "身份证号", "所在单位", "职务", "入党日期"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_an_import_with_one_bad_row_lists_it_and_imports_nothing(page, org, users, tmp_path):
    good = make_id("152522", __import__("datetime").date(1988, 1, 2), 31)
    bad = make_id("152522", __import__("datetime").date(1988, 1, 3), 41)[:-1] + "0"
    if bad == make_id("152522", __import__("datetime").date(1988, 1, 3), 41):
        bad = bad[:-1] + "1"
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(
        _roster_file(
            [
                ["乌日娜", "女", "蒙古族", good, "组织股", "科员", "2010.7.1"],
                ["张伟", "男", "汉族", bad, "组织股", "科员", "2011年7月1日"],
            ]
        )
    )
    sign_in(page, "abag")
    page.goto("/org/people/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    text = errors.inner_text()
    assert "第3行" in text and "身份证号" in text and "校验码" in text
    assert "未导入任何数据" in page.content()
    assert not Person.objects.filter(name__in=["乌日娜", "张伟"]).exists()


def test_the_cadre_pages_fit_a_phone_screen(phone, org, users):
    sign_in(phone, "cadre")
    for url in ["/", "/org/me/", "/org/units/", "/accounts/password/"]:
        phone.goto(url)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
    # The menu collapses behind the toggler and opens on a tap.
    phone.goto("/")
    menu = phone.get_by_role("link", name="我的信息")
    assert not menu.is_visible()
    phone.get_by_role("button", name="菜单").click()
    menu.wait_for(state="visible")
    menu.click()
    phone.get_by_role("heading", name="巴依斯古楞").wait_for()


@pytest.mark.parametrize("username, entry", [("sysadmin", "账号管理"), ("secadmin", "角色授权"), ("auditor", "操作日志")])
def test_each_of_the_three_officers_gets_their_own_home(page, org, users, username, entry):
    sign_in(page, username)
    assert page.get_by_role("link", name=entry).first.is_visible()
    assert page.get_by_role("link", name="人员花名册").count() == 0
    page.get_by_role("link", name=entry).first.click()
    page.get_by_role("heading", name=entry).wait_for()
    assert page.problems == []


def test_pages_load_under_the_content_security_policy_without_violations(page, org, users):
    sign_in(page, "league")
    for url in ["/", "/org/units/", "/org/people/", f"/org/people/{org.bayi.pk}/", "/accounts/2fa/", "/api/v1/docs"]:
        response = page.goto(url)
        assert "unsafe-inline" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert [p for p in page.problems if "Content Security Policy" in p or "Refused" in p] == []


def test_the_account_menu_holds_the_password_two_factor_token_and_sign_out_links(page, org, users):
    sign_in(page, "abag")
    page.get_by_test_id("whoami").click()
    for label in ("修改密码", "双因素认证", "访问令牌"):
        assert page.get_by_role("link", name=label).is_visible()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.problems == []
