"""What a rule may count: the kinds of source another app offers, registered by that app.

A rule names its source by type and kind (``ledger`` + a record kind's code). The campaign app sits
below the apps that own those sources, so it never imports them: each registers its source type
here when it starts (the ledger in ``LedgerConfig.ready``; later exams, contests), with a function
that describes its kinds. The rule pages, the rule checks and the demo read kinds only from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["SourceKind", "register_source_type", "source_types", "kinds", "kind"]


@dataclass(frozen=True)
class SourceKind:
    """One kind of source as a rule sees it: its code and name, and the fields a rule may count on
    (the owning app's field definitions: dicts with ``key``, ``label``, ``type``, ``choices``…)."""

    code: str
    name: str
    fields: list[dict] = field(default_factory=list)
    attendee_hours: bool = False  # each attendee's own hours are recorded (a per-hour rule may use them)
    is_group: bool = False  # one source has many participants (a meeting), so "per attendee" rules fit
    is_active: bool = True


# source type → (label, describe(codes or None, active_only) → kinds in display order)
_types: dict[str, tuple[str, Callable[[Iterable[str] | None, bool], list[SourceKind]]]] = {}


def register_source_type(
    source_type: str, label: str, describe: Callable[[Iterable[str] | None, bool], list[SourceKind]]
) -> None:
    _types[source_type] = (label, describe)


def source_types() -> dict[str, str]:
    """{type: label} of the registered source types, e.g. {"ledger": "台账"}."""
    return {key: label for key, (label, _describe) in _types.items()}


def kinds(source_type: str = "ledger", *, codes: Iterable[str] | None = None, active_only: bool = True) -> list[SourceKind]:
    """The kinds of ``source_type`` (only ``codes`` when given), in the owning app's order."""
    if source_type not in _types:
        return []
    return _types[source_type][1](codes, active_only)


def kind(code: str, source_type: str = "ledger") -> SourceKind | None:
    """The active kind ``code`` of ``source_type``, or None."""
    return next(iter(kinds(source_type, codes=[code])), None) if code else None
