"""What the ledger tells the rest of the system. The points engine (and anything else that
counts approved work) connects receivers here; ledger code never imports its consumers.

The signals are sent inside the service's transaction, so a receiver's writes (points awarded,
points reversed) commit or roll back with the approval itself. ``RecordEvent`` rows hold the
same facts durably, so a consumer can also rebuild from them.

    record_approved(sender=Record, record, version, actor)
        the record's content at ``version`` now counts.
    record_withdrawn(sender=Record, record, version, actor, reason)
        what counted at ``version`` no longer does (reopened, or about to be replaced by an
        approved correction, which then sends record_approved for the new version).

One question goes the other way: what approving a record now would award (the record page's
预计积分). The consumer that knows registers the answer (``register_award_preview``, done by the
points app when it starts); the ledger asks ``award_preview(record)`` and gets nothing back when
no one has registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal

record_approved = Signal()
record_withdrawn = Signal()

_award_previews: list[Callable[[Any], list]] = []


def register_award_preview(answer: Callable[[Any], list]) -> None:
    """``answer(record)`` lists what approving ``record`` now would award: items with ``person_id``,
    ``points``, ``note`` and ``rule`` (a campaign rule, read for its indicator's name). Read only."""
    if answer not in _award_previews:
        _award_previews.append(answer)


def award_preview(record) -> list:
    """What approving ``record`` now would award, from every registered consumer."""
    return [item for answer in _award_previews for item in answer(record)]
