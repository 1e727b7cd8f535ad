"""Reads about record kinds that depend on who is asking."""

from __future__ import annotations

from django.db.models import Count

from ..models import Record, RecordKind

__all__ = ["record_counts"]


def record_counts(user, kind: RecordKind) -> dict[int, int]:
    """{schema version: records the user may see written with it}."""
    rows = Record.objects.visible_to(user).filter(kind=kind).values("schema__version").annotate(n=Count("pk")).order_by()
    return {row["schema__version"]: row["n"] for row in rows}
