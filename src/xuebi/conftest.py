"""Shared test fixtures, named by role (Zulip's example_user): league_admin, abag_admin, cadre …

The org fixture builds a small tree:

    锡林郭勒盟委组织部 (league)
    ├── 组织科 (league_section)
    ├── 阿巴嘎旗委组织部 (abag)
    │   └── 组织股 (abag_section)
    └── 锡林浩特市委组织部 (xilin)
        └── 组织股 (xilin_section)
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core.cache import caches
from django.utils import timezone

from xuebi.accounts.services import token_create
from xuebi.core import context
from xuebi.org.choices import Role
from xuebi.org.demo_data import id_check_char
from xuebi.org.models import Person, RoleGrant, Unit, UnitMembership, User

PASSWORD = "Xuebi@2021"


def make_id(address: str, birth: dt.date, seq: int) -> str:
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


# Every test runs on the same day, whatever the date the suite is run on: the clock is set to this
# instant (Asia/Shanghai) and ticks from there. A test that needs another day moves it with the
# `time_machine` fixture (time_machine.move_to(...)); CI runs the suite again with the machine's
# clock moved (faketime), which only passes while nothing reads the real clock past this fixture.
TEST_NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TEST_NOW, tick=True):
        yield


@pytest.fixture
def today() -> dt.date:
    """The suite's today (2026年11月25日), as the code sees it through timezone.localdate()."""
    return timezone.localdate()


@pytest.fixture(autouse=True)
def _policy(settings):
    # Two-factor enforcement has its own tests (accounts/tests/test_two_factor.py); elsewhere
    # signing in with a password is enough, as in demo mode.
    settings.XUEBI_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _fresh_context():
    with context.acting_as(None, ip="127.0.0.1"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test's database starts over (and SQLite reuses ids): so does the cache.
    for each in caches.all():  # the shared cache and the boards' local copies
        each.clear()


@pytest.fixture(scope="session")
def password_hash():
    return make_password(PASSWORD)


def add_person(unit: Unit, name: str, seq: int, *, address: str = "152522", birth=dt.date(1985, 3, 1), **extra) -> Person:
    person = Person(unit=unit, name=name, sex="M" if seq % 2 else "F", birth_date=birth, ethnicity=extra.pop("ethnicity", "汉族"), **extra)
    person.set_id_number(make_id(address, birth, seq))
    person.save()
    UnitMembership.objects.create(person=person, unit=unit, start_date=dt.date(2020, 1, 1))
    return person


@pytest.fixture
def org(db):
    league = Unit.objects.add_root(instance=Unit(name="锡林郭勒盟委组织部", kind="league_dept", code="1525"))
    league_section = Unit.objects.add_child(league, instance=Unit(name="组织科", kind="section"))
    league.refresh_from_db()
    abag = Unit.objects.add_child(league, instance=Unit(name="阿巴嘎旗委组织部", kind="county_dept", code="152522"))
    abag_section = Unit.objects.add_child(abag, instance=Unit(name="组织股", kind="section"))
    league.refresh_from_db()
    xilin = Unit.objects.add_child(league, instance=Unit(name="锡林浩特市委组织部", kind="county_dept", code="152502"))
    xilin_section = Unit.objects.add_child(xilin, instance=Unit(name="组织股", kind="section"))
    ns = SimpleNamespace(
        league=league, league_section=league_section, abag=abag, abag_section=abag_section,
        xilin=xilin, xilin_section=xilin_section,
    )
    ns.bayi = add_person(abag_section, "巴依斯古楞", 11, ethnicity="蒙古族", phone="13847900011")
    ns.abag_other = add_person(abag_section, "王芳", 22, phone="13900000022")
    ns.xilin_person = add_person(xilin_section, "巴图", 33, address="152502", ethnicity="蒙古族")
    ns.league_person = add_person(league_section, "李强", 45, address="152502")
    return ns


def make_user(username: str, role: str | None, unit: Unit | None, password_hash: str, person: Person | None = None) -> User:
    user = User.objects.create(
        username=username, full_name=username, password=password_hash, person=person,
        must_change_password=False, password_changed_at=timezone.now(),
    )
    if role:
        RoleGrant.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def users(org, password_hash):
    ns = SimpleNamespace()
    ns.league_admin = make_user("league", Role.LEAGUE_ADMIN, org.league, password_hash)
    ns.abag_admin = make_user("abag", Role.UNIT_ADMIN, org.abag, password_hash)
    ns.abag_reviewer = make_user("reviewer", Role.REVIEWER, org.abag, password_hash)
    ns.cadre = make_user("cadre", Role.CADRE, org.abag, password_hash, person=org.bayi)
    ns.xilin_admin = make_user("xilin", Role.UNIT_ADMIN, org.xilin, password_hash)
    ns.judge = make_user("judge", Role.JUDGE, org.league, password_hash)
    ns.sysadmin = make_user("sysadmin", Role.SYSADMIN, None, password_hash)
    ns.secadmin = make_user("secadmin", Role.SECADMIN, None, password_hash)
    ns.auditor = make_user("auditor", Role.AUDITOR, None, password_hash)
    ns.nobody = make_user("nobody", None, None, password_hash)
    return ns


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- the API as a user with a token ------------------------------------------------------------

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


@pytest.fixture
def api(client):
    return Api(client)


# --- the browser (headless Chromium driven by Playwright) ----------------------------------------

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("XUEBI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("XUEBI_ARTIFACTS", "test-artifacts"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (the CI script does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.problems = problems
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def phone(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 375, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.problems = problems
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page, username):
    """Sign in through the real login page."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/$"))
