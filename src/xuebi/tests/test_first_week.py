"""A county department's first week, end to end in headless Chromium on phone-sized screens
(issue 13's "done means"): the county admin imports the department's own roster file into a
section, opens accounts for everyone in it and hands over the 开通通知单; a new cadre signs in
with the initial password, must change it, records a study session, and sees it approved."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from xuebi.campaign.models import Campaign
from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.models import Record
from xuebi.org.models import Person, User
from xuebi.org.tests.test_roster_files import LI_X, ZHANG_X, county_file
from xuebi.testing.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Caoyuan#2026"


def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


@pytest.fixture
def study_kind(users):
    Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    return kind_create(
        actor=users.league_admin,
        code="self_study",
        name="个人自学",
        dimension="theory",
        participation="single",
        fields=[{"key": "content", "label": "学习内容", "type": "text", "required": True}],
    )


def test_a_county_imports_its_roster_opens_accounts_and_a_new_cadre_gets_a_record_approved(
    phone, browser, live_server, org, users, study_kind, tmp_path
):
    admin = phone
    admin.on("dialog", lambda dialog: dialog.accept())
    roster_file = tmp_path / "阿巴嘎旗组织部花名册.xlsx"
    roster_file.write_bytes(county_file().getvalue())

    # 1. the county admin imports the department's own file (no unit column) into 组织股
    sign_in(admin, "abag")
    admin.goto("/org/people/import/")
    admin.get_by_label("Excel 文件（.xlsx）").set_input_files(str(roster_file))
    admin.get_by_label("导入到单位").select_option(value=str(org.abag_section.pk))
    admin.get_by_role("button", name="上传并预览").click()
    assert "新增 2 人" in admin.get_by_test_id("import-preview").inner_text()
    assert not Person.objects.filter(name="张伟").exists()  # nothing written before 确认导入
    admin.get_by_test_id("import-confirm").click()
    admin.wait_for_url(re.compile(r".*/org/people/.*"))
    zhang = Person.objects.get(id_number_hash=Person.hash_id_number(ZHANG_X))
    assert zhang.unit == org.abag_section and Person.objects.filter(id_number_hash=Person.hash_id_number(LI_X)).exists()

    # 2. … opens accounts for everyone in 组织股 who has none, and hands over the passwords
    admin.goto("/accounts/open/")
    admin.get_by_label("单位（含下级）").select_option(value=str(org.abag_section.pk))
    admin.get_by_role("button", name="预览").click()
    preview = admin.get_by_test_id("open-preview")
    assert "将开通 3 个账号" in preview.inner_text()  # 张伟, 李娜 and 王芳; 巴依斯古楞 has one
    preview.get_by_role("button", name="确认开通").click()
    admin.get_by_role("heading", name="交接初始密码").wait_for()
    with admin.expect_download() as download:
        admin.get_by_role("button", name="下载初始密码表（Excel）").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    passwords = {row[2]: row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(passwords) == {"zhangwei", "lina", "wangfang"}
    with admin.context.expect_page() as opened:
        admin.get_by_role("button", name="打印开通通知单").click()
    slips = opened.value
    slips.wait_for_load_state()
    assert slips.get_by_test_id("slip").count() == 3
    slip = slips.get_by_test_id("slip").filter(has_text="zhangwei").inner_text()
    assert "张伟" in slip and passwords["zhangwei"] in slip and live_server.url in slip
    account = User.objects.get(username="zhangwei")
    assert account.person == zhang and not account.role_grants.exists()

    # 3. the new cadre signs in with the slip's password and must change it first
    cadre = phone_page(browser, live_server)
    cadre.goto("/accounts/login/")
    cadre.get_by_label("用户名").fill("zhangwei")
    cadre.get_by_label("密码").fill(passwords["zhangwei"])
    cadre.get_by_role("button", name="登录").click()
    cadre.wait_for_url(re.compile(r".*/accounts/password/.*"))
    cadre.goto("/ledger/")  # nothing else opens before the change
    cadre.wait_for_url(re.compile(r".*/accounts/password/.*"))
    cadre.locator("input[name=old_password]").fill(passwords["zhangwei"])
    cadre.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    cadre.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    cadre.get_by_role("button", name="修改密码").click()
    cadre.wait_for_url(re.compile(r".*/$"))

    # 4. … records a study session (a cadre of their unit through the roster, without any grant)
    cadre.goto("/ledger/")
    cadre.get_by_test_id("record-new").click()
    cadre.get_by_test_id("kind-self_study").click()
    cadre.get_by_label("日期").fill("2026年11月24日")
    cadre.get_by_label("学习内容").fill("《习近平谈治国理政》第五卷")
    cadre.get_by_label("学时（小时）").fill("2")
    cadre.get_by_test_id("submit").click()
    cadre.get_by_test_id("record-status").get_by_text("待审核").wait_for()
    record = Record.objects.get(author=zhang)
    assert cadre.evaluate("document.documentElement.scrollWidth") <= 375

    # 5. the county's reviewer approves it, and the cadre sees it approved
    reviewer = phone_page(browser, live_server)
    sign_in(reviewer, "reviewer")
    reviewer.goto("/ledger/review/")
    reviewer.get_by_test_id("queue-row").get_by_text("第五卷").click()
    reviewer.get_by_test_id("approve").click()
    reviewer.wait_for_url(re.compile(r".*/ledger/review/.*"))
    cadre.goto(f"/ledger/{record.pk}/")
    cadre.get_by_test_id("record-status").get_by_text("已通过").wait_for()
    for page in (admin, cadre, reviewer):
        assert page.problems == []
    for page in (cadre, reviewer):
        page.context.close()
