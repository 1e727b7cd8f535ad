"""core.bulk writes what bulk_create would, on SQLite and PostgreSQL, in few statements."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuebi.audit.models import Action, AuditEntry
from xuebi.audit.services import audit_record, audit_record_many
from xuebi.core import bulk, context
from xuebi.org.models import Person, UnitMembership
from xuebi.testing.helpers import make_id


def _people(unit, n: int) -> list[Person]:
    people = []
    for i in range(n):
        person = Person(
            name=f"测试{i}",
            sex="M" if i % 2 else "F",
            ethnicity="蒙古族",
            unit=unit,
            birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i),
            is_org_cadre=bool(i % 3),
            date_precision={"joined_party_date": "month"} if i % 2 else {},
            phone=f"139{i:08d}",
        )
        person.set_id_number(make_id("152522", dt.date(1980, 1, 1) + dt.timedelta(days=i), 101 + i % 2))
        person.fill_pinyin()
        people.append(person)
    return people


def test_insert_writes_the_rows_and_gives_each_its_primary_key(org):
    people = _people(org.abag_section, 300)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert(Person, people)
    # One statement for all 300 on SQLite; on PostgreSQL the keys are drawn first, then one COPY.
    assert len(queries) <= 2
    assert len({p.pk for p in people}) == 300 and all(p.pk for p in people)
    for person in (people[0], people[1], people[299]):
        stored = Person.objects.get(pk=person.pk)
        assert (stored.name, stored.sex, stored.unit_id, stored.birth_date, stored.is_org_cadre, stored.date_precision) == (
            person.name,
            person.sex,
            org.abag_section.pk,
            person.birth_date,
            person.is_org_cadre,
            person.date_precision,
        )
        assert stored.id_number == person.id_number and stored.name_pinyin == person.name_pinyin
        assert stored.created_at is not None and stored.updated_at is not None
    assert Person.objects.filter(name__startswith="测试", unit=org.abag_section).count() == 300


def test_insert_rows_takes_plain_values_and_database_defaults(org):
    people = _people(org.abag_section, 3)
    bulk.insert(Person, people)
    bulk.insert_rows(
        UnitMembership,
        ["person_id", "unit_id", "start_date", "end_date"],
        [(p.pk, p.unit_id, dt.date(2026, 11, 25), None) for p in people],
    )
    assert sorted(UnitMembership.objects.filter(person__in=people).values_list("person_id", "start_date", "end_date")) == [
        (p.pk, dt.date(2026, 11, 25), None) for p in sorted(people, key=lambda p: p.pk)
    ]
    assert bulk.insert_rows(UnitMembership, ["person_id", "unit_id", "start_date"], []) is None


def test_audit_many_writes_what_audit_record_writes(org, users):
    person = _people(org.abag_section, 1)[0]
    bulk.insert(Person, [person])
    changes = {
        "name": [None, person.name],
        "id_number_masked": [None, person.id_number],
        "position": [None, f"科员，电话 {person.phone}"],
        "birth_date": [None, dt.date(1980, 1, 1)],
    }
    with context.acting_as(users.abag_admin, ip="10.1.2.3"):
        one = audit_record(action=Action.PERSON_CREATE, target=person, changes=changes)
        audit_record_many(action=Action.PERSON_CREATE, targets=[(person, changes)])
    many = AuditEntry.objects.exclude(pk=one.pk).get(target_id=str(person.pk), action=Action.PERSON_CREATE)
    one.refresh_from_db()
    fields = ["actor_id", "actor_name", "action", "outcome", "target_type", "target_id", "target_repr", "changes", "ip"]
    assert {f: getattr(many, f) for f in fields} == {f: getattr(one, f) for f in fields}
    # The 身份证号 and the phone number in free text are masked, never stored in full.
    assert person.id_number not in str(many.changes) and person.phone not in str(many.changes)
    assert many.changes["birth_date"] == [None, "1980-01-01"]
