"""Reads of the unit tree shared by other apps."""
from __future__ import annotations

from .models import Unit

__all__ = ["COUNTY_WIDTH", "county_of", "label_units", "unit_label", "unit_labels"]

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
