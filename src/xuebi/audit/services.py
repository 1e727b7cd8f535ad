"""Writing the audit log. Services call ``audit_record`` inside their own transaction."""
from __future__ import annotations

import datetime as dt
import decimal
import functools
from typing import Any

from django.db import models

from xuebi.core import context

from .masking import mask_changes, mask_text
from .models import Action, AuditEntry, Outcome

__all__ = ["audit_record", "audit_record_many", "diff", "snapshot"]


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


@functools.cache
def _labels(field) -> dict:
    """A field's choices as {value: label}, built once (get_FOO_display builds it on every call)."""
    return dict(field.flatchoices)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audited fields of an object as plain JSON values (a foreign key as its text)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if field.choices and not field.is_relation:
            value = str(_labels(field).get(value, value)) if value not in (None, "") else value
        data[name] = _plain(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _plain_deep(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool, float):
        return value  # the common case, as _plain would return it
    if isinstance(value, dict):
        return {k: _plain_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_deep(v) for v in value]
    return _plain(value)


def audit_record(
    *,
    action: Action | str,
    target: models.Model | None = None,
    changes: dict | None = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    actor=None,
    actor_name: str = "",
    target_repr: str = "",
) -> AuditEntry:
    entry = _entry(action=action, target=target, changes=changes, outcome=outcome, actor=actor,
                   actor_name=actor_name, target_repr=target_repr)
    entry.save(force_insert=True)
    return entry


def _entry(*, action, target=None, changes=None, outcome=Outcome.SUCCESS, actor=None, actor_name="",
           target_repr="") -> AuditEntry:
    ctx = context.current()
    actor = actor if actor is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor is not None else ""),
        action=action,
        outcome=outcome,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=mask_text(target_repr or (str(target) if target is not None else ""))[:200],
        # 身份证号 and phone numbers are kept masked, never in full (masking.py).
        changes=mask_changes(_plain_deep(changes or {})),
        ip=ctx.ip,
        request_id=ctx.request_id,
        user_agent=ctx.user_agent,
    )


def audit_record_many(*, action: Action | str, targets: list[tuple[models.Model, dict]], actor=None) -> int:
    """One entry per (target, changes), written in one INSERT: for services that write many rows
    at once (opening a few hundred accounts, importing a roster), where an entry each would be a
    query each."""
    entries = [_entry(action=action, target=target, changes=changes, actor=actor) for target, changes in targets]
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)
