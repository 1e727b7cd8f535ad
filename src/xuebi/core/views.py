from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from xuebi.org.choices import PersonStatus, Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import grants_of, roles_of


@login_required
def home(request):
    """A home page per role: what this user looks after, and where to start."""
    user = request.user
    roles = roles_of(user)
    context = {"roles": roles, "grants": [g for g in user.role_grants.select_related("unit")]}
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
    if user.person_id:
        from xuebi.ledger.models import Participant, Record

        context["me"] = Person.objects.select_related("unit").get(pk=user.person_id)
        mine = Record.objects.filter(pk__in=Participant.objects.filter(person_id=user.person_id).values("record_id"))
        context["ledger"] = {row["status"]: row["n"] for row in mine.values("status").annotate(n=Count("pk")).order_by()}
    context["is_separated"] = bool(grants_of(user)) and not (roles - {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
    return render(request, "core/home.html", context)


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
