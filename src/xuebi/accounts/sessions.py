"""The session engine with a shared cache (``XUEBI_REDIS_URL``): Django's ``cached_db`` — written
through to the database, read from Redis — whose read also fetches the access token
(``org.scoping.ACCESS_KEY``) in the same round trip, so that ``backends.CachedUserMixin`` can use
this process's copy of the user and their grants without asking Redis again: a signed-in request
costs one round trip to Redis and none to the database. The keys other apps registered with
``core.prefetch`` (the points read model's version) come in the same round trip."""

from __future__ import annotations

import uuid

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

from xuebi.core import prefetch
from xuebi.org.scoping import ACCESS_KEY

from .backends import access_token


class SessionStore(CachedDBStore):
    def load(self):
        try:
            found = self._cache.get_many([self.cache_key, ACCESS_KEY, *(k for k in prefetch.KEYS if k != ACCESS_KEY)])
        except Exception:  # as Django's: a backend refusing the key resets the session
            found = {}
        prefetch.keep({key: found[key] for key in prefetch.KEYS if key in found})
        token = found.get(ACCESS_KEY)
        if token is None:  # never set, or evicted: a new one, unless another request set one meanwhile
            token = uuid.uuid4().hex
            if not self._cache.add(ACCESS_KEY, token, None):
                token = None
        access_token.set(token)
        data = found.get(self.cache_key)
        if data is None:
            stored = self._get_session_from_db()
            if stored:
                data = self.decode(stored.session_data)
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
            else:
                data = {}
        return data
