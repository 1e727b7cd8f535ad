"""The home page: per role, what this user looks after and where to start. It reads from every app,
so it sits at the top of the layers (docs/architecture.md)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from xuebi.org.choices import PersonStatus, Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import grants_of, roles_of
from xuebi.org.selectors import roles_held


@login_required
def home(request):
    """A home page per role: what this user looks after, and where to start."""
    user = request.user
    roles = roles_of(user)
    context = {"roles": roles, "roles_held": roles_held(user)}
    if roles & {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER}:
        people = Person.objects.visible_to(user)
        context["stats"] = {
            "units": Unit.objects.visible_to(user).filter(is_active=True).count(),
            "people": people.filter(status=PersonStatus.ACTIVE).count(),
            "org_cadres": people.filter(status=PersonStatus.ACTIVE, is_org_cadre=True).count(),
        }
    if roles & {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER}:
        from xuebi.ledger.models import Record

        waiting = Record.objects.visible_to(user, "review").filter(status="submitted")
        if user.person_id:
            waiting = waiting.exclude(author_id=user.person_id)
        context["waiting"] = waiting.count()
    if roles & {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN}:
        from xuebi.reports.selectors.notices import drafts_waiting

        context["notice_drafts"] = drafts_waiting(user)
        from xuebi.checklists.models import Item as ChecklistItem

        context["checklist_overdue"] = ChecklistItem.visible_to(user, "edit").overdue(timezone.localdate()).count()
    if user.person_id:
        from xuebi.ledger.models import Participant, Record

        context["me"] = Person.objects.select_related("unit").get(pk=user.person_id)
        mine = Record.objects.filter(pk__in=Participant.objects.filter(person_id=user.person_id).values("record_id"))
        context["ledger"] = {row["status"]: row["n"] for row in mine.values("status").annotate(n=Count("pk")).order_by()}
        context.update(_waiting_for_me(user, context["me"]))
    context["is_separated"] = bool(grants_of(user)) and not (roles - {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
    context["can_change_people"] = bool(roles & {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN})
    context["is_judge_only"] = Role.JUDGE in roles and not roles & {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER, Role.CADRE}
    return render(request, "home/home.html", context)


HOME_ITEMS = 5  # returned records, drafts and study items shown on the home page; the rest one tap away
DUE_DAYS = 14  # study items due within two weeks (and those past due) count as waiting


def _waiting_for_me(user, person: Person) -> dict:
    """What a person sees first on the phone: this campaign's points with their rank in their
        旗县市区 and its movement, the records sent back or left as drafts, and the study items due
        soon or overdue, the checklist items they answer for that are due within two weeks or overdue, and
    the exams open now that they have not handed in —
    a few reads, none growing with the person's history."""
    from xuebi.ledger.choices import RecordStatus
    from xuebi.ledger.models import Record
    from xuebi.org.selectors import COUNTY_WIDTH
    from xuebi.points import readmodel, selectors as points
    from xuebi.study import selectors as study
    from xuebi.study.models import StudyItem

    today = timezone.localdate()
    found: dict = {}
    campaign = points.current_campaign(today)
    if campaign is not None:
        # ranked within their 旗县市区, as on the board a cadre sees (points.selectors.board_paths)
        county = Unit.objects.only("name", "short_name", "path").get(path=person.unit.path[:COUNTY_WIDTH])
        found["standing"] = {
            "campaign": campaign,
            "county": county.short_name or county.name,
            **readmodel.standing(campaign, person.pk, [county.path], today=today),
        }
    editable = (
        Record.objects.visible_to(user, "edit")
        .only("pk", "title", "status", "occurred_on", "review_comment")
        .order_by("-occurred_on", "-pk")
    )
    found["returned"] = list(editable.filter(status=RecordStatus.RETURNED)[:HOME_ITEMS])
    found["drafts"] = list(editable.filter(status=RecordStatus.DRAFT)[:HOME_ITEMS])
    items = (
        study.items_with_progress(StudyItem.objects.visible_to(user).reaching(person.pk), person.pk, today=today)
        .filter(is_complete=False, due_date__lte=today + dt.timedelta(days=DUE_DAYS))
        .order_by("due_date", "pk")
    )
    found["due_items"] = list(items[:HOME_ITEMS])
    from xuebi.checklists.models import Item as ChecklistItem

    checklist = ChecklistItem.objects.filter(responsible_person_id=person.pk).open()
    found["checklist_due"] = list(
        checklist.filter(due_date__lte=today + dt.timedelta(days=DUE_DAYS))
        .only("pk", "title", "due_date", "status")
        .order_by("due_date", "pk")[:HOME_ITEMS]
    )
    for item in found["checklist_due"]:
        item.overdue = item.due_date < today
    from xuebi.exams.models import DONE_STATUSES, Attempt, Exam

    now = timezone.now()
    found["exams_open"] = list(
        Exam.objects.visible_to(user, "take")
        .filter(opens_at__lte=now, closes_at__gt=now)
        .exclude(pk__in=Attempt.objects.filter(person_id=person.pk, status__in=DONE_STATUSES).values("exam_id"))
        .only("pk", "title", "closes_at")
        .order_by("closes_at", "pk")[:HOME_ITEMS]
    )
    return found
