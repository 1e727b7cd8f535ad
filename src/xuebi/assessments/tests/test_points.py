"""Grades flow into points where a campaign rule says so: a LOOKUP rule of source type 考核 on the grade, through the
points engine, once per sheet, dated at the period's end; no rule, no points; 重算积分 replays them."""

from decimal import Decimal

from xuebi.assessments import points_source, services
from xuebi.campaign.choices import Dimension, RuleMethod
from xuebi.campaign.models import Indicator
from xuebi.campaign.services.rules import rule_create
from xuebi.campaign.sources import source_types
from xuebi.points.models import PointEntry

from .conftest import grade_all, open_quarter

FIVE = {"巴依斯古楞": "good", "王芳": "good", "张伟": "fairly_good", "刘洋": "fair", "陈静": "poor"}


def test_a_rule_on_the_grade_awards_points_once(section, org, users, campaign):
    indicator = Indicator.objects.create(campaign=campaign, dimension=Dimension.WORK, name="考核", max_points=Decimal(20))
    rule_create(
        actor=users.league_admin,
        campaign=campaign,
        name="平时考核等次加分",
        indicator=indicator,
        source_type="assessment",
        source_kind="quarterly",
        method=RuleMethod.LOOKUP,
        points=None,
        field_key="grade",
        lookup={"好": "3", "较好": "1"},
    )
    assert source_types()["assessment"] == "考核"
    assessment = open_quarter(users.abag_admin, section)
    grade_all(users.abag_admin, assessment, FIVE)
    services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    entries = PointEntry.objects.filter(source_type="assessment")
    # a grade the table does not name gets the engine's 0-point entry (the journal says why), the others their value
    assert sorted((e.person.name, e.points) for e in entries if e.points) == [("巴依斯古楞", 3), ("张伟", 1), ("王芳", 3)]
    assert {e.occurred_on for e in entries} == {assessment.end_date}
    sources = points_source.final_sources(campaign)
    assert len(sources) == 5
    from xuebi.points import engine

    engine.award(sources[0], actor=users.league_admin)  # again: nothing twice
    assert PointEntry.objects.filter(source_type="assessment").count() == len(entries)


def test_no_rule_no_points(section, users, campaign):
    assessment = open_quarter(users.abag_admin, section)
    grade_all(users.abag_admin, assessment, FIVE)
    services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    assert not PointEntry.objects.filter(source_type="assessment").exists()
