"""The assessments demo lives in the present and loads once: last quarter final, this quarter open."""

import datetime as dt

import pytest

from xuebi.assessments.demo import load_assessments_demo
from xuebi.assessments.models import Assessment, Status

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize("day", [dt.date(2027, 1, 2), dt.date(2026, 7, 1), None])
def test_the_demo_is_relative_to_today_and_idempotent(day, section, users, time_machine):
    if day is not None:
        time_machine.move_to(dt.datetime.combine(day, dt.time(10), SHANGHAI))
    assert load_assessments_demo() == 2
    assert load_assessments_demo() == 0
    final, current = Assessment.objects.order_by("start_date")
    assert final.status == Status.FINAL and current.status == Status.OPEN
    assert final.end_date + dt.timedelta(days=1) == current.start_date
    assert final.sheets.get(person=users.cadre.person).summary
    assert final.sheets.filter(grade="good").count() == 2  # 40% of 5
