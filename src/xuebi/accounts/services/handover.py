"""Handing over a batch's initial passwords, once (开通通知单 and the .xlsx).

The passwords exist in clear only in the confirming request. For the two downloads that follow,
they are kept in the 系统管理员's own session, encrypted with the field key (core.crypto), for at
most HANDOVER_MINUTES: each form (xlsx, slips) can be taken once, and when both are taken — or the
time is up, or the session ends — the passwords are gone. Only the batch's summary stays, so a
second visit can say "已交接，只能重置密码". Why the session: it is the one place tied to the person
who opened the accounts, it needs no table, and it ends with their sign-out.
"""

from __future__ import annotations

import json
import secrets
import time

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import crypto

from .opening import OpenedAccount

SESSION_KEY = "accounts_handover"
HANDOVER_MINUTES = 30
FORMS = ("xlsx", "slips")


def stash(session, opened: list[OpenedAccount]) -> str:
    batch = secrets.token_urlsafe(9)
    rows = [[a.name, a.unit, a.username, a.password] for a in opened]
    store = _live(session)
    store[batch] = {"at": time.time(), "count": len(rows), "taken": [], "data": crypto.encrypt(json.dumps(rows))}
    session[SESSION_KEY] = store
    return batch


def _live(session) -> dict:
    """The session's batches, with passwords past their time dropped (the summaries stay)."""
    store = dict(session.get(SESSION_KEY) or {})
    now = time.time()
    for entry in store.values():
        if "data" in entry and now - entry["at"] > HANDOVER_MINUTES * 60:
            del entry["data"]
    return store


def status(session, batch: str) -> dict | None:
    """{"count", "taken": [...], "available": bool} or None for a batch this session never had."""
    entry = _live(session).get(batch)
    if entry is None:
        return None
    return {"count": entry["count"], "taken": entry["taken"], "available": "data" in entry}


def take(session, batch: str, form: str, *, actor) -> list[list[str]] | None:
    """The batch's rows [name, unit, username, password] for one form, once; None when gone.
    Audited (which form, how many accounts, which usernames — never a password)."""
    assert form in FORMS
    store = _live(session)
    entry = store.get(batch)
    if entry is None or "data" not in entry or form in entry["taken"]:
        session[SESSION_KEY] = store
        return None
    rows = json.loads(crypto.decrypt(entry["data"]))
    entry["taken"].append(form)
    if set(entry["taken"]) >= set(FORMS):
        del entry["data"]
    session[SESSION_KEY] = store
    audit_record(
        action=Action.ACCOUNTS_HANDOVER,
        actor=actor,
        target_repr=f"开通批次 {batch}",
        changes={
            "form": {"xlsx": "Excel 表", "slips": "开通通知单"}[form],
            "count": len(rows),
            "usernames": [r[2] for r in rows],
        },
    )
    return rows


def finish(session, batch: str) -> None:
    """Drop the passwords now (the 系统管理员 says the handover is done)."""
    store = _live(session)
    if batch in store:
        store[batch].pop("data", None)
    session[SESSION_KEY] = store
