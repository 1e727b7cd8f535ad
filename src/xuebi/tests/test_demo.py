"""The demo lives in the present (``xuebi demo``, ``xuebi/demo.py``): loaded on 2 January, on 30 June
or on the suite's day, a cadre can record today's study, last year's campaign is closed with final
rankings and this year's is open, the boards show movement, the study lists are due around today —
and loading again creates nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from xuebi.campaign.models import Campaign
from xuebi.demo import load_all
from xuebi.ledger.models import Record
from xuebi.org.models import User
from xuebi.points.models import PointEntry
from xuebi.study import selectors as study
from xuebi.study.models import StudyItem, StudyPlan, StudyProgress

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MOVEMENT = re.compile(r"[↑↓]\d+")


@pytest.fixture(params=[dt.date(2027, 1, 2), dt.date(2027, 6, 30), None], ids=["2-january", "30-june", "suite-day"])
def demo(request, time_machine, settings):
    """The demo loaded on the day of the parameter (None: the suite's own day); returns today."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nine demo accounts, quickly
    if request.param is not None:
        time_machine.move_to(dt.datetime.combine(request.param, dt.time(10), SHANGHAI))
    load_all(people=120)
    return timezone.localdate()


def test_the_demo_lives_in_the_present(demo, client_for, api):
    today = demo
    this_year, last_year = (Campaign.objects.get(name=f"{y}年双学双比") for y in (today.year, today.year - 1))
    assert not this_year.is_closed and (this_year.start_date, this_year.end_date) == (
        dt.date(today.year, 1, 1),
        dt.date(today.year, 12, 31),
    )
    # last year's is closed with final rankings: points earned by many, and nothing left to review
    assert last_year.is_closed
    assert PointEntry.objects.filter(campaign=last_year).values("person").distinct().count() >= 10
    assert not Record.objects.filter(occurred_on__year=last_year.start_date.year, status="submitted").exists()
    # this year's has records up to today, some waiting for the reviewer; none after today
    assert PointEntry.objects.filter(campaign=this_year).exists()
    assert Record.objects.filter(occurred_on__year=today.year, status="submitted").exists()
    assert not Record.objects.filter(occurred_on__gt=today).exists()

    # the cadre records today's self-study on the page, as the README tells a visitor to
    cadre = User.objects.get(username="cadre")
    response = client_for(cadre).post(
        "/ledger/new/self_study/",
        {
            "occurred_on": f"{today.year}年{today.month}月{today.day}日",
            "f_platform": "学习强国",
            "f_topic": "党章",
            "f_hours": "1",
            "submit": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Record.objects.filter(author=cadre.person, occurred_on=today, status="submitted").exists()

    # the study lists are due around today: the cadre has done some, is late on one, has one ahead
    items = list(study.items_with_progress(StudyItem.objects.reaching(cadre.person_id), cadre.person_id))
    assert any(i.is_complete for i in items) and any(i.is_overdue for i in items)
    assert any(i.due_date > today for i in items) and any(i.due_date < today for i in items)
    assert not StudyProgress.objects.filter(studied_on__gt=today).exists()
    plan = StudyPlan.objects.get(person=cadre.person)
    assert plan.year == today.year and {i.done for i in plan.items.all()} == {True, False}

    # loading again creates nothing
    counts = [m.objects.count() for m in (Campaign, Record, PointEntry, StudyItem, StudyProgress, User)]
    again = load_all(people=120)
    assert (
        again["people_created"],
        again["accounts_created"],
        again["kinds_created"],
        again["records_created"],
        again["campaigns_created"],
        again["study_created"],
    ) == (0, [], 0, 0, 0, 0)
    assert [m.objects.count() for m in (Campaign, Record, PointEntry, StudyItem, StudyProgress, User)] == counts

    # the boards move: this year's from February on, last year's final board always
    league = User.objects.get(username="league")
    client = client_for(league)
    for board in ("people", "units"):
        page = client.get("/points/board/", {"board": board}).content.decode()
        assert f"{today.year}年双学双比" in page
        # in January this year's board has nothing to compare with yet; from February it moves
        assert bool(MOVEMENT.search(page)) == (today.month > 1), board
        # last year's final board is a click away, and moves against the end of its November
        assert f'href="?board={board}&amp;campaign={last_year.pk}"' in page
        final = client.get("/points/board/", {"board": board, "campaign": last_year.pk}).content.decode()
        assert f"截至{last_year.start_date.year}年11月底" in final and MOVEMENT.search(final), board
    rows = api.get(league, "/points/leaderboard/units", campaign=last_year.pk).json()["rows"]
    assert len(rows) == 13 and any(row["move"] for row in rows)


def test_a_small_demo_loads_with_a_lecture_series_of_one(db, settings):
    """`xuebi demo --people 60` leaves the demo cadre alone in their section: the 业务讲堂's stand-in
    session is skipped rather than refused ("全部成员都缺席")."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    result = load_all(people=60)
    assert result["lectures_created"] == 5


def test_the_demo_has_an_open_quiz_a_marked_test_and_a_mistake_book(demo, client_for):
    from xuebi.exams.models import Attempt, Exam, Mistake

    today = demo
    cadre = User.objects.get(username="cadre")
    quiz = Exam.objects.get(title=f"{today.year}年党史知识竞答")
    assert quiz.is_open()
    client = client_for(cadre)
    assert quiz.title in client.get("/exams/").content.decode()
    started = client.post(f"/exams/{quiz.pk}/start/")
    assert started.status_code == 302 and Attempt.objects.get(exam=quiz, person=cadre.person).items.count() == 22
    test = Exam.objects.get(kind="test")
    assert test.is_closed() and Attempt.objects.counted(test).count() >= 10
    assert Attempt.objects.filter(exam=test, ungraded__gt=0).count() == 2  # left for the 阅卷 page
    assert Mistake.objects.filter(person=cadre.person).exists()
    assert Exam.objects.get(kind="onsite").opens_at > timezone.now()
