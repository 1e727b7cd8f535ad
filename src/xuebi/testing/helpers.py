"""Plain helpers the tests import (no fixtures here: those live in xuebi.testing.fixtures).

Moved from src/xuebi/conftest.py, ledger/tests/conftest.py, study/tests/conftest.py and points/tests/test_views.py
so that no test imports another app's test modules.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xuebi.accounts.services.accounts import token_create
from xuebi.campaign.models import Indicator, Rule
from xuebi.ledger.services.records import RecordInput, record_create
from xuebi.org.demo_data import id_check_char
from xuebi.org.models import Person, RoleGrant, Unit, UnitMembership, User
from xuebi.points import engine

PASSWORD = "Xuebi@2021"

# Every test runs on the same day, whatever the date the suite is run on: the clock is set to this
# instant (Asia/Shanghai) and ticks from there. A test that needs another day moves it with the
# `time_machine` fixture (time_machine.move_to(...)); CI runs the suite again with the machine's
# clock moved (faketime), which only passes while nothing reads the real clock past this fixture.
TEST_NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# The day the ledger tests record on (a few days before TEST_NOW).
DAY = dt.date(2026, 11, 20)


def make_id(address: str, birth: dt.date, seq: int) -> str:
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def add_person(unit: Unit, name: str, seq: int, *, address: str = "152522", birth=dt.date(1985, 3, 1), **extra) -> Person:
    person = Person(
        unit=unit, name=name, sex="M" if seq % 2 else "F", birth_date=birth, ethnicity=extra.pop("ethnicity", "汉族"), **extra
    )
    person.set_id_number(make_id(address, birth, seq))
    person.save()
    UnitMembership.objects.create(person=person, unit=unit, start_date=dt.date(2020, 1, 1))
    return person


def make_user(username: str, role: str | None, unit: Unit | None, password_hash: str, person: Person | None = None) -> User:
    user = User.objects.create(
        username=username,
        full_name=username,
        password=password_hash,
        person=person,
        must_change_password=False,
        password_changed_at=timezone.now(),
    )
    if role:
        RoleGrant.objects.create(user=user, role=role, unit=unit)
    return user


class Api:
    """Calls /api/v1/ as a user with a personal access token (one token per user, made on first use)."""

    def __init__(self, client):
        self.client = client
        self.keys: dict[int, str] = {}

    def _headers(self, user):
        if user.pk not in self.keys:
            self.keys[user.pk] = token_create(user=user, name="测试")[1]
        return {"HTTP_AUTHORIZATION": f"Bearer {self.keys[user.pk]}"}

    def get(self, user, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers(user))

    def post(self, user, path, data=None):
        return self.client.post(f"/api/v1{path}", data or {}, content_type="application/json", **self._headers(user))

    def patch(self, user, path, data):
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json", **self._headers(user))

    def put(self, user, path, data):
        return self.client.put(f"/api/v1{path}", data, content_type="application/json", **self._headers(user))

    def delete(self, user, path):
        return self.client.delete(f"/api/v1{path}", **self._headers(user))


def sign_in(page, username):
    """Sign in through the real login page."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/$"))


# --- ledger -------------------------------------------------------------------------------------


def photo(name: str = "photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def self_study(actor, kinds, *, day=DAY, submit=True, content="学习《习近平谈治国理政》第四卷", **extra):
    values = RecordInput(occurred_on=day, data={"platform": "学习强国", "content": content}, author_hours=Decimal("1.5"), **extra)
    return record_create(actor=actor, kind=kinds.self_study, values=values, submit=submit)


# --- points -------------------------------------------------------------------------------------


def give(org, person, points: int, number: int, day=DAY):
    """Award points straight through the engine (a source of another type)."""
    indicator = Indicator.objects.order_by("pk").first()
    Rule.objects.get_or_create(
        campaign_id=indicator.campaign_id,
        indicator=indicator,
        name="测试",
        source_type="test",
        source_kind="t",
        defaults={"points": Decimal(1)},
    )
    rule = Rule.objects.get(source_type="test")
    rule.points = Decimal(points)
    rule.save()
    engine.award(
        engine.Source(
            type="test",
            id=str(number),
            version=1,
            kind="t",
            occurred_on=day,
            label="测试",
            participants=(engine.Participation(person_id=person.pk, unit_id=person.unit_id, role="author"),),
        )
    )


# --- study --------------------------------------------------------------------------------------


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def add_item(actor, study_list, title, hours, due, material_type="article"):
    from xuebi.study import services

    return services.study_item_create(
        actor=actor, study_list=study_list, title=title, due_date=due, required_hours=Decimal(hours), material_type=material_type
    )


def log(user, item, hours, on=None, note=""):
    from xuebi.study import services

    return services.study_progress_log(actor=user, item=item, hours=Decimal(hours), studied_on=on or days(0), note=note)
