from __future__ import annotations

from django.contrib.auth.decorators import login_required
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
    if user.person_id:
        context["me"] = Person.objects.select_related("unit").get(pk=user.person_id)
    context["is_separated"] = bool(grants_of(user)) and not (roles - {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
    return render(request, "core/home.html", context)


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
