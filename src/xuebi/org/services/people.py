"""Every write to people (the roster's rows). Each service validates, runs in a transaction, checks the
result is still in the writer's scope, and writes the audit entry (STYLE.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, audit_record_many, diff, snapshot
from xuebi.core import bulk

from .. import events
from ..choices import PersonStatus
from ..models import Person, Unit, UnitMembership
from ..permissions import require_in_scope
from ..scoping import access_changed

__all__ = [
    "person_create",
    "person_update",
    "people_write",
    "person_deactivate",
    "person_reveal",
]

PERSON_AUDIT_FIELDS = [
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number_masked",
    "phone",
    "unit",
    "position",
    "rank",
    "education",
    "political_status",
    "joined_party_date",
    "full_member_date",
    "work_start_date",
    "is_org_cadre",
    "status",
    "date_precision",
]


def _apply(person: Person, values: dict) -> None:
    values = dict(values)
    number = values.pop("id_number", None)
    if number is not None:
        person.set_id_number(number)
    for name, value in values.items():
        setattr(person, name, value)


def person_create(*, actor, values: dict, start_date: dt.date | None = None) -> Person:
    """Create a roster entry from PersonForm.person_values(); the unit must be in the actor's scope."""
    created, _updated = people_write(actor=actor, creates=[values], on=start_date)
    return created[0]


def person_update(*, actor, person: Person, values: dict, move_date: dt.date | None = None) -> Person:
    """Change a roster entry. A change of unit closes the old membership and opens a new one,
    so history (and later the points) stays with the unit of the time."""
    _created, updated = people_write(actor=actor, updates=[(person, values)], on=move_date)
    return updated[0]


def _unit_label(unit_id: int) -> str:
    unit = Unit.objects.get(pk=unit_id)
    parent = Unit.objects.get_parent(unit)
    return f"{parent.name}/{unit.name}" if parent else unit.name


_CHUNK = 500  # ids per IN (…): well inside SQLite's and PostgreSQL's limits on parameters


def chunks(items: list, size: int = _CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


@transaction.atomic
def people_write(
    *, actor, creates: Sequence[dict] = (), updates: Sequence[tuple[Person, dict]] = (), on: dt.date | None = None
) -> tuple[list[Person], list[Person]]:
    """Create and change many roster entries in a bounded number of queries (a roster import
    of 10,000 rows is a few dozen statements, not ten per row); one person is the same path.

    Each person is audited; a move closes the old membership and opens one in the new unit and
    sends ``person_moved``; a change of status away from 在职 closes the membership and sends
    ``person_left`` — as person_update and person_deactivate do. Every unit written to must be
    in the actor's scope, checked inside the transaction (STYLE.md)."""
    on = on or timezone.localdate()
    now = timezone.now()
    audits: list[tuple[str, Person, dict]] = []

    # Lock and re-read the people to change; each must be in scope before and after.
    pks = [p.pk for p, _v in updates]
    locked: dict[int, Person] = {}
    for chunk in chunks(pks):
        locked.update((p.pk, p) for p in Person.objects.select_for_update().filter(pk__in=chunk))
    visible = set()
    for chunk in chunks(pks):
        visible.update(Person.objects.visible_to(actor, "change").filter(pk__in=chunk).values_list("pk", flat=True))
    if len(visible) != len(set(pks)):
        raise PermissionDenied("超出您的管理范围。")

    new_people = []
    for values in creates:
        person = Person()
        _apply(person, values)
        person.fill_pinyin()
        new_people.append(person)
    changed, moved, left, returned, fields = [], [], [], [], set()
    for original, values in updates:
        person = locked[original.pk]
        before = snapshot(person, PERSON_AUDIT_FIELDS)
        old_unit_id, old_status = person.unit_id, person.status
        _apply(person, values)
        changes = diff(before, snapshot(person, PERSON_AUDIT_FIELDS))
        if person.unit_id != old_unit_id and "unit" not in changes:
            # Two units of one name (every county has its 组织股): the audit names their parents.
            changes["unit"] = [_unit_label(old_unit_id), _unit_label(person.unit_id)]
        if not changes:
            continue
        person.fill_pinyin()
        person.updated_at = now
        fields.update(values.keys() - {"id_number"})
        if "id_number" in values:
            fields.update({"id_number_encrypted", "id_number_hash", "id_number_masked"})
        changed.append(person)
        if person.unit_id != old_unit_id:
            moved.append((person, old_unit_id))
        if old_status == PersonStatus.ACTIVE and person.status != PersonStatus.ACTIVE:
            left.append(person)
        elif old_status != PersonStatus.ACTIVE and person.status == PersonStatus.ACTIVE and person.unit_id == old_unit_id:
            returned.append(person)  # back in service: a membership opens again
        if set(changes) == {"unit"}:
            action = Action.PERSON_MOVE
        elif set(changes) == {"status"} and person in left:
            action = Action.PERSON_DEACTIVATE
        else:
            action = Action.PERSON_UPDATE
        audits.append((action, person, changes))

    units = {p.unit_id for p in new_people} | {p.unit_id for p in changed}
    if units and Unit.objects.visible_to(actor, "change").filter(pk__in=units).count() != len(units):
        raise PermissionDenied("超出您的管理范围。")
    bulk.insert(Person, new_people)
    if changed:
        fields.update({"name_pinyin", "name_initials", "updated_at"})
        Person.objects.bulk_update(changed, sorted(fields), batch_size=_CHUNK)
    if new_people or changed:
        access_changed()  # bulk writes send no post_save: a cadre's derived role, the boards' headcounts

    # Memberships: the old ones of movers and leavers close, the new ones open.
    for chunk in chunks([p.pk for p, _old in moved]):
        open_ = UnitMembership.objects.filter(person__in=chunk, end_date__isnull=True)
        # Moved again the same day (or a correction): the short membership is replaced.
        open_.filter(start_date__gte=on).delete()
        open_.filter(start_date__lt=on).update(end_date=on - dt.timedelta(days=1))
    for chunk in chunks([p.pk for p in left]):
        UnitMembership.objects.filter(person__in=chunk, end_date__isnull=True).update(end_date=on)
    opening = new_people + [p for p, _old in moved] + returned
    bulk.insert_rows(
        UnitMembership,
        ["person_id", "unit_id", "start_date", "end_date"],
        [(p.pk, p.unit_id, on, None if p.status == PersonStatus.ACTIVE else on) for p in opening],
    )
    audits[:0] = [(Action.PERSON_CREATE, p, diff({}, snapshot(p, PERSON_AUDIT_FIELDS))) for p in new_people]
    for kind in dict.fromkeys(a for a, _p, _c in audits):  # one INSERT (in batches) per kind of change
        audit_record_many(action=kind, targets=[(p, c) for a, p, c in audits if a == kind])
    for person, old_unit_id in moved:
        events.person_moved.send(sender=Person, person=person, old_unit_id=old_unit_id)
    for person in left:
        events.person_left.send(sender=Person, person=person, actor=actor)
    return new_people, [locked[p.pk] for p, _v in updates]


@transaction.atomic
def person_deactivate(*, actor, person: Person, status: str) -> Person:
    if status == PersonStatus.ACTIVE or status not in PersonStatus.values:
        raise ValidationError("请选择停用原因（退休、调离或去世）。")
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_in_scope(actor, person)
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
