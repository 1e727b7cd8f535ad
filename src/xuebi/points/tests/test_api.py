"""/api/v1/points…: the same figures and scoping as the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xuebi.points.models import PointEntry
from xuebi.testing.helpers import give


def test_my_points_journal_and_boards(users, org, theory, api):  # noqa: F811
    give(org, org.bayi, 3, 1)
    give(org, org.xilin_person, 5, 2)
    me = api.get(users.cadre, "/points/me").json()
    assert (me["total"], me["rank_league"], me["rank_county"]) == ("3.00", 2, 1)
    assert [e["points"] for e in api.get(users.cadre, "/points/journal").json()["items"]] == ["3.00"]
    assert [r["name"] for r in api.get(users.cadre, "/points/leaderboard/people").json()["rows"]] == ["巴依斯古楞"]
    league = api.get(users.league_admin, "/points/leaderboard/people").json()
    assert [(r["name"], r["rank"]) for r in league["rows"]] == [("巴图", 1), ("巴依斯古楞", 2)]
    units = api.get(users.cadre, "/points/leaderboard/units", per_head=True).json()["rows"]
    assert (units[0]["unit"], units[0]["rank"], units[0]["average"]) == ("锡林浩特市委组织部", 1, "5.00")


def test_a_journal_of_someone_out_of_scope_is_empty(users, org, theory, api):  # noqa: F811
    give(org, org.xilin_person, 5, 1)
    assert api.get(users.abag_admin, "/points/journal", person_id=org.xilin_person.pk).json()["count"] == 0
    assert api.get(users.xilin_admin, "/points/journal", person_id=org.xilin_person.pk).json()["count"] == 1


def test_adjustments_through_the_api(users, org, theory, api):  # noqa: F811
    body = {"person_id": org.bayi.pk, "indicator_id": theory.pk, "points": "1.5", "reason": "", "occurred_on": "2026年11月20日"}
    response = api.post(users.abag_admin, "/points/adjustments", body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert api.post(users.cadre, "/points/adjustments", {**body, "reason": "x"}).status_code == 403
    assert api.post(users.xilin_admin, "/points/adjustments", {**body, "reason": "x"}).status_code == 404
    response = api.post(users.abag_admin, "/points/adjustments", {**body, "reason": "获评优秀组工信息"})
    assert response.status_code == 201 and PointEntry.objects.get().points == Decimal("1.5")


@pytest.mark.parametrize("who, status", [("judge", 403), ("sysadmin", 403), ("auditor", 403), ("nobody", 403)])
def test_points_api_refuses_roles_without_points(users, theory, api, who, status):  # noqa: F811
    for path in ("/points/me", "/points/journal", "/points/leaderboard/people", "/points/leaderboard/units"):
        assert api.get(getattr(users, who), path).status_code == status


def test_recompute_preview_and_apply_through_the_page_and_the_api(users, org, kinds, theory, api, client_for):  # noqa: F811
    from xuebi.campaign.models import Rule
    from xuebi.ledger.services import records as services
    from xuebi.testing.helpers import self_study

    services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    Rule.objects.filter(source_kind="self_study").update(points=Decimal(4), cap_day=None)  # as if edited in place
    assert client_for(users.abag_admin).get("/points/recompute/").status_code == 403
    page = client_for(users.league_admin).get("/points/recompute/").content.decode()
    assert "巴依斯古楞" not in page and "预览变化" in page  # nothing computed on a visit
    page = client_for(users.league_admin).post("/points/recompute/", {"preview": ""}, follow=True).content.decode()
    assert "巴依斯古楞" in page and "+3" in page and "阿巴嘎旗委组织部 · 组织股" in page
    assert api.post(users.abag_admin, "/points/recompute/preview").status_code == 403
    assert api.post(users.league_admin, "/points/recompute/preview").json()[0]["change"] == "3.00"
    assert PointEntry.objects.filter(entry_type="award").count() == 1
    client_for(users.league_admin).post("/points/recompute/", {"apply": ""})
    assert api.get(users.cadre, "/points/me").json()["total"] == "4.00"
