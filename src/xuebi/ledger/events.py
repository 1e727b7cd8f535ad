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
"""
from django.dispatch import Signal

record_approved = Signal()
record_withdrawn = Signal()
