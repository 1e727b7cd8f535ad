"""A quarter's assessment of a small unit in the browser: the cadre writes the 小结 on a phone, the leader grades on
a desktop, is refused over the 好 cap, corrects it and finalises."""

import pytest
from playwright.sync_api import expect

from xuebi.assessments.models import Sheet, Status
from xuebi.testing.helpers import sign_in

from .conftest import open_quarter

pytestmark = pytest.mark.browser


def test_a_quarterly_assessment_phone_and_desktop(section, org, users, phone, page):
    assessment = open_quarter(users.abag_admin, section, quarter=4)

    sign_in(phone, "cadre")
    phone.goto("/assessments/")
    phone.get_by_test_id("my-sheets").get_by_role("link").first.click()
    expect(phone.get_by_test_id("sheet-person")).to_have_text("巴依斯古楞")
    phone.get_by_label("个人小结").fill("本季度牵头完成全旗组工干部业务培训，撰写组工信息2篇。")
    phone.get_by_test_id("summary-save").click()
    expect(phone.locator(".alert-success")).to_contain_text("个人小结已提交")
    assert not phone.problems
    sheet = Sheet.objects.get(assessment=assessment, person=org.bayi)
    assert sheet.summary.startswith("本季度牵头")

    sign_in(page, "abag")
    page.goto(f"/assessments/{assessment.pk}/")
    row = page.locator("tr[data-person='巴依斯古楞']")
    expect(row).to_contain_text("本季度牵头完成")
    for name, grade in [("巴依斯古楞", "好"), ("王芳", "好"), ("张伟", "好"), ("刘洋", "较好"), ("陈静", "一般")]:
        page.get_by_test_id(f"grade-{name}").select_option(label=grade)
    page.get_by_test_id("grades-save").click()
    expect(page.get_by_test_id("tally-over")).to_contain_text("好 最多 2 人，现为 3 人")
    page.get_by_test_id("finalise").click()
    expect(page.locator(".alert-danger").first).to_contain_text("好 最多 2 人，现为 3 人")
    page.get_by_test_id("grade-张伟").select_option(label="较好")
    page.get_by_test_id("grades-save").click()
    page.get_by_test_id("finalise").click()
    expect(page.get_by_test_id("assessment-status")).to_have_text("已确定")
    assert not page.problems
    assessment.refresh_from_db()
    assert assessment.status == Status.FINAL

    phone.goto(f"/assessments/sheets/{sheet.pk}/")
    expect(phone.get_by_test_id("sheet-grade")).to_have_text("好")
