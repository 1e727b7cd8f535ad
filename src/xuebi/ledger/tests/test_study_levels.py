"""五学联动: collective studies per level × unit × month, grouped at the level of unit asked for."""

from __future__ import annotations

import datetime as dt

import pytest

from xuebi.ledger.selectors import reports

from ._reports import make_record, study_kind

YEAR = 2025


@pytest.fixture
def studies(org, users):
    kind = study_kind(users.league_admin)
    day = lambda month, d=10: dt.date(YEAR, month, d)  # noqa: E731
    make_record(kind, org.abag, org.bayi, day(1), study_level="center")  # 阿巴嘎 中心组领学, January
    make_record(kind, org.abag_section, org.bayi, day(1, 20), study_level="branch")  # 阿巴嘎/组织股 党支部深学
    make_record(kind, org.abag_section, org.abag_other, day(3), study_level="branch", status="submitted")
    make_record(kind, org.xilin_section, org.xilin_person, day(3), study_level="group")
    make_record(kind, org.league, org.league_person, day(12, 31), study_level="center")
    # not counted: a draft, a returned record, a record without a level, another year
    make_record(kind, org.abag_section, org.bayi, day(2), study_level="member", status="draft")
    make_record(kind, org.abag_section, org.bayi, day(2), study_level="member", status="returned")
    make_record(kind, org.abag_section, org.bayi, day(2))
    make_record(kind, org.abag_section, org.bayi, dt.date(YEAR + 1, 1, 1), study_level="member")
    return kind


def _by_unit(report):
    return {u.unit.name: u for u in report.units}


def _line(unit_levels, level):
    return next(line for line in unit_levels.lines if line.level == level)


def test_a_league_admin_compares_the_county_departments_month_by_month(studies, org, users):
    report = reports.study_levels(user=users.league_admin, year=YEAR, depth=2)

    units = _by_unit(report)
    assert set(units) == {"组织科", "阿巴嘎旗委组织部", "锡林浩特市委组织部", "锡林郭勒盟委组织部"}
    abag = units["阿巴嘎旗委组织部"]
    assert _line(abag, "center").months[0] == 1
    assert _line(abag, "branch").months[:3] == [1, 0, 1]  # the section's studies count for its county
    assert abag.total == 3 and abag.month_totals[0] == 2
    assert _line(units["锡林浩特市委组织部"], "group").total == 1
    assert units["组织科"].total == 0  # listed with nothing, so a silent unit shows as silent
    # a study of the league department itself stays with it
    assert _line(units["锡林郭勒盟委组织部"], "center").months[11] == 1
    summary = {line.level: line.total for line in report.summary}
    assert summary == {"center": 2, "organ": 0, "branch": 2, "group": 1, "member": 0}
    assert report.total == 5


def test_a_county_admin_sees_only_their_county_grouped_by_section(studies, org, users):
    choices, default = reports.depth_choices(users.abag_admin)
    assert [d for d, _label in choices] == [2, 3] and default == 3

    report = reports.study_levels(user=users.abag_admin, year=YEAR, depth=default)

    assert {u.unit.name: u.total for u in report.units} == {"阿巴嘎旗委组织部": 1, "组织股": 2}
    assert report.total == 3


def test_the_report_can_be_narrowed_to_a_subtree(studies, org, users):
    report = reports.study_levels(user=users.league_admin, year=YEAR, depth=3, within=org.xilin)
    assert [(u.unit.name, u.total) for u in report.units] == [("组织股", 1)]


def test_a_reviewer_sees_their_subtree_and_nothing_of_other_counties(studies, org, users):
    report = reports.study_levels(user=users.abag_reviewer, year=YEAR, depth=2)
    assert [u.unit.name for u in report.units] == ["阿巴嘎旗委组织部"]
    assert report.total == 3


def test_an_auditor_sees_nothing(studies, users):
    report = reports.study_levels(user=users.auditor, year=YEAR, depth=2)
    assert report.units == [] and report.total == 0
    assert reports.depth_choices(users.auditor) == ([], None)


def test_depth_labels_name_the_levels_of_the_tree():
    assert [reports.depth_label(d) for d in (1, 2, 3, 4)] == ["盟级", "旗县市区", "科室、党支部", "第4级单位"]


def test_the_report_is_one_aggregate_query_and_one_for_the_units(studies, users, django_assert_max_num_queries):
    user = users.league_admin
    reports.depth_choices(user)  # loads the grants, as the page's form does
    with django_assert_max_num_queries(2):
        reports.study_levels(user=user, year=YEAR, depth=2)
