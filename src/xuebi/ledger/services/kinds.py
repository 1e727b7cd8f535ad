"""Writes to record kinds. A change to a kind's fields is a new version; records keep theirs."""

from __future__ import annotations

from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot

from ..models import RecordKind, RecordKindVersion
from ..schema import validate_definitions

__all__ = ["kind_create", "kind_update", "KIND_ATTRS"]

KIND_ATTRS = [
    "code",
    "name",
    "dimension",
    "description",
    "participation",
    "evidence_required",
    "review_required",
    "attendee_hours",
    "has_study_level",
    "is_active",
    "sort_order",
]


@transaction.atomic
def kind_create(*, actor, fields: list[dict], **attrs) -> RecordKind:
    definitions = validate_definitions(fields)
    kind = RecordKind(**{k: v for k, v in attrs.items() if k in KIND_ATTRS}, fields=definitions, version=1)
    kind.full_clean(exclude=["fields"])
    kind.save()
    RecordKindVersion.objects.create(kind=kind, version=1, fields=definitions, created_by=actor)
    audit_record(
        actor=actor,
        action=Action.KIND_CREATE,
        target=kind,
        changes=diff({}, {**snapshot(kind, KIND_ATTRS), "fields": definitions}),
    )
    return kind


@transaction.atomic
def kind_update(*, actor, kind: RecordKind, fields: list[dict] | None = None, **attrs) -> RecordKind:
    kind = RecordKind.objects.select_for_update().get(pk=kind.pk)
    before = {**snapshot(kind, KIND_ATTRS), "fields": kind.fields}
    for name, value in attrs.items():
        if name not in KIND_ATTRS:
            raise ValueError(f"kind_update does not change {name}")
        setattr(kind, name, value)
    if fields is not None:
        definitions = validate_definitions(fields)
        if definitions != kind.fields:
            kind.version += 1
            kind.fields = definitions
            RecordKindVersion.objects.create(kind=kind, version=kind.version, fields=definitions, created_by=actor)
    kind.full_clean(exclude=["fields"])
    kind.save()
    changes = diff(before, {**snapshot(kind, KIND_ATTRS), "fields": kind.fields})
    if changes:
        audit_record(actor=actor, action=Action.KIND_UPDATE, target=kind, changes=changes)
    return kind


def current_schema(kind: RecordKind) -> RecordKindVersion:
    return RecordKindVersion.objects.get(kind=kind, version=kind.version)
