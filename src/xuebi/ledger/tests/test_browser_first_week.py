"""Issue 13's ledger flows in headless Chromium: a reviewer works down a sorted queue with 下一条,
a 退回 without a comment stays on the record, the points a record will earn are shown; the
cadre, on a phone, sees the 退回意见 where they edit, removes a wrong photo and the history says
what changed; an organizer gives every attendee the same hours at once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from xuebi.campaign.models import Indicator, Rule
from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.models import Record
from xuebi.ledger.services.records import RecordInput, record_create
from xuebi.testing.helpers import photo, sign_in

from .test_browser import study_kind  # noqa: F401 — the fixture: 个人自学 with a 2026 campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submitted(users, kind, day, content, files=()):
    values = RecordInput(
        occurred_on=dt.date(2026, 11, day),
        data={"platform": "学习强国", "content": content},
        author_hours=Decimal("1.5"),
        files=list(files),
    )
    return record_create(actor=users.cadre, kind=kind, values=values, submit=True)


def test_the_reviewer_works_down_the_queue_and_the_cadre_revises(page, phone, users, study_kind):  # noqa: F811
    from xuebi.campaign.models import Campaign

    indicator = Indicator.objects.create(
        campaign=Campaign.objects.get(), dimension="theory", name="理论学习", max_points=Decimal(30)
    )
    Rule.objects.create(
        campaign=indicator.campaign,
        indicator=indicator,
        name="自学",
        source_kind="self_study",
        method="per_unit",
        field_key="hours",
        points=Decimal(2),
    )
    first = _submitted(users, study_kind, 17, "第一篇", files=[("", photo("错的.jpg")), ("", photo("对的.jpg", (40, 30)))])
    second = _submitted(users, study_kind, 18, "第二篇", files=[("", photo())])
    _submitted(users, study_kind, 19, "第三篇", files=[("", photo())])

    sign_in(page, "reviewer")
    page.goto("/ledger/review/")
    assert page.get_by_test_id("queue-count").inner_text() == "3 条"
    page.get_by_label("排序").select_option(label="按提交时间（最新在前）")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r".*sort=-submitted.*"))
    assert page.get_by_test_id("queue-row").first.inner_text().startswith("个人自学：第三篇")
    page.get_by_test_id("queue-row").last.get_by_text("第一篇").click()
    assert page.get_by_test_id("points-preview").inner_text().count("3 分") == 1  # 1.5 学时 × 2

    # 退回 without a comment: still on the record, the message beside the box
    page.get_by_test_id("return").click()
    page.get_by_text("退回时请填写退回意见，告诉记录人需要修改什么。").wait_for()
    assert page.get_by_test_id("record-title").inner_text() == "个人自学：第一篇"
    page.get_by_label("审核意见").fill("第一张照片不是学习截图，请删除")
    page.get_by_test_id("return").click()
    page.get_by_text("已退回记录人修改。").wait_for()
    assert page.get_by_test_id("queue-count").inner_text() == "2 条"

    # 下一条 continues in the order chosen (newest first): after 第一篇 there is none older → back at the queue
    page.get_by_test_id("next-record").click()
    page.get_by_text("这一列表中已没有待审核的记录。").wait_for()
    page.get_by_test_id("queue-row").get_by_text("第三篇").click()
    page.get_by_test_id("approve").click()
    page.get_by_test_id("next-record").click()
    page.wait_for_url(re.compile(rf".*/ledger/{second.pk}/\?queue=.*"))
    assert page.get_by_test_id("record-title").inner_text() == "个人自学：第二篇"

    # the cadre, on a phone: the 退回意见 on the edit page, a photo removed, the history says what changed
    sign_in(phone, "cadre")
    phone.goto(f"/ledger/{first.pk}/edit/")
    assert "第一张照片不是学习截图，请删除" in phone.get_by_test_id("return-comment").inner_text()
    phone.get_by_label("删除错的.jpg").click()
    phone.get_by_text("已删除附件“错的.jpg”。").wait_for()
    assert phone.get_by_test_id("attached").inner_text().split() == ["对的.jpg", "删除"]  # the other photo is gone
    phone.get_by_label("学习内容").fill("第一篇（补充截图）")
    phone.get_by_test_id("submit").click()
    phone.get_by_test_id("record-status").get_by_text("待审核").wait_for()
    history = phone.get_by_test_id("history").inner_text()
    assert "删除附件：错的.jpg" in history and "学习内容：第一篇 → 第一篇（补充截图）" in history
    assert "暂无（审核通过后为第 1 版）" in phone.get_by_test_id("record-version").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.problems == [] and phone.problems == []


def test_all_attendees_get_the_same_hours_at_once(phone, users, org, study_kind):  # noqa: F811
    kind_create(
        actor=users.league_admin,
        code="group_study",
        name="集中学习",
        dimension="theory",
        participation="group",
        attendee_hours=True,
        fields=[{"key": "topic", "label": "学习主题", "type": "text", "required": True}],
    )
    sign_in(phone, "cadre")
    phone.goto("/ledger/new/group_study/")
    phone.get_by_label("日期").fill("2026-11-18")
    phone.get_by_label("学习主题").fill("学习《中国共产党章程》")
    phone.get_by_label("按单位添加").select_option(label="组织股")
    phone.locator("[data-pick-unit]").click()
    phone.locator(f'[data-attendee="{org.abag_other.pk}"]').wait_for()
    phone.get_by_label("全部参加人员").fill("2")
    assert phone.get_by_label("王芳的学时").get_attribute("placeholder") == "2（统一）"
    phone.get_by_label("巴依斯古楞的学时").fill("3")
    phone.get_by_test_id("submit").click()
    assert "王芳 2学时" in phone.get_by_test_id("participants").inner_text()
    record = Record.objects.get()
    assert dict(record.participants.values_list("person__name", "hours")) == {"巴依斯古楞": Decimal(3), "王芳": Decimal(2)}
    assert phone.problems == []
