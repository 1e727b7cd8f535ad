"""In headless Chromium: the 系统管理员 opens accounts for a section, hands over the passwords,
and a new cadre signs in with the initial password and must change it."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from xuebi.org.models import User
from xuebi.testing.helpers import add_person, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_accounts_for_a_section_and_sign_in_with_the_initial_password(page, browser, live_server, org, users):
    add_person(org.abag_section, "王芳", 61)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "sysadmin")
    page.goto("/accounts/users/")
    page.get_by_role("link", name="从花名册批量开通").click()
    page.get_by_label("单位（含下级）").select_option(value=str(org.abag_section.pk))
    page.get_by_role("button", name="预览").click()
    preview = page.get_by_test_id("open-preview")
    preview.get_by_text("wangfang2").wait_for()
    assert "已有账号 cadre" not in preview.inner_text()  # 只列出尚无账号的人员 is on by default
    preview.get_by_role("button", name="确认开通").click()
    page.get_by_role("heading", name="交接初始密码").wait_for()

    with page.expect_download() as download:
        page.get_by_role("button", name="下载初始密码表（Excel）").click()
    ws = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert download.value.suggested_filename.endswith(".xlsx")
    rows = {row[2]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"wangfang", "wangfang2"}
    name, unit, username, password, site = rows["wangfang"]
    assert (name, unit, site) == ("王芳", "阿巴嘎旗委组织部 组织股", live_server.url + "/")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="打印开通通知单").click()
    slips = opened.value
    slips.wait_for_load_state()
    assert slips.get_by_test_id("slip").count() == 2
    assert password in slips.get_by_test_id("slip").first.inner_text() + slips.get_by_test_id("slip").last.inner_text()
    page.reload()
    page.get_by_test_id("handed-over").wait_for()
    assert password not in page.content()
    assert page.problems == []

    # the new cadre, on their own browser
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    cadre = context.new_page()
    cadre.goto("/accounts/login/")
    cadre.get_by_label("用户名").fill("wangfang")
    cadre.get_by_label("密码").fill(password)
    cadre.get_by_role("button", name="登录").click()
    cadre.wait_for_url(re.compile(r".*/accounts/password/.*"))
    cadre.locator("input[name=old_password]").fill(password)
    cadre.locator("input[name=new_password1]").fill("Caoyuan#2026")
    cadre.locator("input[name=new_password2]").fill("Caoyuan#2026")
    cadre.get_by_role("button", name="修改密码").click()
    cadre.wait_for_url(re.compile(r".*/$"))
    user = User.objects.get(username="wangfang")
    assert not user.must_change_password and user.check_password("Caoyuan#2026")
    context.close()
