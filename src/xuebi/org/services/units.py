"""Every write to units (the tree of the league's organisation departments and their sections).
Each service validates, runs in a transaction, checks the result is still in the writer's scope,
and writes the audit entry (STYLE.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot

from ..choices import PersonStatus
from ..models import Person, Unit
from ..permissions import require_in_scope
from ..scoping import access_changed

__all__ = ["unit_create", "unit_update", "unit_deactivate", "unit_activate"]

UNIT_AUDIT_FIELDS = ["name", "short_name", "kind", "code", "is_active"]


# --- units ----------------------------------------------------------------------------------


@transaction.atomic
def unit_create(*, actor, parent: Unit, name: str, kind: str, short_name: str = "", code: str = "") -> Unit:
    require_in_scope(actor, parent)
    parent = Unit.objects.select_for_update().get(pk=parent.pk)  # serialise sibling path allocation
    unit = Unit.objects.add_child(parent, instance=Unit(name=name, kind=kind, short_name=short_name, code=code))
    require_in_scope(actor, unit)
    audit_record(action=Action.UNIT_CREATE, target=unit, changes=diff({}, snapshot(unit, UNIT_AUDIT_FIELDS)))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    require_in_scope(actor, unit)
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
    from ..scoping import grants_of

    return {unit_id for _role, _path, unit_id in grants_of(user) if unit_id}


@transaction.atomic
def unit_deactivate(*, actor, unit: Unit) -> Unit:
    require_in_scope(actor, unit)
    if unit.pk in _own_top_units(actor):
        raise ValidationError("不能停用您本人被授权管理的单位。")
    if unit.is_root():
        raise ValidationError("不能停用最上级单位。")
    subtree = Unit.objects.get_tree(unit)
    active_people = Person.objects.filter(unit__in=subtree, status=PersonStatus.ACTIVE).count()
    if active_people:
        raise ValidationError(f"该单位及其下级单位仍有{active_people}名在职人员，请先调出或停用人员。")
    Unit.objects.filter(pk__in=subtree.values("pk")).update(is_active=False)
    access_changed()  # an update sends no post_save: the unit boards show active units only
    unit.refresh_from_db()
    audit_record(action=Action.UNIT_DEACTIVATE, target=unit, changes={"is_active": [True, False]})
    return unit


@transaction.atomic
def unit_activate(*, actor, unit: Unit) -> Unit:
    require_in_scope(actor, unit)
    parent = Unit.objects.get_parent(unit)
    if parent is not None and not parent.is_active:
        raise ValidationError("上级单位已停用，请先启用上级单位。")
    unit.is_active = True
    unit.save(update_fields=["is_active", "updated_at"])
    audit_record(action=Action.UNIT_UPDATE, target=unit, changes={"is_active": [False, True]})
    return unit


# --- people ---------------------------------------------------------------------------------
