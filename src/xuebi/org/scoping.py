"""The one place that decides who sees what (DESIGN.md "Reads go through querysets that know the user").

A business role is granted on a unit and reaches that unit's whole subtree. Units are a
materialized-path tree (django-treebeard MP_Node), so "in the subtree of U" is
``path LIKE 'U.path%'`` — an index range scan, whatever the depth.

Every model that holds business data uses ``ScopedQuerySet`` and declares, per action, which
roles reach it through which unit field (``scope_unit_field``, ``scope_roles``), plus an
optional ``scope_self_q(user, action)`` for what a person may see of their own. Views, exports
and API endpoints call ``.visible_to(user, action)`` and never filter by hand.

Outside of scope and non-existent look the same to the caller (404).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from .choices import BUSINESS_ROLES, SEPARATED_ROLES, PersonStatus, Role

__all__ = ["ScopedQuerySet", "grants_of", "unit_paths", "has_role", "subtree_q", "ACCESS_KEY", "access_changed"]

# What a signed-in user's kept copy (accounts.backends: the row and its grants) depends on: a
# random token in the shared cache, replaced whenever an account, a grant, a person or a unit
# changes (``access_changed``; org.receivers and the roster's bulk writes call it). The session
# store reads it with the session, in the same round trip; a copy kept under another token is
# not used. The points read model's kept version depends on it too (the roster and the units).
ACCESS_KEY = "xuebi:access"


def access_changed() -> None:
    """Every kept copy of a user and their grants is out of date: at once, and again at commit
    (a request that read the old rows meanwhile may have kept them under the first new token).
    Copies are kept only with a shared cache (Redis); the token is renewed whatever the cache (a
    write to this process's memory without one), so a cache that becomes shared — a test's — never
    holds a token older than the rows."""
    import uuid

    from django.core.cache import cache
    from django.db import transaction

    def renew():
        cache.set(ACCESS_KEY, uuid.uuid4().hex, None)

    renew()
    transaction.on_commit(renew)


def grants_of(user) -> list[tuple[str, str | None, int | None]]:
    """[(role, unit path or None, unit id or None)] for the user, loaded once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_xuebi_grants", None)
    if cached is None:
        cached = [(role, path, unit_id) for role, path, unit_id in _grants_query(user)]
        user._xuebi_grants = cached
    return cached


def _grants_query(user):
    """The user's RoleGrant rows, and — in the same query (a UNION) — the cadre role that a linked
    组工干部 holds on their person's unit without a grant (issue 13: self-service needs no secadmin
    step). The derived role is read from the person's current unit, so it follows a move, and it
    ends when the person leaves active service or stops being an organization cadre."""
    granted = user.role_grants.values_list("role", "unit__path", "unit_id")
    if not user.person_id:
        return granted
    derived = _roster_cadre(user).values_list(
        models.Value(Role.CADRE.value, output_field=models.CharField()), "unit__path", "unit_id"
    )
    return granted.order_by().union(derived)


def _roster_cadre(user):
    """The user's person, if it makes them a cadre: active and a 组工干部."""
    from .models import Person  # models imports this module

    return Person.objects.filter(pk=user.person_id, status=PersonStatus.ACTIVE, is_org_cadre=True).order_by()


def derived_cadre_unit_id(user) -> int | None:
    """The unit on which the user is a cadre through the roster (no grant row), or None."""
    if not getattr(user, "person_id", None):
        return None
    return _roster_cadre(user).values_list("unit_id", flat=True).first()


def forget_grants(user) -> None:
    if hasattr(user, "_xuebi_grants"):
        del user._xuebi_grants


def has_role(user, *roles: str) -> bool:
    return any(role in roles for role, _, _ in grants_of(user))


def roles_of(user) -> set[str]:
    return {role for role, _, _ in grants_of(user)}


def unit_paths(user, roles: Iterable[str]) -> list[str]:
    """The tops of the subtrees that the user's grants of these roles reach, nested ones folded away."""
    roles = set(roles) & BUSINESS_ROLES
    paths = sorted({path for role, path, _ in grants_of(user) if role in roles and path})
    tops: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    return tops


def subtree_q(paths: Iterable[str], field: str) -> Q:
    """Q for objects whose unit (through ``field``; "" for the Unit itself) is in any of the subtrees.

    For other models this is ``<field> IN (SELECT id FROM unit WHERE path LIKE …)`` rather than a
    join on the unit's path: the unit ids come from a small index scan, and the model's own
    ``(unit, …)`` indexes then serve the rest. With the join, SQLite walked every submitted
    record of the league to count one county's review queue (bench/ledger.py: 64 ms → 0.7 ms).
    """
    units = Q(pk__in=[])
    for path in paths:
        units |= Q(path__startswith=path)
    if not field:
        return units
    from .models import Unit

    return Q(**{f"{field}__in": Unit.objects.filter(units).values("pk")})


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        model = self.model
        grants = grants_of(user)
        if not grants or all(role in SEPARATED_ROLES for role, _, _ in grants):
            # 三员 hold no business role and see no business data.
            return self.none()
        roles = model.scope_roles.get(action, frozenset())
        q = subtree_q(unit_paths(user, roles), model.scope_unit_field)
        self_q = getattr(model, "scope_self_q", None)
        if self_q is not None:
            extra = self_q(user, action)
            if extra is not None:
                q |= extra
        return self.filter(q)
