"""What accounts does when the roster says something (org.events); connected in AccountsConfig.ready."""
from __future__ import annotations

from django.dispatch import receiver

from xuebi.org import events
from xuebi.org.models import Person

from . import services


@receiver(events.person_left, sender=Person, dispatch_uid="accounts.disable_leaver")
def disable_leaver(sender, *, person, actor=None, **kwargs):
    services.user_disable_for_leaving(actor=actor, person=person)
