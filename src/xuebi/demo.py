"""The whole demo, in dependency order: org → campaign (with its rules) → ledger → study → 组工信息 → contests → checklists → exams → last month's notice drafts. Each loader is
idempotent, so `xuebi demo` can run again on a loaded site and change nothing.

The demo lives in the present: every date is counted from ``timezone.localdate()``. Last year's
campaign is created open, so that its records are accepted and approved, and closed at the end, so
its rankings are final; this year's stays open."""

from __future__ import annotations

from django.db import transaction

from xuebi.assessments.demo import load_assessments_demo
from xuebi.campaign.demo.campaigns import close_past_campaigns, load_demo_campaigns
from xuebi.campaign.demo.rules import load_demo_rules
from xuebi.checklists.demo import load_checklists_demo
from xuebi.contests.demo import load_contests_demo
from xuebi.core import context
from xuebi.exams.demo import load_exams_demo
from xuebi.ledger.demo.records import load_ledger_demo
from xuebi.ledger.demo.kinds import load_demo_kinds
from xuebi.ledger.demo.lectures import load_demo_lectures
from xuebi.ledger.demo.requirements import load_demo_requirements
from xuebi.org.demo import load_demo
from xuebi.org.models import User
from xuebi.orginfo.demo import load_orginfo_demo
from xuebi.points import readmodel
from xuebi.reports.services.notices import scheduled_drafts
from xuebi.study.demo import load_study_demo


@transaction.atomic
def load_all(*, people: int = 400) -> dict:
    result = load_demo(count=people)
    league = User.objects.filter(username="league").first()
    with context.acting_as(league, ip="127.0.0.1"):
        campaigns = load_demo_campaigns(actor=league)
        result["campaigns_created"] = len(campaigns)
        result["kinds_created"] = load_demo_kinds(actor=league)
        result["rules_created"] = load_demo_rules(actor=league)  # before the records, so approvals earn points
        result["requirements_created"] = load_demo_requirements()
    result["records_created"] = load_ledger_demo()
    result["lectures_created"] = load_demo_lectures()  # after the records: it writes records too
    result["study_created"] = load_study_demo()
    result["orginfo_created"] = load_orginfo_demo()  # after the campaigns and rules: adoptions earn points
    result["contests_created"] = load_contests_demo()  # after the campaigns and rules: awards earn points
    result["checklists_created"] = load_checklists_demo()  # after the campaigns: accepted items earn points
    result["exams_created"] = load_exams_demo()  # after the campaigns: results earn points
    result["assessments_created"] = load_assessments_demo()  # after the records: the sheets show their evidence
    with context.acting_as(league, ip="127.0.0.1"):
        result["campaigns_closed"] = close_past_campaigns(campaigns, actor=league)
    # the month-end snapshots the scheduled task would have built (the boards' ↑↓)
    result["snapshots_built"] = len(readmodel.build_due_snapshots())
    # last month's ranking notices, drafted as the scheduler does on the 1st: waiting to be issued
    result["notice_drafts"] = len(scheduled_drafts())
    return result
