"""Load the Xilingol demo: the unit tree, about 400 people and one account per role.

Idempotent: units are found by their path of names, people by 身份证号, accounts by username;
whatever exists already is left as it is, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core import context, dates

from . import demo_data, party
from .choices import PersonStatus, Role
from .models import MedalIssue, Person, RoleGrant, Unit, UnitMembership, User

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
    # the panel of the demo's contests: a judge from the league and one from each of four counties
    ("judge2", "评委（盟委党校）", Role.JUDGE, (demo_data.ROOT_NAME,), None),
    ("judge3", "评委（锡林浩特市）", Role.JUDGE, (demo_data.ROOT_NAME, "锡林浩特市委组织部"), None),
    ("judge4", "评委（正蓝旗）", Role.JUDGE, (demo_data.ROOT_NAME, "正蓝旗委组织部"), None),
    ("judge5", "评委（东乌珠穆沁旗）", Role.JUDGE, (demo_data.ROOT_NAME, "东乌珠穆沁旗委组织部"), None),
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


# 老党员 of the 光荣在党50年 list: (name, sex, years a full member by this year's 七一, month-precise 转正, medal given)
VETERANS = [
    ("乌力吉", "M", 56, False, True),
    ("其其格", "F", 53, True, True),
    ("孟克", "M", 51, False, True),
    ("萨仁高娃", "F", 50, True, False),
    ("王秀英", "F", 50, False, False),
    ("巴特", "M", 49, False, False),  # not yet: 49 years
]


def _load_veterans() -> int:
    """Retired members who qualify for the 光荣在党50年纪念章 (dates counted from today), some of
    them given it last 七一 by their county."""
    today = timezone.localdate()
    cutoff = party.default_cutoff(today)
    given_on = cutoff if today >= cutoff else cutoff.replace(year=cutoff.year - 1)
    counties = list(Unit.objects.filter(kind="county_dept", is_active=True).order_by("path")[:3])
    if not counties:
        return 0
    created = 0
    for seq, (name, sex, years, by_month, medal) in enumerate(VETERANS, start=1):
        full_member = dt.date(cutoff.year - years, 1 + seq, 1 + seq)  # before 七一: 50 years by the cut-off
        birth = dt.date(full_member.year - 22, 1 + seq, 1)
        number = demo_data._id_number("152522", birth, 900 + seq)
        if Person.objects.filter(id_number_hash=Person.hash_id_number(number)).exists():
            continue
        county = counties[seq % len(counties)]
        unit = Unit.objects.filter(path__startswith=county.path, depth=3, is_active=True).order_by("path").first() or county
        person = Person(
            unit=unit,
            name=name,
            sex=sex,
            ethnicity="蒙古族" if seq % 2 else "汉族",
            birth_date=birth,
            political_status="member",
            joined_party_date=full_member.replace(year=full_member.year - 1),
            full_member_date=full_member.replace(day=1) if by_month else full_member,
            date_precision={"full_member_date": dates.MONTH} if by_month else {},
            status=PersonStatus.RETIRED,
            is_org_cadre=False,
        )
        person.set_id_number(number)
        person.save()
        UnitMembership.objects.create(person=person, unit=unit, start_date=today, end_date=None)
        if medal:
            MedalIssue.objects.create(person=person, year=given_on.year, issued_on=given_on, unit=county)
        created += 1
    return created


@transaction.atomic
def load_demo(*, count: int = 400) -> dict:
    with context.acting_as(None, ip="127.0.0.1"):
        units = _load_units()
        people = _load_people(units, count)
        people += _load_veterans()
        accounts = _load_accounts(units)
        if people or accounts:
            audit_record(
                action=Action.ROSTER_IMPORT,
                actor_name="xuebi demo",
                changes={"file": "demo", "created": people, "accounts": accounts},
            )
    return {"units": len(units), "people_created": people, "accounts_created": accounts}
