"""Demo 业务讲堂: a series in the demo cadre's section, written through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from xuebi.core import context
from xuebi.org.models import User

from ..models import LectureSeries, RecordKind
from ..selectors.lectures import LECTURE_KIND_CODE
from ..services.lectures import series_create, session_hold, session_plan, session_set_absentees
from ..services.records import record_approve
from .records import demo_photo

DEMO_TOPICS = ["发展党员工作流程", "干部人事档案专项审核", "组工信息写作要点", "党费收缴使用和管理", "基层党组织换届选举"]


def load_demo_lectures() -> int:
    """A 业务讲堂 in the demo cadre's section: four sessions held over the last four and a half
    months, about a month apart (in the third a presenter was away and made it up next time), and
    one planned a fortnight ahead. The newest held session waits for review when it is this year's;
    sessions of last year are approved, as that campaign closes. Idempotent: nothing once a series
    exists. Returns the number of sessions created."""
    kind = RecordKind.objects.filter(code=LECTURE_KIND_CODE, is_active=True).first()
    admin, reviewer, cadre = (User.objects.filter(username=u).first() for u in ("abag", "reviewer", "cadre"))
    if LectureSeries.objects.exists() or kind is None or not (admin and reviewer and cadre and cadre.person_id):
        return 0
    unit, today = cadre.person.unit, timezone.localdate()
    with context.acting_as(admin, ip="127.0.0.1"):
        series = series_create(actor=admin, unit=unit, title=f"{unit.display_name}业务讲堂")
        held = []
        for i, back in enumerate((138, 103, 75, 40)):
            session = session_plan(actor=admin, series=series, planned_on=today - dt.timedelta(days=back), topic=DEMO_TOPICS[i])
            if i == 2 and series.members.count() > 1:
                # the presenter is away on business: the next member takes the lectern (a section of
                # one, in a small demo such as `xuebi demo --people 60`, has nobody to stand in)
                session = session_set_absentees(actor=admin, session=session, absentees=[session.presenter])
            held.append(session_hold(actor=admin, session=session, hours=Decimal(2), files=[("", demo_photo(100 + i))]))
        session_plan(actor=admin, series=series, planned_on=today + dt.timedelta(days=16), topic=DEMO_TOPICS[4])
    with context.acting_as(reviewer, ip="127.0.0.1"):
        for record in held:
            if record is not held[-1] or record.occurred_on.year < today.year:
                record_approve(actor=reviewer, record=record)
    return series.sessions.count()
