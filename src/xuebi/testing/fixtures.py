"""The fixtures every app's tests share, registered as a pytest plugin by src/xuebi/conftest.py
(``pytest_plugins = ["xuebi.testing.fixtures"]``), so no test imports fixtures from another app's tests.

Shared test fixtures, named by role (Zulip's example_user): league_admin, abag_admin, cadre …

The org fixture builds a small tree:

    锡林郭勒盟委组织部 (league)
    ├── 组织科 (league_section)
    ├── 阿巴嘎旗委组织部 (abag)
    │   └── 组织股 (abag_section)
    └── 锡林浩特市委组织部 (xilin)
        └── 组织股 (xilin_section)

Ledger: ``campaign`` (2026年双学双比) and ``kinds`` (self_study, group_study, org_info).
Points: ``theory`` (an indicator with a 自学 rule, 1 point each, at most 2 a day).
Study: ``study`` (see ``study`` below).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core.cache import caches
from django.utils import timezone

from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.core import context
from xuebi.ledger.services.kinds import kind_create
from xuebi.org.choices import Role
from xuebi.org.models import Unit
from xuebi.study import services
from xuebi.testing.helpers import (
    PASSWORD,
    TEST_NOW,
    Api,
    add_item,
    add_person,
    days,
    make_user,
)

__all__ = ["PASSWORD"]


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
    # Each test's database starts over (and SQLite reuses ids): so do the caches.
    for each in caches.all():
        each.clear()


@pytest.fixture(scope="session")
def password_hash():
    return make_password(PASSWORD)


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
        league=league,
        league_section=league_section,
        abag=abag,
        abag_section=abag_section,
        xilin=xilin,
        xilin_section=xilin_section,
    )
    ns.bayi = add_person(abag_section, "巴依斯古楞", 11, ethnicity="蒙古族", phone="13847900011")
    ns.abag_other = add_person(abag_section, "王芳", 22, phone="13900000022")
    ns.xilin_person = add_person(xilin_section, "巴图", 33, address="152502", ethnicity="蒙古族")
    ns.league_person = add_person(league_section, "李强", 45, address="152502")
    return ns


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
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _browser_page(browser, request, **options):
    """A page of a fresh browser context that records console errors (``page.problems``) and leaves
    a screenshot of how the test ended in test-artifacts/."""
    context = browser.new_context(locale="zh-CN", **options)
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
def page(browser, live_server, request):
    yield from _browser_page(browser, request, base_url=live_server.url, timezone_id="Asia/Shanghai")


@pytest.fixture
def phone(browser, live_server, request):
    yield from _browser_page(
        browser,
        request,
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


# --- ledger ----------------------------------------------------------------------------------------


# Ledger fixtures: a 2026 campaign and three kinds that cover single, group and choice records.
#
#     self_study   个人自学   single; platform (choice), content (text), evidence optional
#     group_study  集中学习   group; attendee hours; 五学联动 level; topic; host (person)
#     org_info     组工信息   single; title, level (choice 中央/自治区/盟/未采用), evidence required
@pytest.fixture
def campaign(db):
    return Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))


@pytest.fixture
def kinds(users, campaign, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    actor = users.league_admin
    ns = type("Kinds", (), {})()
    ns.self_study = kind_create(
        actor=actor,
        code="self_study",
        name="个人自学",
        dimension="theory",
        participation="single",
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
    ns.group_study = kind_create(
        actor=actor,
        code="group_study",
        name="集中学习",
        dimension="theory",
        participation="group",
        attendee_hours=True,
        has_study_level=True,
        fields=[
            {"key": "topic", "label": "学习主题", "type": "text", "required": True},
            {"key": "host", "label": "主持人", "type": "person"},
        ],
    )
    ns.org_info = kind_create(
        actor=actor,
        code="org_info",
        name="组工信息",
        dimension="work",
        participation="single",
        evidence_required=True,
        fields=[
            {"key": "title", "label": "标题", "type": "text", "required": True},
            {
                "key": "level",
                "label": "采用级别",
                "type": "choice",
                "required": True,
                "choices": ["中央", "自治区", "盟", "未采用"],
            },
            {"key": "words", "label": "字数", "type": "number", "min": 100, "max": 20000, "decimals": 0, "unit": "字"},
        ],
    )
    return ns


# --- points ----------------------------------------------------------------------------------------


@pytest.fixture
def theory(campaign):
    indicator = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    Rule.objects.create(
        campaign=campaign,
        indicator=indicator,
        name="自学每篇1分，每日至多2分",
        source_kind="self_study",
        points=Decimal(1),
        cap_day=Decimal(2),
    )
    return indicator


# --- study -----------------------------------------------------------------------------------------


# Study lists for the tests, made through the services as an admin would.
#
# ``study`` builds, relative to today (no wall-clock dates in assertions):
#
# * ``league_list`` — published by 锡林郭勒盟委组织部 to 阿巴嘎旗委组织部 and 锡林浩特市委组织部:
#   ``reading`` (2 学时, due 10 days ago), ``video`` (0 学时, due in 30 days), ``book`` (5 学时, due in 60 days)
# * ``abag_list`` — published by 阿巴嘎旗委组织部 to its 组织股: ``abag_item`` (1 学时, due yesterday)
# * ``draft`` — a league draft to everybody, with one item
@pytest.fixture
def study(org, users):
    ns = SimpleNamespace()
    league, abag = users.league_admin, users.abag_admin
    ns.league_list = services.study_list_create(
        actor=league,
        unit=org.league,
        title="《习近平新时代中国特色社会主义思想学习纲要》",
        target_units=[org.abag, org.xilin],
        description="各旗县市区委组织部组织学习",
    )
    ns.reading = add_item(league, ns.league_list, "第一章 新时代坚持和发展中国特色社会主义", "2", days(-10))
    ns.video = add_item(league, ns.league_list, "党史学习教育专题片", "0", days(30), "video")
    ns.book = add_item(league, ns.league_list, "《中国共产党简史》", "5", days(60), "book")
    services.study_list_publish(actor=league, study_list=ns.league_list)

    ns.abag_list = services.study_list_create(
        actor=abag, unit=org.abag, title="阿巴嘎旗组工干部业务学习", target_units=[org.abag_section]
    )
    ns.abag_item = add_item(abag, ns.abag_list, "《中国共产党组织工作条例》", "1", days(-1))
    services.study_list_publish(actor=abag, study_list=ns.abag_list)

    ns.draft = services.study_list_create(actor=league, unit=org.league, title="草稿清单", target_units=[org.league])
    ns.draft_item = add_item(league, ns.draft, "尚未发布的内容", "1", days(10))
    for obj in vars(ns).values():
        obj.refresh_from_db()
    return ns
