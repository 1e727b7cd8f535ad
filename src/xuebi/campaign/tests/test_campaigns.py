"""Campaigns (活动): every business role reads them, only a league admin sets them up; dates as people type them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xuebi.audit.models import Action, AuditEntry
from xuebi.campaign.demo.campaigns import close_past_campaigns, load_demo_campaigns
from xuebi.campaign.models import Campaign
from xuebi.campaign.services.campaigns import campaign_create, campaign_update

ROLES = [
    "league_admin",
    "abag_admin",
    "abag_reviewer",
    "cadre",
    "xilin_admin",
    "judge",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
]
READERS = {"league_admin", "abag_admin", "abag_reviewer", "cadre", "xilin_admin", "judge"}


@pytest.fixture
def campaign(users):
    return campaign_create(
        actor=users.league_admin, name="2026年双学双比", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31)
    )


def form(**overrides) -> dict:
    return {"name": "2027年双学双比", "start_date": "2027年1月1日", "end_date": "2027.12.31", **overrides}


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_campaign_page_for_every_role(role, campaign, users, client):
    client.force_login(getattr(users, role))
    pages = [
        ("/campaigns/", 200 if role in READERS else 403),
        ("/campaigns/new/", 200 if role == "league_admin" else 403),
        (f"/campaigns/{campaign.pk}/edit/", 200 if role == "league_admin" else 403),
        (f"/campaigns/{campaign.pk + 100}/edit/", 404 if role == "league_admin" else 403),
    ]
    assert [(url, client.get(url).status_code) for url, _ in pages] == pages


def test_url_names(campaign):
    assert reverse("campaign:list") == "/campaigns/"
    assert reverse("campaign:create") == "/campaigns/new/"
    assert reverse("campaign:edit", args=[campaign.pk]) == f"/campaigns/{campaign.pk}/edit/"


def test_signed_out_visitors_are_sent_to_sign_in(campaign, client):
    for url in ("/campaigns/", "/campaigns/new/", f"/campaigns/{campaign.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["abag_admin", "abag_reviewer", "cadre", "judge", "sysadmin"])
def test_only_a_league_admin_creates_or_changes_campaigns(role, campaign, users, client):
    client.force_login(getattr(users, role))
    assert client.post("/campaigns/new/", form()).status_code == 403
    assert client.post(f"/campaigns/{campaign.pk}/edit/", form(name="改名")).status_code == 403
    assert list(Campaign.objects.values_list("name", flat=True)) == ["2026年双学双比"]
    assert not AuditEntry.objects.filter(action=Action.CAMPAIGN_UPDATE).exists()


def test_readers_see_the_campaigns_without_edit_buttons(campaign, users, client):
    client.force_login(users.cadre)
    page = client.get("/campaigns/").content.decode()
    assert "2026年双学双比" in page and "2026年1月1日 — 2026年12月31日" in page
    assert "新建活动" not in page and "编辑" not in page
    client.force_login(users.league_admin)
    page = client.get("/campaigns/").content.decode()
    assert "新建活动" in page and f"/campaigns/{campaign.pk}/edit/" in page


def test_the_list_costs_the_same_queries_for_one_or_many_campaigns(campaign, users, client, django_assert_max_num_queries):
    client.force_login(users.cadre)
    client.get("/campaigns/")
    with django_assert_max_num_queries(5):
        client.get("/campaigns/")
    for year in range(2020, 2026):
        campaign_create(
            actor=users.league_admin, name=f"{year}年双学双比", start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31)
        )
    with django_assert_max_num_queries(5):
        assert "2020年双学双比" in client.get("/campaigns/").content.decode()


def test_creating_a_campaign_with_typed_dates_is_audited(users, client):
    client.force_login(users.league_admin)
    response = client.post("/campaigns/new/", form())
    assert response.status_code == 302 and response["Location"] == "/campaigns/"
    campaign = Campaign.objects.get(name="2027年双学双比")
    assert (campaign.start_date, campaign.end_date, campaign.is_closed) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31), False)
    entry = AuditEntry.objects.get(action=Action.CAMPAIGN_CREATE)
    assert entry.actor == users.league_admin and entry.target_id == str(campaign.pk)
    assert entry.changes["end_date"] == [None, "2027-12-31"]
    assert "已新建活动“2027年双学双比”" in client.get("/campaigns/").content.decode()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"end_date": "2026年12月31日"}, "end_date", "结束日期不能早于开始日期。"),
        ({"start_date": ""}, "start_date", "必填"),
        ({"start_date": "2027年2月30日"}, "start_date", "日期不存在"),
        ({"end_date": "2027年"}, "end_date", "请填写到具体日期"),
        ({"name": "  "}, "name", "必填"),
        ({"name": "2026年双学双比"}, "name", "已存在"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_saved(overrides, field, message, campaign, users, client):
    client.force_login(users.league_admin)
    response = client.post("/campaigns/new/", form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert Campaign.objects.count() == 1
    assert AuditEntry.objects.filter(action=Action.CAMPAIGN_CREATE).count() == 1  # the fixture's own


def test_editing_a_campaign_closes_it_and_audits_the_change(campaign, users, client):
    client.force_login(users.league_admin)
    page = client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert "2026年1月1日" in page and "编辑活动：2026年双学双比" in page
    response = client.post(
        f"/campaigns/{campaign.pk}/edit/",
        {"name": "2026年双学双比", "start_date": "2026-01-01", "end_date": "2026-12-31", "is_closed": "on"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.is_closed
    entry = AuditEntry.objects.get(action=Action.CAMPAIGN_UPDATE)
    assert entry.changes == {"is_closed": [False, True]} and entry.actor == users.league_admin
    assert "已结束" in client.get("/campaigns/").content.decode()


def test_an_edit_with_the_end_before_the_start_changes_nothing(campaign, users, client):
    client.force_login(users.league_admin)
    response = client.post(f"/campaigns/{campaign.pk}/edit/", form(name="改名", start_date="2026-06-01", end_date="2026-05-31"))
    assert "结束日期不能早于开始日期。" in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.name, campaign.end_date) == ("2026年双学双比", dt.date(2026, 12, 31))


def test_saving_an_unchanged_campaign_writes_no_audit_row(campaign, users, client):
    client.force_login(users.league_admin)
    client.post(
        f"/campaigns/{campaign.pk}/edit/", {"name": campaign.name, "start_date": "2026年1月1日", "end_date": "2026年12月31日"}
    )
    assert not AuditEntry.objects.filter(action=Action.CAMPAIGN_UPDATE).exists()


# --- services and demo --------------------------------------------------------------------------


def test_the_services_refuse_other_roles_and_bad_dates(campaign, users):
    with pytest.raises(PermissionDenied):
        campaign_create(actor=users.abag_admin, name="x", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 2, 1))
    with pytest.raises(PermissionDenied):
        campaign_update(actor=users.cadre, campaign=campaign, is_closed=True)
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        campaign_update(actor=users.league_admin, campaign=campaign, end_date=dt.date(2025, 12, 31))
    campaign.refresh_from_db()
    assert campaign.end_date == dt.date(2026, 12, 31) and not campaign.is_closed


def test_the_demo_campaigns_are_this_years_and_last_years_and_load_once(db, today):
    created = load_demo_campaigns()
    assert load_demo_campaigns() == []
    assert [(c.name, c.start_date, c.end_date) for c in Campaign.objects.order_by("start_date")] == [
        (f"{y}年双学双比", dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in (today.year - 1, today.year)
    ]
    assert AuditEntry.objects.filter(action=Action.CAMPAIGN_CREATE).count() == 2
    # once its records are in, last year's is closed — and only one this load created
    assert close_past_campaigns(created) == 1
    assert [c.is_closed for c in Campaign.objects.order_by("start_date")] == [True, False]
    assert close_past_campaigns(load_demo_campaigns()) == 0


# --- API (the api fixture is in xuebi/conftest.py) --------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_api_for_every_role(role, campaign, users, api):
    user = getattr(users, role)
    listing = api.get(user, "/campaigns")
    created = api.post(user, "/campaigns", {"name": "2027年双学双比", "start_date": "2027-01-01", "end_date": "2027-12-31"})
    patched = api.patch(user, f"/campaigns/{campaign.pk}", {"is_closed": True})
    assert listing.status_code == (200 if role in READERS else 403)
    assert created.status_code == (201 if role == "league_admin" else 403)
    assert patched.status_code == (200 if role == "league_admin" else 403)
    if role == "league_admin":
        assert created.json()["start_date"] == "2027-01-01" and patched.json()["is_closed"] is True
    else:
        assert Campaign.objects.count() == 1 and not Campaign.objects.get().is_closed


def test_the_api_refuses_bad_dates_in_chinese(campaign, users, api):
    response = api.post(
        users.league_admin, "/campaigns", {"name": "2027年", "start_date": "2027年12月1日", "end_date": "2027年1月1日"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "end_date"], "msg": "结束日期：结束日期不能早于开始日期。"}]
    response = api.patch(users.league_admin, f"/campaigns/{campaign.pk}", {"end_date": "2025-01-01"})
    assert response.status_code == 422 and "结束日期不能早于开始日期" in response.json()["detail"][0]["msg"]
    assert api.patch(users.league_admin, "/campaigns/999", {"is_closed": True}).status_code == 404
    assert Campaign.objects.count() == 1
