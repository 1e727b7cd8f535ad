"""The unit board's drill-down (?unit=…): a unit's sections, their totals and headcounts, only for
the units the viewer's board reaches — out of reach answers as a missing unit does (404)."""

from __future__ import annotations

import pytest

from xuebi.testing.helpers import give

PAGE = "/points/board/?board=units&unit={}"
API = "/points/leaderboard/units"


@pytest.fixture
def scored(org, theory):  # noqa: F811
    give(org, org.bayi, 3, 1)
    give(org, org.xilin_person, 7, 2)


@pytest.mark.parametrize("who", ["abag_admin", "abag_reviewer", "cadre"])
def test_another_countys_sections_are_404_on_the_page_and_the_api(users, org, scored, client_for, api, who):
    user = getattr(users, who)
    missing = org.xilin.pk + 1000
    for page in (client_for(user).get(PAGE.format(pk)) for pk in (org.xilin.pk, missing)):
        assert page.status_code == 404
        assert "找不到该对象，或您无权访问。" in page.content.decode() and "巴图" not in page.content.decode()
    response, response_missing = api.get(user, API, unit=org.xilin.pk), api.get(user, API, unit=missing)
    assert response.status_code == response_missing.status_code == 404
    assert response.json() == response_missing.json()
    assert api.get(user, API, unit=org.xilin_section.pk).status_code == 404  # nor one of its sections
    assert client_for(user).get(PAGE.format(org.league.pk)).status_code == 404  # nor the league's own sections


@pytest.mark.parametrize("who", ["abag_admin", "cadre"])
def test_the_own_county_drills_down(users, org, scored, client_for, api, who):
    user = getattr(users, who)
    assert "组织股" in client_for(user).get(PAGE.format(org.abag.pk)).content.decode()
    rows = api.get(user, API, unit=org.abag.pk).json()["rows"]
    assert [(r["unit"], r["total"], r["people"]) for r in rows] == [("组织股", "3.00", 2)]


def test_the_league_admin_drills_into_any_county(users, org, scored, client_for, api):
    page = client_for(users.league_admin).get(PAGE.format(org.xilin.pk))
    assert page.status_code == 200 and "锡林浩特市委组织部下属单位" in page.content.decode()
    rows = api.get(users.league_admin, API, unit=org.xilin.pk).json()["rows"]
    assert [(r["unit"], r["total"]) for r in rows] == [("组织股", "7.00")]


def test_the_counties_board_links_only_the_counties_the_viewer_may_open(users, org, scored, client_for):
    page = client_for(users.abag_admin).get("/points/board/?board=units").content.decode()
    assert f"unit={org.abag.pk}&amp;" in page and f"unit={org.xilin.pk}&amp;" not in page
    assert "锡林浩特" in page  # the county's own row is there, only not a link
    page = client_for(users.league_admin).get("/points/board/?board=units").content.decode()
    assert f"unit={org.abag.pk}&amp;" in page and f"unit={org.xilin.pk}&amp;" in page
