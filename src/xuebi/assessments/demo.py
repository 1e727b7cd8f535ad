"""The assessments demo: 阿巴嘎旗委组织部 组织股's 平时考核 of last quarter (the cadre's 小结 written, graded within the
好 cap, finalised) and of this quarter (opened, waiting for the 小结 — the demo's cadre writes theirs — and the
grades). Relative to ``timezone.localdate()``, so it works on any day of any year; through the services (audited);
idempotent: a round that exists is left as it is."""

from __future__ import annotations

from django.utils import timezone

from xuebi.core import context
from xuebi.org.models import Unit, User

from . import services
from .models import Assessment, Kind

__all__ = ["load_assessments_demo"]

SUMMARY = "本季度认真学习党的创新理论，按时完成组织股日常工作和台账记录，参加业务讲堂2次；不足是调研深度不够，下季度改进。"


def _quarters(today):
    quarter = (today.month - 1) // 3 + 1
    previous = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return previous, (today.year, quarter)


def _unit() -> Unit | None:
    abag = Unit.objects.filter(name="阿巴嘎旗委组织部").first()
    if abag is None:
        return None
    return Unit.objects.filter(path__startswith=abag.path, depth=abag.depth + 1, name="组织股").first()


def load_assessments_demo() -> int:
    """Answers how many rounds it opened (0 when they exist)."""
    unit = _unit()
    admin = User.objects.filter(username="abag").first()
    cadre = User.objects.filter(username="cadre").first()
    if unit is None or admin is None:
        return 0
    previous, current = _quarters(timezone.localdate())
    made = 0
    with context.acting_as(admin, ip="127.0.0.1"):
        if not Assessment.objects.filter(unit=unit, kind=Kind.QUARTERLY, year=previous[0], quarter=previous[1]).exists():
            done = services.assessment_open(actor=admin, unit=unit, kind=Kind.QUARTERLY, year=previous[0], quarter=previous[1])
            made += 1
            mine = done.sheets.filter(person_id=cadre.person_id).first() if cadre and cadre.person_id else None
            if mine is not None:
                with context.acting_as(cadre, ip="127.0.0.1"):
                    services.sheet_summary(actor=cadre, sheet=mine, summary=SUMMARY)
            sheets = list(done.sheets.order_by("pk"))
            places = services.top_cap(done, len(sheets))
            grades = {}
            for i, sheet in enumerate(sheets):
                grades[sheet.pk] = "good" if i < places else ("fair" if i == len(sheets) - 1 and i >= 3 else "fairly_good")
            services.grades_propose(actor=admin, assessment=done, grades=grades)
            services.assessment_finalise(actor=admin, assessment=done)
        if not Assessment.objects.filter(unit=unit, kind=Kind.QUARTERLY, year=current[0], quarter=current[1]).exists():
            services.assessment_open(actor=admin, unit=unit, kind=Kind.QUARTERLY, year=current[0], quarter=current[1])
            made += 1
    return made
