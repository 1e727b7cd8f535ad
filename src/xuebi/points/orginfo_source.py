"""组工信息 as a source of points: a recorded adoption gives its authors what the rules' table says
(kind ``adoption``: a LOOKUP on the outlet, the length or both — 盟/长篇 — and, when a leader wrote
a 批示, kind ``instruction``: a LOOKUP on the 批示's level); undoing the adoption reverses them.
Adapts an ``Adoption`` to the engine's ``Source``; the orginfo app never imports points.

Both kinds share the source id (the adoption's pk): their rules differ, so the awards stay apart
under ``points_award_once``, and one ``engine.reverse`` takes both back."""

from __future__ import annotations

from django.dispatch import receiver

from xuebi.orginfo import events
from xuebi.orginfo.models import Adoption
from xuebi.orginfo.selectors import SOURCE_TYPE

from . import engine, recompute


def sources_from_adoption(adoption: Adoption) -> list[engine.Source]:
    item = adoption.item
    participants = tuple(
        engine.Participation(person_id=row.person_id, unit_id=row.unit_id, role="author") for row in item.author_rows.all()
    )
    common = {
        "type": SOURCE_TYPE,
        "id": str(adoption.pk),
        "version": 1,  # an adoption is never changed: a correction is an undo and a new adoption
        "occurred_on": adoption.adopted_on,
        "participants": participants,
    }
    made = [
        engine.Source(
            kind="adoption", label=f"组工信息采用（{adoption.key}）：{item.title}", data=adoption.source_data(), **common
        )
    ]
    if adoption.instruction:
        made.append(
            engine.Source(
                kind="instruction",
                label=f"组工信息{adoption.instruction_name}领导批示：{item.title}",
                data=adoption.instruction_data(),
                **common,
            )
        )
    return made


@receiver(events.adoption_recorded)
def _recorded(sender, adoption, actor, **kwargs):
    for source in sources_from_adoption(adoption):
        engine.award(source, actor=actor)


@receiver(events.adoption_undone)
def _undone(sender, adoption, actor, reason, **kwargs):
    engine.reverse(SOURCE_TYPE, str(adoption.pk), reason=reason, actor=actor)


def standing_adoptions(campaign) -> list[engine.Source]:
    """The adoptions' sources for a recomputation: every standing adoption dated within the campaign."""
    rows = (
        Adoption.objects.standing()
        .filter(adopted_on__range=(campaign.start_date, campaign.end_date))
        .select_related("item")
        .prefetch_related("item__author_rows")
    )
    return [source for adoption in rows.iterator(chunk_size=2000) for source in sources_from_adoption(adoption)]


recompute.register_source(SOURCE_TYPE, standing_adoptions)
