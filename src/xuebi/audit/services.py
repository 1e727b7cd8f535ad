"""Writing the audit log. Services call ``audit_record`` inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone, translation

from xuebi.core import bulk, context

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


@functools.cache
def _audited(model: type[models.Model], fields: tuple[str, ...], language: str | None) -> tuple[tuple[str, dict | None], ...]:
    """Each audited field's name and, for a field with choices, its labels as text."""
    found: Iterable[Any] = (model._meta.get_field(name) for name in fields)
    return tuple((f.name, {k: str(v) for k, v in _labels(f).items()} if f.choices and not f.is_relation else None) for f in found)


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audited fields of an object as plain JSON values (a foreign key as its text)."""
    data = {}
    for name, labels in _audited(type(obj), tuple(fields), translation.get_language()):
        value = getattr(obj, name)
        if labels is not None and value not in (None, ""):
            value = labels.get(value, value)
        data[name] = _plain(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


_SIMPLE = frozenset({str, int, bool, float, type(None)})


def _plain_deep(value: Any) -> Any:
    if type(value) in _SIMPLE:
        return value  # the common case, as _plain would return it
    if isinstance(value, dict):
        return {k: v if type(v) in _SIMPLE else _plain_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _SIMPLE else _plain_deep(v) for v in value]
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
    entry = _entry(
        action=action,
        target=target,
        changes=changes,
        outcome=outcome,
        actor=actor,
        actor_name=actor_name,
        target_repr=target_repr,
    )
    entry.save(force_insert=True)
    return entry


def _entry(
    *, action, target=None, changes=None, outcome=Outcome.SUCCESS, actor=None, actor_name="", target_repr=""
) -> AuditEntry:
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
    """One entry per (target, changes), written in a few multi-row INSERTs: for services that
    write many rows at once (opening a few hundred accounts, importing a roster), where an entry
    each would be a query each. The same entries ``audit_record`` would write, built as rows."""
    if not targets:
        return 0
    first = _entry(action=action, actor=actor)  # who, from where: the same for every entry
    now = timezone.now()
    names = [
        "at",
        "actor_id",
        "actor_name",
        "action",
        "outcome",
        "target_type",
        "target_id",
        "target_repr",
        "changes",
        "ip",
        "request_id",
        "user_agent",
    ]
    shared = (now, first.actor_id, first.actor_name, first.action, first.outcome)
    rows = [
        (
            *shared,
            target._meta.label_lower,
            str(target.pk) if target.pk is not None else "",
            mask_text(str(target))[:200],
            mask_changes(_plain_deep(changes or {})),
            first.ip,
            first.request_id,
            first.user_agent,
        )
        for target, changes in targets
    ]
    bulk.insert_rows(AuditEntry, names, rows)
    return len(rows)
