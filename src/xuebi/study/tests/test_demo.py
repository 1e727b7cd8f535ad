"""The demo study lists load once, after the org demo, and show real completion and overdue items."""

from __future__ import annotations

import pytest

from xuebi.org.demo import load_demo
from xuebi.org.models import Unit, User
from xuebi.study import selectors
from xuebi.study.demo import load_study_demo
from xuebi.study.models import StudyItem, StudyList, StudyNote, StudyPlan, StudyProgress

pytestmark = pytest.mark.django_db


def test_the_study_demo_is_idempotent_and_shows_progress_and_overdue_items():
    assert load_study_demo() == 0  # no org demo yet: nothing to attach to
    load_demo(count=60)
    created = load_study_demo()
    assert created > 0
    counts = [m.objects.count() for m in (StudyList, StudyItem, StudyProgress, StudyPlan, StudyNote)]
    assert load_study_demo() == 0
    assert [m.objects.count() for m in (StudyList, StudyItem, StudyProgress, StudyPlan, StudyNote)] == counts

    root = Unit.objects.get_root_nodes().get()
    counties = set(Unit.objects.get_children(root).filter(kind="county_dept"))
    assert StudyList.objects.count() == 2
    for study_list in StudyList.objects.all():
        assert study_list.is_published and study_list.unit == root
        assert set(study_list.target_units.all()) == counties

    cadre = User.objects.get(username="cadre")
    items = list(selectors.items_with_progress(StudyItem.objects.reaching(cadre.person_id), cadre.person_id))
    assert any(i.is_complete for i in items) and any(i.is_overdue for i in items)
    league = User.objects.get(username="league")
    report = selectors.completion(StudyList.objects.first(), league)
    assert 0 < report.complete < report.reached and 0 < report.overdue < report.reached
    assert StudyPlan.objects.filter(person_id=cadre.person_id).exists()
