"""The full review cycle in headless Chromium: a cadre on a phone records a study session with a
photo, the reviewer returns it, the cadre revises, the reviewer approves, and it is frozen."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from PIL import Image

from xuebi.campaign.models import Campaign
from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.models import Record
from xuebi.ledger.services.records import RecordInput, record_create, record_submit
from xuebi.testing.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def study_kind(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    return kind_create(
        actor=users.league_admin,
        code="self_study",
        name="个人自学",
        dimension="theory",
        participation="single",
        evidence_required=True,
        fields=[
            {
                "key": "platform",
                "label": "学习平台",
                "type": "choice",
                "required": True,
                "choices": ["学习强国", "北疆先锋", "其他"],
            },
            {"key": "content", "label": "学习内容", "type": "text", "required": True},
        ],
    )


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "学习截图.jpg"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 20, 30)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_submit_return_revise_approve_freeze(phone, page, users, study_kind, photo_file):
    # the cadre, on a phone
    sign_in(phone, "cadre")
    phone.goto("/ledger/")
    phone.get_by_test_id("record-new").click()
    phone.get_by_test_id("kind-self_study").click()
    phone.get_by_label("日期").fill("2026年11月20日")
    phone.get_by_label("学习平台").select_option("学习强国")
    phone.get_by_label("学习内容").fill("党的二十届四中全会公报")
    phone.get_by_label("学时（小时）").fill("1.5")
    phone.get_by_label("佐证材料（照片或文件）").set_input_files(str(photo_file))
    phone.get_by_test_id("submit").click()
    phone.get_by_test_id("record-status").get_by_text("待审核").wait_for()
    assert phone.get_by_test_id("evidence").locator("img").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    record = Record.objects.get()

    # the reviewer returns it
    sign_in(page, "reviewer")
    page.goto("/ledger/review/")
    page.get_by_test_id("queue-row").get_by_text("党的二十届四中全会公报").click()
    page.get_by_label("审核意见").fill("请写明学习的具体篇目")
    page.get_by_test_id("return").click()
    page.get_by_test_id("queue-empty").wait_for()

    # the cadre sees why, revises and resubmits
    phone.goto(f"/ledger/{record.pk}/")
    assert "请写明学习的具体篇目" in phone.get_by_test_id("return-comment").inner_text()
    phone.get_by_test_id("edit").click()
    phone.get_by_label("学习内容").fill("四中全会公报第二部分")
    phone.get_by_test_id("submit").click()
    phone.get_by_test_id("record-status").get_by_text("待审核").wait_for()

    # the reviewer approves
    page.goto(f"/ledger/{record.pk}/")
    page.get_by_test_id("approve").click()
    page.wait_for_url(re.compile(r".*/ledger/review/\?done=\d+$"))  # back at the queue, which offers 下一条

    # frozen: no edit button, the history tells the story
    phone.goto(f"/ledger/{record.pk}/")
    phone.get_by_test_id("record-status").get_by_text("已通过").wait_for()
    assert phone.get_by_test_id("edit").count() == 0
    history = phone.get_by_test_id("history").inner_text()
    for step in ("新建", "提交", "退回", "修改", "通过"):
        assert step in history
    record.refresh_from_db()
    assert (record.status, record.version, record.data["content"]) == ("approved", 1, "四中全会公报第二部分")


def test_an_organizer_adds_attendees_by_pinyin_and_by_unit(page, users, org, study_kind):
    kind_create(
        actor=users.league_admin,
        code="group_study",
        name="集中学习",
        dimension="theory",
        participation="group",
        attendee_hours=True,
        fields=[{"key": "topic", "label": "学习主题", "type": "text", "required": True}],
    )
    sign_in(page, "cadre")
    page.goto("/ledger/new/group_study/")
    page.get_by_label("日期").fill("2026-11-18")
    page.get_by_label("学习主题").fill("学习《中国共产党章程》")
    page.get_by_placeholder("输入姓名或拼音首字母搜索").fill("wf")
    page.get_by_test_id(f"pick-{org.abag_other.pk}").click()
    page.locator(f'[data-attendee="{org.abag_other.pk}"]').wait_for()
    page.get_by_label("按单位添加").select_option(label="组织股")
    page.locator("[data-pick-unit]").click()
    page.locator(f'[data-attendee="{org.bayi.pk}"]').wait_for()
    assert page.locator("[data-attendee]").count() == 2  # 王芳 once, though added twice
    assert "已添加 2 人" in page.locator("[data-attendee-count]").inner_text()
    page.get_by_label("王芳的学时").fill("2")
    page.get_by_label("巴依斯古楞的学时").fill("2")
    page.get_by_test_id("submit").click()
    page.get_by_test_id("participants").wait_for()
    record = Record.objects.get()
    assert sorted(record.participants.values_list("person__name", flat=True)) == ["巴依斯古楞", "王芳"]
    assert page.problems == []


def test_a_reviewer_approves_a_whole_page_at_once(page, users, study_kind):
    for day in (17, 18, 19):
        values = RecordInput(
            occurred_on=dt.date(2026, 11, day), data={"platform": "学习强国", "content": f"第{day}日"}, author_hours=Decimal(1)
        )
        record = record_create(actor=users.cadre, kind=study_kind, values=values)
        record.evidence.create(
            field_key="",
            file="evidence/x.jpg",
            sha256="0" * 64,
            content_type="image/jpeg",
            size=1,
            original_name="x.jpg",
            uploaded_by=users.cadre,
        )
        record_submit(actor=users.cadre, record=record)
    sign_in(page, "reviewer")
    page.goto("/ledger/review/")
    assert page.get_by_test_id("queue-row").count() == 3
    page.get_by_label("全选本页").check()
    page.get_by_test_id("bulk-approve").click()
    page.get_by_test_id("queue-empty").wait_for()
    assert set(Record.objects.values_list("status", flat=True)) == {"approved"}
