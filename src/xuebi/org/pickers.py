"""The person picker's search (``widgets.PersonPicker``): people the user may name, found by name,
full pinyin or initials, labelled with county and section. JSON for ``person-picker.js``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse

from xuebi.org.choices import BUSINESS_ROLES
from xuebi.org.models import Person

from .permissions import require_role
from .widgets import PICK_ACTIONS, UnitNames, person_label

LIMIT = 20


@login_required
def person_pick(request):
    """?q=wl&action=pick → {"results": [{"id", "label"}], "more": bool}. Two queries whatever the
    roster's size: the people (bounded, in the user's scope for ``action``) and the units' names."""
    require_role(request, *BUSINESS_ROLES)  # the 三员 name nobody: no business data, not even a name
    action = request.GET.get("action", "pick")
    action = action if action in PICK_ACTIONS else "pick"
    q = (request.GET.get("q") or "").strip()[:50]
    if not q:
        return JsonResponse({"results": [], "more": False})
    people = list(
        Person.objects.visible_to(request.user, action)
        .filter(status="active")
        .search(q)
        .select_related("unit")
        .order_by("name_pinyin", "unit__path", "pk")[: LIMIT + 1]
    )
    names = UnitNames()
    return JsonResponse(
        {
            "results": [{"id": p.pk, "label": person_label(p, names)} for p in people[:LIMIT]],
            "more": len(people) > LIMIT,
        }
    )
