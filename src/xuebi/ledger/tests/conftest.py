"""Ledger fixtures: a 2026 campaign and three kinds that cover single, group and choice records.

    self_study   个人自学   single; platform (choice), content (text), evidence optional
    group_study  集中学习   group; attendee hours; 五学联动 level; topic; host (person)
    org_info     组工信息   single; title, level (choice 中央/自治区/盟/未采用), evidence required
"""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xuebi.campaign.models import Campaign
from xuebi.ledger.kinds import kind_create
from xuebi.ledger.services import RecordInput, record_create

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))


@pytest.fixture
def kinds(users, campaign, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    actor = users.league_admin
    ns = type("Kinds", (), {})()
    ns.self_study = kind_create(
        actor=actor, code="self_study", name="个人自学", dimension="theory", participation="single",
        fields=[
            {"key": "platform", "label": "学习平台", "type": "choice", "required": True, "choices": ["学习强国", "北疆先锋", "其他"]},
            {"key": "content", "label": "学习内容", "type": "text", "required": True},
        ],
    )
    ns.group_study = kind_create(
        actor=actor, code="group_study", name="集中学习", dimension="theory", participation="group",
        attendee_hours=True, has_study_level=True,
        fields=[
            {"key": "topic", "label": "学习主题", "type": "text", "required": True},
            {"key": "host", "label": "主持人", "type": "person"},
        ],
    )
    ns.org_info = kind_create(
        actor=actor, code="org_info", name="组工信息", dimension="work", participation="single", evidence_required=True,
        fields=[
            {"key": "title", "label": "标题", "type": "text", "required": True},
            {"key": "level", "label": "采用级别", "type": "choice", "required": True, "choices": ["中央", "自治区", "盟", "未采用"]},
            {"key": "words", "label": "字数", "type": "number", "min": 100, "max": 20000, "decimals": 0, "unit": "字"},
        ],
    )
    return ns


def photo(name: str = "photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def self_study(actor, kinds, *, day=DAY, submit=True, content="学习《习近平谈治国理政》第四卷", **extra):
    values = RecordInput(occurred_on=day, data={"platform": "学习强国", "content": content}, author_hours=Decimal("1.5"), **extra)
    return record_create(actor=actor, kind=kinds.self_study, values=values, submit=submit)
