"""Reads for the 光荣在党50年纪念章: who qualifies by a cut-off (``party`` has the rules), with the
medal each has been given, and how many medals a subtree's units gave in a period (the annual
summary's figure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from xuebi.core import dates

from . import party
from .choices import PersonStatus, PoliticalStatus
from .models import MedalIssue, MedalKind, Person, Unit
from .scoping import subtree_q
from .selectors import label_units

__all__ = ["Candidate", "candidates", "medals_issued", "LIVING"]

LIVING = (PersonStatus.ACTIVE, PersonStatus.RETIRED)  # 调离: another unit's roster now; 去世: not living


@dataclass
class Candidate:
    person: Person
    counted_from: dt.date
    years: int
    medal: MedalIssue | None

    @property
    def unit_label(self) -> str:
        """The person's unit as lists name it (阿巴嘎旗委组织部 · 组织股), set by ``candidates``."""
        return getattr(self.person, "unit_label", self.person.unit.name)

    @property
    def full_member_text(self) -> str:
        return self.person.date_display("full_member_date")


def candidates(user, cutoff: dt.date, *, unit: Unit | None = None, issued: bool | None = None) -> list[Candidate]:
    """Living 中共党员 of the admin's reach whose 党龄 reaches 50 years by ``cutoff``, the earliest 转正
    first; ``unit``: within its subtree; ``issued``: only those given (True) or not yet given (False)."""
    people = (
        Person.objects.visible_to(user, "change")
        .filter(
            status__in=LIVING,
            political_status=PoliticalStatus.MEMBER,
            full_member_date__lte=party.latest_qualifying(cutoff),
        )
        .select_related("unit")
        .prefetch_related(
            Prefetch("medals", queryset=MedalIssue.objects.filter(kind=MedalKind.FIFTY_YEARS).select_related("unit"))
        )
        .order_by("full_member_date", "name_pinyin", "pk")
    )
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    found = []
    for person in people:
        precision = person.date_precision.get("full_member_date", dates.DAY)
        if not party.reaches(person.full_member_date, cutoff, precision):
            continue
        medal = next(iter(person.medals.all()), None)
        if issued is not None and (medal is not None) != issued:
            continue
        found.append(
            Candidate(
                person,
                party.counted_from(person.full_member_date, precision),
                party.party_years(person.full_member_date, cutoff, precision),
                medal,
            )
        )
    label_units([c.person for c in found])
    return found


def medals_issued(paths: list[str] | None, start: dt.date, end: dt.date) -> int:
    """光荣在党50年纪念章 given between ``start`` and ``end`` by the units of the subtrees of
    ``paths`` (None: the league) — the annual summary's 颁发纪念章N枚."""
    medals = MedalIssue.objects.filter(kind=MedalKind.FIFTY_YEARS, issued_on__range=(start, end))
    if paths is not None:
        medals = medals.filter(subtree_q(paths, "unit"))
    return medals.count()
