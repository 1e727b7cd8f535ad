"""Reads of the unit tree shared by other apps."""

from __future__ import annotations

from .choices import Role
from .models import Unit
from .scoping import derived_cadre_unit_id

__all__ = ["COUNTY_WIDTH", "county_of", "label_units", "unit_label", "unit_labels", "roles_held"]

COUNTY_WIDTH = 2 * Unit.steplen


def county_of(unit: Unit) -> Unit:
    """The 旗县市区 (depth 2) a unit belongs to — or the unit itself at the top."""
    if unit.depth <= 2:
        return unit
    return Unit.objects.get(path=unit.path[:COUNTY_WIDTH])


def unit_labels(units) -> dict[str, str]:
    """path → how a list names the unit, for (path, name, depth) triples: sections repeat across
    counties (every county has a 组织股), so below the county level the label names the county
    department too. One query."""
    units = list(units)
    heads = {path[:COUNTY_WIDTH] for path, _name, depth in units if depth > 2}
    names = {u.path: u.display_name for u in Unit.objects.filter(path__in=heads).only("path", "name", "short_name")}
    return {path: unit_label(name, depth, names.get(path[:COUNTY_WIDTH])) for path, name, depth in units}


def unit_label(name: str, depth: int, county: str | None) -> str:
    """One unit's label (see ``unit_labels``), given its county department's display name."""
    return f"{county} · {name}" if depth > 2 and county else name


def label_units(people) -> None:
    """Set ``unit_label`` on each person (see ``unit_labels``)."""
    people = list(people)
    labels = unit_labels((p.unit.path, p.unit.name, p.unit.depth) for p in people)
    for p in people:
        p.unit_label = labels[p.unit.path]


def roles_held(user) -> list[dict]:
    """The roles ``user`` holds, as “您的角色” and ``/api/v1/me`` list them: {role, role_display, unit_id,
    unit_name, source}, source "grant" (a 角色授权 by the 安全管理员) or "roster" (the cadre role a linked
    组工干部 holds on their unit without one, issue 13)."""
    roles = [
        {
            "role": g.role,
            "role_display": g.get_role_display(),
            "unit_id": g.unit_id,
            "unit_name": g.unit.name if g.unit else "",
            "source": "grant",
        }
        for g in user.role_grants.select_related("unit")
    ]
    derived = Unit.objects.filter(pk=derived_cadre_unit_id(user)).first() if user.person_id else None
    if derived is not None:
        roles.append(
            {
                "role": Role.CADRE.value,
                "role_display": Role.CADRE.label,
                "unit_id": derived.pk,
                "unit_name": derived.name,
                "source": "roster",
            }
        )
    return roles
