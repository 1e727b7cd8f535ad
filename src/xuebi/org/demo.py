"""Load the Xilingol demo: the unit tree, about 400 people and one account per role.

Idempotent: units are found by their path of names, people by 身份证号, accounts by username;
whatever exists already is left as it is, so a second run changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import context

from . import demo_data
from .choices import Role
from .models import Person, RoleGrant, Unit, UnitMembership, User

DEMO_PASSWORD = "Xuebi@2021"
ABAG = (demo_data.ROOT_NAME, "阿巴嘎旗委组织部")
# username, 姓名, role, unit path (None for 三员), linked person key in demo_data.DEMO_PEOPLE
DEMO_ACCOUNTS = [
    ("league", "盟委组织部管理员", Role.LEAGUE_ADMIN, (demo_data.ROOT_NAME,), None),
    ("abag", "阿巴嘎旗委组织部管理员", Role.UNIT_ADMIN, ABAG, None),
    ("reviewer", "阿巴嘎旗委组织部审核员", Role.REVIEWER, ABAG, None),
    ("league_reviewer", "盟委组织部审核员", Role.REVIEWER, (demo_data.ROOT_NAME,), None),
    ("cadre", "巴依斯古楞", Role.CADRE, ABAG, "cadre"),
    ("judge", "评委", Role.JUDGE, (demo_data.ROOT_NAME,), None),
    ("sysadmin", "系统管理员", Role.SYSADMIN, None, None),
    ("secadmin", "安全管理员", Role.SECADMIN, None, None),
    ("auditor", "审计管理员", Role.AUDITOR, None, None),
]


def _load_units() -> dict[tuple[str, ...], Unit]:
    units: dict[tuple[str, ...], Unit] = {}
    for path, node in demo_data.iter_units():
        fields = {"short_name": node["short_name"], "kind": node["kind"], "code": node["code"]}
        if len(path) == 1:
            unit = Unit.objects.get_root_nodes().filter(name=node["name"]).first() or Unit.objects.add_root(
                instance=Unit(name=node["name"], **fields)
            )
        else:
            parent = units[path[:-1]]
            parent.refresh_from_db()
            unit = Unit.objects.get_children(parent).filter(name=node["name"]).first() or Unit.objects.add_child(
                parent, instance=Unit(name=node["name"], **fields)
            )
        units[path] = unit
    return units


def _load_people(units, count: int) -> int:
    created = 0
    start = timezone.localdate()
    for data in demo_data.generate_people(count=count):
        data = dict(data)
        if Person.objects.filter(id_number_hash=Person.hash_id_number(data["id_number"])).exists():
            continue
        person = Person(unit=units[tuple(data.pop("unit_path"))])
        person.set_id_number(data.pop("id_number"))
        for name, value in data.items():
            setattr(person, name, value)
        person.save()
        UnitMembership.objects.create(
            person=person,
            unit=person.unit,
            start_date=start,
            end_date=None if person.is_active else start,
        )
        created += 1
    return created


def _load_accounts(units) -> list[str]:
    made = []
    for username, full_name, role, unit_path, person_key in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        person = None
        if person_key:
            number = demo_data.DEMO_PEOPLE[person_key]["id_number"]
            person = Person.objects.get(id_number_hash=Person.hash_id_number(number))
        user = User(
            username=username,
            full_name=full_name,
            person=person,
            must_change_password=False,
            is_demo=True,
            password_changed_at=timezone.now(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleGrant.objects.create(user=user, role=role, unit=units[unit_path] if unit_path else None)
        made.append(username)
    return made


@transaction.atomic
def load_demo(*, count: int = 400) -> dict:
    with context.acting_as(None, ip="127.0.0.1"):
        units = _load_units()
        people = _load_people(units, count)
        accounts = _load_accounts(units)
        if people or accounts:
            audit_record(
                action=Action.ROSTER_IMPORT,
                actor_name="xuebi demo",
                changes={"file": "demo", "created": people, "accounts": accounts},
            )
    return {"units": len(units), "people_created": people, "accounts_created": accounts}
