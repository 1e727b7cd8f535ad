"""The evidence registry: what the system fills into a person's 考核表 so the leader grades with facts.

A provider is a function ``provider(person_ids, start, end) -> {person_id: [Row, ...]}``: the rows of each
person for the period (dates inclusive). People without rows may be left out of the answer. A provider should
answer for all the people at once, in one or two queries (a unit's sheet of 50 people asks every provider once,
not once a person: bench/assessments.py). Register it once, at start-up, under a short name:

    from xuebi.assessments import evidence
    evidence.register("checklists", provider, label="清单事项", order=60)

``label`` heads the provider's rows on the sheet; ``order`` places it among the others (the built-ins use 10–50,
``providers.py``). A ``Row`` has a ``text`` shown to the leader and optionally a ``value`` (a number the
评优评先 basis may weigh, e.g. points or a completion rate) and a ``link`` (a path to the source). Registering a
name again replaces the provider (a reload in development); ``unregister`` is for tests.

Apps below ``assessments`` in the layers (.importlinter) cannot import this module: their provider is a plain
function in their own selectors, and ``assessments/providers.py`` registers it (one import, one line).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Row", "Provider", "register", "unregister", "providers", "gather"]


@dataclass(frozen=True)
class Row:
    text: str
    value: Decimal | None = None
    link: str = ""


Provider = Callable[[list[int], dt.date, dt.date], dict[int, list[Row]]]


@dataclass(frozen=True)
class Registered:
    name: str
    label: str
    order: int
    provider: Provider


_REGISTRY: dict[str, Registered] = {}


def register(name: str, provider: Provider, *, label: str, order: int = 100) -> None:
    _REGISTRY[name] = Registered(name=name, label=label, order=order, provider=provider)


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def providers() -> list[Registered]:
    return sorted(_REGISTRY.values(), key=lambda r: (r.order, r.name))


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    rows: list[Row]


def gather(
    person_ids: Iterable[int], start: dt.date, end: dt.date, *, only: Iterable[str] | None = None
) -> dict[int, list[Section]]:
    """Every registered provider's rows (or those named in ``only``) for these people and dates: {person_id:
    [Section, ...]} in the providers' order; a provider with no row for a person still gives an (empty) section,
    so every sheet has the same headings."""
    ids = list(person_ids)
    names = set(only) if only is not None else None
    found: dict[int, list[Section]] = {pk: [] for pk in ids}
    for reg in providers():
        if names is not None and reg.name not in names:
            continue
        answer = reg.provider(ids, start, end) if ids else {}
        for pk in ids:
            found[pk].append(Section(name=reg.name, label=reg.label, rows=list(answer.get(pk, []))))
    return found
