"""A contest to judge: five judges from three departments, entries from two counties."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from xuebi.campaign.models import Indicator
from xuebi.contests.models import Assignment, Contest, Stage
from xuebi.contests.services import contests as setup
from xuebi.contests.services import entries, judging
from xuebi.org.choices import Role
from xuebi.testing.helpers import add_person, make_user


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Entry files go to the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def work(campaign):
    return Indicator.objects.create(campaign=campaign, dimension="work", name="工作实绩", max_points=Decimal(50))


@pytest.fixture
def judges(org, users, password_hash):
    """j1, j2: the league department; j3: 阿巴嘎 (a county judge); j4: 锡林浩特; j5: the league's 组织科."""
    return SimpleNamespace(
        j1=users.judge,
        j2=make_user("j2", Role.JUDGE, org.league, password_hash),
        j3=make_user("j3", Role.JUDGE, org.abag, password_hash),
        j4=make_user("j4", Role.JUDGE, org.xilin, password_hash),
        j5=make_user("j5", Role.JUDGE, org.league_section, password_hash),
    )


def make_contest(
    users,
    *,
    campaign=None,
    indicator=None,
    criteria="内容 40\n表达 30\n仪态 20\n时间 10",
    levels="一等奖 1 10\n二等奖 1 6\n三等奖 1 4",
    **values,
):
    base = {
        "title": "“学思践悟”调研文章评比",
        "kind": "essay",
        "organizer": users.league_admin.role_grants.get().unit,
        "description": "",
        "entry_start": dt.date(2026, 11, 1),
        "entry_end": dt.date(2026, 11, 30),
        "review_start": dt.date(2026, 12, 1),
        "review_end": dt.date(2026, 12, 10),
        "live": False,
        "blind": True,
        "judges_per_entry": 3,
        "trim_from": 5,
        "tie_break": "share",
        "award_by": "count",
        "final_top": None,
        "normalise": False,
        "campaign": campaign,
        "indicator": indicator,
    }
    base.update(values)
    award_by = base["award_by"]
    contest = setup.contest_save(
        actor=users.league_admin,
        values=base,
        criteria=setup.parse_criteria(criteria),
        levels=setup.parse_levels(levels, award_by),
    )
    return setup.contest_open(actor=users.league_admin, contest=contest)


def to_review(contest: Contest) -> Contest:
    """Move the windows so that today (the frozen test day) is in the review."""
    Contest.objects.filter(pk=contest.pk).update(
        entry_start=dt.date(2026, 11, 1),
        entry_end=dt.date(2026, 11, 20),
        review_start=dt.date(2026, 11, 21),
        review_end=dt.date(2026, 11, 30),
    )
    contest.refresh_from_db()
    return contest


@pytest.fixture
def people(org):
    """Authors: three in 阿巴嘎, three in 锡林浩特 (besides the fixture's own)."""
    return SimpleNamespace(
        abag=[org.bayi, org.abag_other, add_person(org.abag_section, "乌兰", 61)],
        xilin=[
            org.xilin_person,
            add_person(org.xilin_section, "其其格", 62, address="152502"),
            add_person(org.xilin_section, "张伟", 63, address="152502"),
        ],
    )


def submit(users, contest, person, title, text="正文内容", **kw):
    actor = users.league_admin
    return entries.entry_submit(actor=actor, contest=contest, title=title, text=text, authors=[person], **kw)


def score_all(contest, values_for, stage=Stage.PRELIM):
    """Every assignment of the stage scored and submitted: ``values_for(assignment)`` → total
    spread over the criteria (content gets what is left)."""
    criteria = list(contest.criteria.all())
    for a in Assignment.objects.filter(entry__contest=contest, stage=stage).select_related("judge", "entry"):
        total = Decimal(values_for(a))
        values = {c.pk: min(c.max_score, total) for c in criteria}
        left = total
        for c in criteria:
            values[c.pk] = min(c.max_score, left)
            left -= values[c.pk]
        judging.score_save(actor=a.judge, assignment=a, values=values, submit=True)
