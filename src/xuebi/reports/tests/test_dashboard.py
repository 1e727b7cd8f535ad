"""The dashboard's data endpoints against a small hand-made dataset: the units ranked, points per
month, the four 类别 of a unit or person, records by kind, the counties' grid — each in the viewer's
scope (another county's unit or person is a 404), with a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from xuebi.org.models import Person, Unit
from xuebi.points import readmodel
from xuebi.testing.factories import RecordFactory
from xuebi.testing.helpers import give

pytestmark = pytest.mark.django_db

API = "/reports/dashboard/"


@pytest.fixture
def points(org, theory, campaign):
    """阿巴嘎旗 12 points (7 in October, 5 in November), 锡林浩特市 5 (November) — all 学理论."""
    give(org, org.bayi, 7, 1, day=dt.date(2026, 10, 15))
    give(org, org.abag_other, 5, 2)
    give(org, org.xilin_person, 5, 3)
    readmodel.build_due_snapshots()
    return org


def test_units_rank_the_counties_for_the_league_and_the_sections_for_a_county(api, users, points):
    league = api.get(users.league_admin, API + "units").json()
    assert league["scope"] == "全盟"
    assert [(r["name"], r["total"]) for r in league["rows"]] == [("阿巴嘎旗委组织部", 12.0), ("锡林浩特市委组织部", 5.0)]
    per_head = api.get(users.league_admin, API + "units?per_head=true").json()
    assert per_head["rows"][0]["average"] == 6.0  # 12 points, two people
    county = api.get(users.abag_admin, API + "units").json()
    assert [r["name"] for r in county["rows"]] == ["组织股"]


def test_points_by_month_follow_the_campaign(api, users, points):
    months = api.get(users.league_admin, API + "months").json()["months"]
    assert [m["month"] for m in months] == [f"{m}月" for m in range(1, 12)]  # up to today (November)
    assert (months[9]["points"], months[10]["points"]) == (7.0, 10.0)
    abag = api.get(users.abag_admin, API + "months").json()["months"]
    assert (abag[9]["points"], abag[10]["points"]) == (7.0, 5.0)


def test_the_four_categories_of_a_unit_or_a_person_in_reach_only(api, users, points, org):
    unit = api.get(users.league_admin, API + f"dimensions?unit_id={org.abag.pk}").json()
    assert unit["name"] == "阿巴嘎旗委组织部"
    assert {d["label"]: d["points"] for d in unit["dimensions"]} == {"学理论": 12.0, "学业务": 0.0, "比党性": 0.0, "比工作": 0.0}
    person = api.get(users.abag_admin, API + f"dimensions?person_id={org.bayi.pk}").json()
    assert (person["name"], person["dimensions"][0]["points"]) == ("巴依斯古楞", 7.0)
    assert api.get(users.abag_admin, API + f"dimensions?unit_id={org.xilin.pk}").status_code == 404
    assert api.get(users.abag_admin, API + f"dimensions?person_id={org.xilin_person.pk}").status_code == 404
    mine = api.get(users.abag_admin, API + "dimensions").json()  # default: the viewer's own county
    assert (mine["name"], mine["dimensions"][0]["points"]) == ("阿巴嘎旗委组织部", 12.0)


def test_records_by_kind_count_approved_records_in_scope(api, users, org, kinds, campaign):
    for _ in range(2):
        RecordFactory(actor=users.cadre, kind=kinds.self_study, approved_by=users.abag_reviewer)
    RecordFactory(actor=users.cadre, kind=kinds.self_study)  # not approved
    league = api.get(users.league_admin, API + "kinds").json()["kinds"]
    assert league == [{"name": kinds.self_study.name, "count": 2}]
    assert api.get(users.xilin_admin, API + "kinds").json()["kinds"] == []


def test_the_counties_grid_places_each_county(api, users, points):
    counties = api.get(users.abag_reviewer, API + "counties").json()["counties"]
    assert [(c["name"], c["x"], c["y"], c["average"]) for c in counties] == [("阿巴嘎旗", 2, 0, 6.0), ("锡林浩特市", 2, 1, 5.0)]


def test_compliance_and_study_answer_for_the_scope(api, users, org):
    compliance = api.get(users.abag_admin, API + "compliance?year=2026").json()
    assert compliance == {"year": 2026, "branches": 0, "complete": 0, "short": 0, "percent": 0, "missing_meetings": 0}
    assert api.get(users.abag_admin, API + "compliance?year=1900").status_code == 422
    assert api.get(users.abag_admin, API + "study").json() == {"lists": []}


def test_a_cadre_and_the_separated_roles_are_refused(api, users):
    for user in (users.cadre, users.auditor):
        assert api.get(user, API + "units").status_code == 403


@pytest.mark.parametrize("name", ["units", "months", "dimensions", "kinds", "counties", "compliance", "study"])
def test_each_endpoint_reads_a_bounded_number_of_queries(api, users, points, name, django_assert_max_num_queries):
    api.get(users.league_admin, API + name)
    for i in range(5):  # more units and people change nothing
        unit = Unit.objects.add_child(Unit.objects.get(pk=points.abag.pk), instance=Unit(name=f"支部{i}", kind="branch"))
        Person.objects.create(unit=unit, name=f"人{i}", sex="M", ethnicity="汉族")
    with django_assert_max_num_queries(12):
        assert api.get(users.league_admin, API + name).status_code == 200


def test_the_pages_render_for_admins_and_reviewers(client_for, users, points):
    for user in (users.league_admin, users.abag_admin, users.abag_reviewer):
        client = client_for(user)
        assert client.get("/reports/dashboard/").status_code == 200
        page = client.get("/reports/screen/?refresh=1").content.decode()
        assert 'data-refresh="10"' in page  # at least ten seconds
    assert client_for(users.cadre).get("/reports/dashboard/").status_code == 403


def test_study_lists_count_the_people_who_did_every_item(api, users, org, study):
    from decimal import Decimal

    from xuebi.study import selectors as study_selectors
    from xuebi.study.models import StudyList
    from xuebi.study.services import study_progress_log

    study_progress_log(actor=users.cadre, item=study.abag_item, hours=Decimal("0.5"), studied_on=dt.date(2026, 11, 20))
    study_progress_log(actor=users.cadre, item=study.abag_item, hours=Decimal("0.5"), studied_on=dt.date(2026, 11, 21))
    listed = api.get(users.league_admin, API + "study").json()["lists"]
    abag = next(row for row in listed if row["title"] == "阿巴嘎旗组工干部业务学习")
    assert (abag["reached"], abag["complete"], abag["percent"]) == (2, 1, 50)  # 巴依斯古楞 did its one item (1 学时)
    for row in listed:  # the same figures as the list's own completion report
        report = study_selectors.completion(StudyList.objects.get(title=row["title"]), users.league_admin)
        assert (row["reached"], row["complete"], row["percent"]) == (report.reached, report.complete, report.percent)
