"""Reads of the unit tree shared by other apps."""
from __future__ import annotations

from .models import Unit

__all__ = ["label_units"]


def label_units(people) -> None:
    """Set ``unit_label`` on each person: sections repeat across counties (every county has a
    组织股), so below the county level the label names the county department too. One query."""
    people = list(people)
    width = 2 * Unit.steplen
    heads = {p.unit.path[:width] for p in people if p.unit.depth > 2}
    names = {u.path: u.display_name for u in Unit.objects.filter(path__in=heads).only("path", "name", "short_name")}
    for p in people:
        head = names.get(p.unit.path[:width]) if p.unit.depth > 2 else None
        p.unit_label = f"{head} · {p.unit.name}" if head else p.unit.name
