"""Assessment test data: a small unit (阿巴嘎旗委组织部's 组织股: 巴依斯古楞 — the ``cadre`` —, 王芳 and three more)
and helpers to open a round and grade it."""

import pytest

from xuebi.assessments import services
from xuebi.testing.helpers import add_person


@pytest.fixture
def section(org):
    """组织股 with five people (the fixture's two and three more)."""
    org.more = [add_person(org.abag_section, name, 60 + i) for i, name in enumerate(["张伟", "刘洋", "陈静"])]
    return org.abag_section


def open_quarter(actor, unit, year=2026, quarter=3):
    return services.assessment_open(actor=actor, unit=unit, kind="quarterly", year=year, quarter=quarter)


def grade_all(actor, assessment, grades):
    """grades: {person name: code}."""
    sheets = {s.person.name: s.pk for s in assessment.sheets.select_related("person")}
    return services.grades_propose(actor=actor, assessment=assessment, grades={sheets[n]: g for n, g in grades.items()})
