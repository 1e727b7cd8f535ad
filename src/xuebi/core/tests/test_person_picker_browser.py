"""The person picker in headless Chromium, on a phone: an admin types pinyin initials, tells two
王磊 apart by their section, picks the right one, and the 加分 goes to that person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.models import Unit
from xuebi.points.models import PointEntry
from xuebi.testing.helpers import add_person, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pick_the_right_wanglei_by_initials_on_a_phone(phone, users, org):
    campaign = Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    office = Unit.objects.add_child(Unit.objects.get(pk=org.abag.pk), instance=Unit(name="办公室", kind="section"))
    add_person(org.abag_section, "王磊", 71)
    wanted = add_person(office, "王磊", 72)
    for seq in range(30):  # a roster long enough that the select becomes a search
        add_person(org.abag_section, f"队员{seq:02d}", 100 + seq)

    sign_in(phone, "abag")
    phone.goto("/points/adjust/")
    search = phone.get_by_placeholder("输入姓名、全拼或首字母搜索")
    search.fill("wl")
    options = phone.locator("[data-person-option]")
    options.first.wait_for()
    assert sorted(options.all_inner_texts()) == ["王磊 · 阿巴嘎旗委组织部 / 办公室", "王磊 · 阿巴嘎旗委组织部 / 组织股"]
    options.get_by_text("王磊 · 阿巴嘎旗委组织部 / 办公室").click()
    assert search.input_value() == "王磊 · 阿巴嘎旗委组织部 / 办公室"
    phone.get_by_label("考核指标").select_option(label="学理论 · 理论学习")
    phone.get_by_label("分值").fill("2")
    phone.get_by_label("理由").fill("理论文章获盟级表彰")
    phone.get_by_test_id("adjust-preview-submit").click()
    phone.get_by_test_id("adjust-confirm").click()
    phone.get_by_text("已为王磊加2分").wait_for()
    assert PointEntry.objects.get().person_id == wanted.pk
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.problems == []
