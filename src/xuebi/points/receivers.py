"""The ledger as the engine's first client: approved records award points, withdrawn approvals
reverse them. This module adapts a ``Record`` to the engine's ``Source``; the engine itself
never imports the ledger."""

from __future__ import annotations

import dataclasses

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from xuebi.ledger import events
from xuebi.ledger.models import Record

from xuebi.org.events import person_moved

from xuebi.campaign.models import Campaign, Indicator

from . import engine, readmodel, recompute
from .models import StandingSnapshot

SOURCE_TYPE = "ledger"


def source_from_record(record: Record) -> engine.Source:
    participants = tuple(
        engine.Participation(person_id=p.person_id, unit_id=p.unit_id, role=p.role, hours=p.hours)
        for p in sorted(record.participants.all(), key=lambda p: p.pk)
    )
    return engine.Source(
        type=SOURCE_TYPE,
        id=str(record.pk),
        version=record.version,
        kind=record.kind.code,
        occurred_on=record.occurred_on,
        label=f"{record.kind.name}：{record.title}",
        data=record.data,
        participants=participants,
    )


def preview_award(record: Record) -> list[engine.Preview]:
    """What approving ``record`` now would award (read only; see ``engine.preview``)."""
    source = source_from_record(record)
    version = record.version if record.status == "approved" else record.version + 1
    return engine.preview(dataclasses.replace(source, version=version))


@receiver(events.record_approved)
def _approved(sender, record, version, actor, **kwargs):
    engine.award(source_from_record(record), actor=actor)


@receiver(person_moved)
def _moved(sender, person, old_unit_id, **kwargs):
    readmodel.move_person(person.pk)


@receiver(events.record_withdrawn)
def _withdrawn(sender, record, version, actor, reason, **kwargs):
    engine.reverse(SOURCE_TYPE, str(record.pk), reason=reason, actor=actor, version=version)


def approved_records(campaign) -> list[engine.Source]:
    """The ledger's sources for a recomputation: its approved records dated within the campaign."""
    records = (
        Record.objects.filter(status="approved", occurred_on__range=(campaign.start_date, campaign.end_date))
        .select_related("kind")
        .prefetch_related("participants")
    )
    return [source_from_record(record) for record in records.iterator(chunk_size=2000)]


recompute.register_source(SOURCE_TYPE, approved_records)
events.register_award_preview(preview_award)


def _board_data_changed(sender, **kwargs):
    """An indicator, a campaign or a month-end snapshot changed: the kept board version is out of
    date (``readmodel.data_changed``; journal rows renew it in ``readmodel.apply``)."""
    readmodel.data_changed()


for _model in (Indicator, Campaign, StandingSnapshot):
    post_save.connect(_board_data_changed, sender=_model, dispatch_uid=f"points.board_data_saved.{_model.__name__}")
    post_delete.connect(_board_data_changed, sender=_model, dispatch_uid=f"points.board_data_deleted.{_model.__name__}")
