"""The searchable person picker: the scoped search, its labels (county and section), its query
count, the select that works without JavaScript, and the form's own bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.widgets import UnitNames, person_label
from xuebi.points.forms import AdjustForm
from xuebi.testing.helpers import add_person


@pytest.fixture
def two_wanglei(org):
    return add_person(org.abag_section, "王磊", 71), add_person(org.xilin_section, "王磊", 72, address="152502")


def _found(client, q, action="pick"):
    response = client.get("/org/people/pick/", {"q": q, "action": action})
    assert response.status_code == 200
    return [row["label"] for row in response.json()["results"]]


def test_labels_tell_two_wanglei_and_two_sections_apart(org, two_wanglei):
    names = UnitNames()
    assert [person_label(p, names) for p in two_wanglei] == [
        "王磊 · 阿巴嘎旗委组织部 / 组织股",
        "王磊 · 锡林浩特市委组织部 / 组织股",
    ]
    assert person_label(org.league_person, names) == "李强 · 锡林郭勒盟委组织部 / 组织科"


def test_search_by_name_full_pinyin_and_initials_within_scope(users, org, two_wanglei, client_for, django_assert_max_num_queries):
    league = client_for(users.league_admin)
    for q in ("王磊", "wanglei", "wl", "WL"):
        assert _found(league, q) == ["王磊 · 阿巴嘎旗委组织部 / 组织股", "王磊 · 锡林浩特市委组织部 / 组织股"]
    abag = client_for(users.abag_admin)
    # the session and the account (read and touched by the middleware), the grants, the people, the units' names
    with django_assert_max_num_queries(8):
        assert _found(abag, "wl", "change") == ["王磊 · 阿巴嘎旗委组织部 / 组织股"]
    assert _found(abag, "batu") == []  # 巴图 is in 锡林浩特
    cadre = client_for(users.cadre)
    assert _found(cadre, "wl", "pick") == ["王磊 · 阿巴嘎旗委组织部 / 组织股"]  # colleagues may be named
    assert _found(cadre, "wl", "change") == []  # but not changed
    assert client_for(users.sysadmin).get("/org/people/pick/", {"q": "wl"}).status_code == 403
    abag = client_for(users.abag_admin)  # one test client, signed in again
    assert abag.get("/org/people/pick/", {"q": "%", "action": "evil"}).json() == {"results": [], "more": False}
    for seq in range(30):
        add_person(org.abag_section, "王乐", 100 + seq)
    with django_assert_max_num_queries(8):  # as many with 20 shown and more found
        response = abag.get("/org/people/pick/", {"q": "wl", "action": "change"}).json()
    assert len(response["results"]) == 20 and response["more"] is True


def test_the_adjust_form_keeps_its_bounds_and_labels_without_javascript(users, org, two_wanglei, client_for):
    campaign = Campaign.objects.create(name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    indicator = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    page = client_for(users.abag_admin).get("/points/adjust/").content.decode()
    assert "data-person-picker" in page and "王磊 · 阿巴嘎旗委组织部 / 组织股</option>" in page
    assert "锡林浩特" not in page
    ours, theirs = two_wanglei
    data = {"person": theirs.pk, "indicator": indicator.pk, "points": "2", "occurred_on": "2026-11-20", "reason": "表彰"}
    form = AdjustForm(data, user=users.abag_admin, campaign=campaign)
    assert not form.is_valid() and "person" in form.errors
    form = AdjustForm({**data, "person": ours.pk}, user=users.abag_admin, campaign=campaign)
    assert form.is_valid(), form.errors
