"""Recomputation after a rule changes: preview who gains and who loses, then apply.

Applying reverses every standing rule-based award of the campaign, starts a new generation and
awards every approved source again, oldest first, so caps apply in the order things happened.
Nothing is lost: the old awards and their reversals stay in the journal; manual adjustments
are untouched. The preview runs the very same code inside a transaction that is rolled back.

Sources come from providers registered by their clients (the ledger registers its approved
records in ``receivers.py``); the engine itself still knows only ``Source``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.campaign.models import Campaign
from xuebi.org.choices import Role
from xuebi.org.models import Person
from xuebi.org.scoping import has_role
from xuebi.org.selectors import unit_labels

from . import engine
from .models import EntryType, PersonTotal, PointEntry

__all__ = ["register_source", "preview", "apply"]

SOURCES: dict[str, Callable[[Campaign], Iterable[engine.Source]]] = {}


def register_source(source_type: str, provider: Callable[[Campaign], Iterable[engine.Source]]) -> None:
    """``provider(campaign)`` yields every approved or final source dated within the campaign."""
    SOURCES[source_type] = provider


class _Rollback(Exception):
    pass


def _totals(campaign: Campaign) -> dict[int, Decimal]:
    return dict(PersonTotal.objects.overall().filter(campaign=campaign).values_list("person_id", "total"))


def _recompute(campaign: Campaign, actor) -> None:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise ValidationError(f"活动“{campaign.name}”已结束，积分已定，不能重算。")
    standing = PointEntry.objects.filter(campaign=campaign, entry_type=EntryType.AWARD, reversed_by__isnull=True)
    engine.reverse_entries(standing, reason="积分规则调整后重算", actor=actor)
    campaign.points_generation += 1
    campaign.save(update_fields=["points_generation", "updated_at"])
    sources = [source for provider in SOURCES.values() for source in provider(campaign)]
    for source in sorted(sources, key=lambda s: (s.occurred_on, s.type, int(s.id) if s.id.isdigit() else 0, s.id)):
        engine.award(source, actor=actor)


def _require(actor) -> None:
    if not has_role(actor, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以重算积分。")


def _changes(before: dict[int, Decimal], after: dict[int, Decimal]) -> list[dict]:
    """Who changes, the biggest change first (gain or loss), each with the unit they are in now
    (labelled as lists label units: 阿巴嘎旗委组织部 · 组织股)."""
    ids = {pid for pid in before.keys() | after.keys() if before.get(pid, 0) != after.get(pid, 0)}
    people = list(Person.objects.filter(pk__in=ids).values_list("pk", "name", "unit__path", "unit__name", "unit__depth"))
    labels = unit_labels((path, unit, depth) for _pk, _name, path, unit, depth in people)
    found = {pk: (name, labels[path]) for pk, name, path, _unit, _depth in people}
    rows = [{"person_id": pid, "name": found.get(pid, ("", ""))[0], "unit": found.get(pid, ("", ""))[1],
             "before": before.get(pid, Decimal(0)), "after": after.get(pid, Decimal(0))} for pid in ids]
    for row in rows:
        row["change"] = row["after"] - row["before"]
    return sorted(rows, key=lambda r: (-abs(r["change"]), r["change"], r["name"], r["person_id"]))


def preview(*, actor, campaign: Campaign) -> list[dict]:
    """Who would gain and who would lose, by how much — nothing is written."""
    _require(actor)
    before = _totals(campaign)
    result: list[dict] = []
    try:
        with transaction.atomic():
            _recompute(campaign, actor)
            result = _changes(before, _totals(campaign))
            raise _Rollback
    except _Rollback:
        pass
    return result


@transaction.atomic
def apply(*, actor, campaign: Campaign) -> list[dict]:
    _require(actor)
    before = _totals(campaign)
    _recompute(campaign, actor)
    changes = _changes(before, _totals(campaign))
    audit_record(actor=actor, action=Action.POINTS_RECOMPUTE, target=campaign, changes={
        "people_changed": [None, len(changes)],
        "gained": [None, sum(1 for r in changes if r["change"] > 0)],
        "lost": [None, sum(1 for r in changes if r["change"] < 0)],
    })
    return changes
