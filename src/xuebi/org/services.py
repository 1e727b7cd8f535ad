"""Every write to units and people. Each service validates, runs in a transaction, checks the
result is still in the writer's scope, and writes the audit entry (STYLE.md)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot

from .choices import PersonStatus
from . import events
from .models import Person, Unit, UnitMembership

__all__ = [
    "unit_create", "unit_update", "unit_deactivate", "unit_activate",
    "person_create", "person_update", "person_deactivate", "person_reveal",
]

UNIT_AUDIT_FIELDS = ["name", "short_name", "kind", "code", "is_active"]
PERSON_AUDIT_FIELDS = [
    "name", "sex", "ethnicity", "birth_date", "id_number_masked", "phone", "unit", "position", "rank",
    "education", "political_status", "joined_party_date", "full_member_date", "work_start_date",
    "is_org_cadre", "status", "date_precision",
]


def _require_in_scope(user, obj, action: str = "change") -> None:
    """Inside the transaction, after the write: the object must still be in the writer's scope.

    This is what stops a unit admin from moving a person (or a unit) out of their own subtree.
    """
    model = type(obj)
    if not model.objects.visible_to(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("超出您的管理范围。")


# --- units ----------------------------------------------------------------------------------

@transaction.atomic
def unit_create(*, actor, parent: Unit, name: str, kind: str, short_name: str = "", code: str = "") -> Unit:
    _require_in_scope(actor, parent)
    parent = Unit.objects.select_for_update().get(pk=parent.pk)  # serialise sibling path allocation
    unit = Unit.objects.add_child(parent, instance=Unit(name=name, kind=kind, short_name=short_name, code=code))
    _require_in_scope(actor, unit)
    audit_record(action=Action.UNIT_CREATE, target=unit, changes=diff({}, snapshot(unit, UNIT_AUDIT_FIELDS)))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    _require_in_scope(actor, unit)
    before = snapshot(unit, UNIT_AUDIT_FIELDS)
    for name, value in fields.items():
        if name not in {"name", "short_name", "kind", "code"}:
            raise ValueError(f"unit_update does not change {name}")
        setattr(unit, name, value)
    unit.save()
    changes = diff(before, snapshot(unit, UNIT_AUDIT_FIELDS))
    if changes:
        audit_record(action=Action.UNIT_UPDATE, target=unit, changes=changes)
    return unit


def _own_top_units(user) -> set[int]:
    from .scoping import grants_of

    return {unit_id for _role, _path, unit_id in grants_of(user) if unit_id}


@transaction.atomic
def unit_deactivate(*, actor, unit: Unit) -> Unit:
    _require_in_scope(actor, unit)
    if unit.pk in _own_top_units(actor):
        raise ValidationError("不能停用您本人被授权管理的单位。")
    if unit.is_root():
        raise ValidationError("不能停用最上级单位。")
    subtree = Unit.objects.get_tree(unit)
    active_people = Person.objects.filter(unit__in=subtree, status=PersonStatus.ACTIVE).count()
    if active_people:
        raise ValidationError(f"该单位及其下级单位仍有{active_people}名在职人员，请先调出或停用人员。")
    Unit.objects.filter(pk__in=subtree.values("pk")).update(is_active=False)
    unit.refresh_from_db()
    audit_record(action=Action.UNIT_DEACTIVATE, target=unit, changes={"is_active": [True, False]})
    return unit


@transaction.atomic
def unit_activate(*, actor, unit: Unit) -> Unit:
    _require_in_scope(actor, unit)
    parent = Unit.objects.get_parent(unit)
    if parent is not None and not parent.is_active:
        raise ValidationError("上级单位已停用，请先启用上级单位。")
    unit.is_active = True
    unit.save(update_fields=["is_active", "updated_at"])
    audit_record(action=Action.UNIT_UPDATE, target=unit, changes={"is_active": [False, True]})
    return unit


# --- people ---------------------------------------------------------------------------------

def _apply(person: Person, values: dict) -> None:
    values = dict(values)
    number = values.pop("id_number", None)
    if number is not None:
        person.set_id_number(number)
    for name, value in values.items():
        setattr(person, name, value)


@transaction.atomic
def person_create(*, actor, values: dict, start_date: dt.date | None = None) -> Person:
    """Create a roster entry from PersonForm.person_values(); the unit must be in the actor's scope."""
    person = Person()
    _apply(person, values)
    person.save()
    _require_in_scope(actor, person)
    UnitMembership.objects.create(person=person, unit=person.unit, start_date=start_date or timezone.localdate())
    audit_record(action=Action.PERSON_CREATE, target=person, changes=diff({}, snapshot(person, PERSON_AUDIT_FIELDS)))
    return person


@transaction.atomic
def person_update(*, actor, person: Person, values: dict, move_date: dt.date | None = None) -> Person:
    """Change a roster entry. A change of unit closes the old membership and opens a new one,
    so history (and later the points) stays with the unit of the time."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_in_scope(actor, person)
    before = snapshot(person, PERSON_AUDIT_FIELDS)
    old_unit_id = person.unit_id
    _apply(person, values)
    person.save()
    _require_in_scope(actor, person)
    if person.unit_id != old_unit_id:
        _move(person, move_date or timezone.localdate())
        events.person_moved.send(sender=Person, person=person, old_unit_id=old_unit_id)
    changes = diff(before, snapshot(person, PERSON_AUDIT_FIELDS))
    if changes:
        action = Action.PERSON_MOVE if set(changes) == {"unit"} else Action.PERSON_UPDATE
        audit_record(action=action, target=person, changes=changes)
    return person


def _move(person: Person, on: dt.date) -> None:
    current = UnitMembership.objects.filter(person=person, end_date__isnull=True).first()
    if current is not None:
        if current.start_date >= on:
            # Moved again the same day (or a correction): the short membership is replaced.
            current.delete()
        else:
            current.end_date = on - dt.timedelta(days=1)
            current.save(update_fields=["end_date"])
    UnitMembership.objects.create(person=person, unit=person.unit, start_date=on)


@transaction.atomic
def person_deactivate(*, actor, person: Person, status: str) -> Person:
    if status == PersonStatus.ACTIVE or status not in PersonStatus.values:
        raise ValidationError("请选择停用原因（退休、调离或去世）。")
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require_in_scope(actor, person)
    before = person.get_status_display()
    person.status = status
    person.save(update_fields=["status", "updated_at"])
    UnitMembership.objects.filter(person=person, end_date__isnull=True).update(end_date=timezone.localdate())
    audit_record(action=Action.PERSON_DEACTIVATE, target=person, changes={"status": [before, person.get_status_display()]})
    events.person_left.send(sender=Person, person=person, actor=actor)
    return person


REVEALABLE = {"id_number": "身份证号", "phone": "手机号码"}


@transaction.atomic
def person_reveal(*, actor, person: Person, field: str) -> str:
    """Show a masked field in full to a role that needs it; every reveal is audited."""
    if field not in REVEALABLE:
        raise ValueError(field)
    if not Person.objects.visible_to(actor, "reveal").filter(pk=person.pk).exists():
        raise PermissionDenied("您无权查看该信息。")
    audit_record(action=Action.PERSON_REVEAL, target=person, changes={"field": REVEALABLE[field]})
    return person.id_number if field == "id_number" else person.phone
