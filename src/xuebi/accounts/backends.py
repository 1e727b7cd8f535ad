"""Authentication backends whose ``get_user`` — run by every signed-in request — reads the user
from the shared cache (Redis) instead of the database.

The cached copy is the whole ``User`` row, kept for USER_CACHE_SECONDS and deleted whenever the
row is saved or deleted (``receivers.forget_cached_user``): disabling an account, a password
change or reset, a forced change, 2FA flags — all go through ``save()`` — take effect on the
very next request, on every app server. Only with a shared cache (``XUEBI_REDIS_URL``): with
Django's per-process cache one process could not tell the others that the row changed, so
without Redis the row is read from the database as before. Django still checks the session
against the password's hash on every request (``auth.get_user``), whichever copy is used.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

USER_CACHE_SECONDS = 300  # a safety net: every change of the row deletes the copy at once


def user_cache_key(user_id) -> str:
    return f"xuebi:auth-user:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        if not settings.XUEBI_SHARED_CACHE:
            return super().get_user(user_id)
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            cache.set(key, user, USER_CACHE_SECONDS)
        # user_can_authenticate: a disabled account is refused, as ModelBackend.get_user does
        return user if self.user_can_authenticate(user) else None


class UserBackend(CachedUserMixin, ModelBackend):
    """Django's username/password backend, with the cached user."""
