"""What accounts does when the roster says something (org.events); connected in AccountsConfig.ready."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from xuebi.org import events
from xuebi.org.models import Person, User

from .services import accounts as services
from .backends import user_cache_key


@receiver(events.person_left, sender=Person, dispatch_uid="accounts.disable_leaver")
def disable_leaver(sender, *, person, actor=None, **kwargs):
    services.user_disable_for_leaving(actor=actor, person=person)


@receiver(post_save, sender=User, dispatch_uid="accounts.forget_cached_user_saved")
@receiver(post_delete, sender=User, dispatch_uid="accounts.forget_cached_user_deleted")
def forget_cached_user(sender, instance, **kwargs):
    """The signed-in user's cached row (backends.CachedUserMixin) goes whenever the row changes:
    at once, and again at commit (a request that read the old row meanwhile may have cached it)."""
    key = user_cache_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
