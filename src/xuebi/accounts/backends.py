"""Authentication backends whose ``get_user`` — run by every signed-in request — reads the user
from the shared cache (Redis), or from this process's copy, instead of the database.

The shared copy is the whole ``User`` row, kept for USER_CACHE_SECONDS and deleted whenever the
row is saved or deleted (``receivers.forget_cached_user``): disabling an account, a password
change or reset, a forced change, 2FA flags — all go through ``save()`` — take effect on the
very next request, on every app server. Only with a shared cache (``XUEBI_REDIS_URL``): with
Django's per-process cache one process could not tell the others that the row changed, so
without Redis the row is read from the database as before. Django still checks the session
against the password's hash on every request (``auth.get_user``), whichever copy is used.

This process's copy holds the row and the user's grants (``org.scoping.grants_of``), kept under
the access token the session store read with the session (``sessions.SessionStore``): any change
of an account, a grant, a person or a unit replaces the token (``org.scoping.access_changed``),
so a copy is used only while nothing it depends on has changed — on any app server. Each request
gets its own unpickled object (a request sets attributes on its user: the 2FA device, the backend).
"""

from __future__ import annotations

import contextvars
import pickle

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.signals import request_started

from xuebi.core import prefetch
from xuebi.org.scoping import grants_of

USER_CACHE_SECONDS = 300  # a safety net: every change of the row deletes the copy at once
LOCAL_USERS = 1000  # copies one process keeps (emptied when full)

# The access token the session store read with this request's session (None: none read, or none set).
access_token: contextvars.ContextVar[str | None] = contextvars.ContextVar("xuebi_access_token", default=None)
_copies: dict[int, tuple[str, bytes]] = {}  # user id → (token, pickled user with grants)


def _forget_token(**kwargs) -> None:
    access_token.set(None)
    prefetch.keep(None)


request_started.connect(_forget_token, dispatch_uid="accounts.forget_access_token")


def user_cache_key(user_id) -> str:
    return f"xuebi:auth-user:{user_id}"


class CachedUserMixin:
    def get_user(self, user_id):
        if not settings.XUEBI_SHARED_CACHE:
            return super().get_user(user_id)
        token = access_token.get()
        kept = _copies.get(user_id) if token is not None else None
        if kept is not None and kept[0] == token:
            user = pickle.loads(kept[1])
        else:
            key = user_cache_key(user_id)
            user = cache.get(key)
            if user is None:
                user = super().get_user(user_id)
                if user is None:
                    return None
                cache.set(key, user, USER_CACHE_SECONDS)
            if token is not None:
                user._state.fields_cache.clear()  # the row alone: a related person is read fresh
                grants_of(user)  # kept with the row: read once per token, not on every request
                if len(_copies) >= LOCAL_USERS:
                    _copies.clear()
                _copies[user_id] = (token, pickle.dumps(user, pickle.HIGHEST_PROTOCOL))
        # user_can_authenticate: a disabled account is refused, as ModelBackend.get_user does
        return user if self.user_can_authenticate(user) else None


class UserBackend(CachedUserMixin, ModelBackend):
    """Django's username/password backend, with the cached user."""
