"""清单事项 as a source of points: an item accepted as done (销号) gives its responsible person what
the campaign's rules say for its list (kind ``task``, ``duty``, ``supervision``, ``pledge``), a
LOOKUP rule able to tell 按时完成 from 逾期完成, the 督办 level and the priority — so a department
that scores late work lower, or not at all, says so in a rule. Adapts an ``Item`` to the engine's
``Source``; the checklists app never imports points."""

from __future__ import annotations

from django.dispatch import receiver

from xuebi.checklists import events
from xuebi.checklists.models import Item, Status, source_data

from . import engine, recompute

SOURCE_TYPE = "checklist"


def source_from_item(item: Item) -> engine.Source | None:
    person = item.responsible_person
    if person is None or item.closed_on is None:
        return None  # an item no person answered for earns nobody points
    return engine.Source(
        type=SOURCE_TYPE,
        id=str(item.pk),
        version=1,  # an accepted item is never reopened
        kind=item.kind,
        occurred_on=item.closed_on,
        label=f"{item.get_kind_display()}：{item.title}",
        data=source_data(item),
        participants=(engine.Participation(person_id=person.pk, unit_id=person.unit_id, role="author"),),
    )


@receiver(events.item_closed)
def _closed(sender, item, actor, **kwargs):
    source = source_from_item(Item.objects.select_related("responsible_person").get(pk=item.pk))
    if source is not None:
        engine.award(source, actor=actor)


def closed_items(campaign) -> list[engine.Source]:
    """The items' sources for a recomputation: every item accepted within the campaign."""
    rows = Item.objects.filter(status=Status.DONE, closed_on__range=(campaign.start_date, campaign.end_date)).select_related(
        "responsible_person"
    )
    return [source for item in rows.iterator(chunk_size=2000) if (source := source_from_item(item)) is not None]


recompute.register_source(SOURCE_TYPE, closed_items)
