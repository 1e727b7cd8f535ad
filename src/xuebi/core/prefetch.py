"""Shared-cache keys read with the session, in its one round trip (``accounts.sessions``): an app
registers the keys a signed-in page will want (``register``), and reads what was found
(``found``) instead of asking Redis again. Used only with a shared cache (``XUEBI_REDIS_URL``)."""

from __future__ import annotations

import contextvars

KEYS: list[str] = []
_found: contextvars.ContextVar[dict | None] = contextvars.ContextVar("xuebi_prefetched", default=None)


def register(*keys: str) -> None:
    KEYS.extend(key for key in keys if key not in KEYS)


def found() -> dict | None:
    """The registered keys as read with this request's session (absent keys left out), or None
    when no session was read in this request."""
    return _found.get()


def keep(values: dict | None) -> None:
    _found.set(values)
