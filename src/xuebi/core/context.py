"""Who is acting, from where, in which request — for services that must not be handed the request.

The middleware sets it for a web request; commands and tests may set it with ``acting_as``.
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestContext:
    user: Any = None
    ip: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    user_agent: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("xuebi_request_context", default=None)


def current() -> RequestContext:
    ctx = _current.get()
    return ctx if ctx is not None else RequestContext()


def set_context(ctx: RequestContext):
    return _current.set(ctx)


def reset_context(token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def acting_as(user=None, *, ip: str = "", request_id: str | None = None):
    """Run a block as ``user`` (management commands, imports run off-request, tests)."""
    token = _current.set(RequestContext(user=user, ip=ip, request_id=request_id or uuid.uuid4().hex))
    try:
        yield
    finally:
        _current.reset(token)
