"""factory_boy factories for the main models.

Units are built through the tree (treebeard's add_root/add_child), people with a valid 身份证号 and a membership,
kinds and ledger records through the real services (``kind_create``, ``record_create``) so that versions, audit
entries and, once approved, the points journal are what production writes. Points totals are never faked: approve a
record (``RecordFactory(approved_by=reviewer)``) or award through the engine (``xuebi.testing.helpers.give``).

    unit = UnitFactory(parent=org.abag)                 # a 组织股 under 阿巴嘎旗
    person = PersonFactory(unit=unit)
    user = UserFactory(role=Role.UNIT_ADMIN, unit=org.abag)
    rule = RuleFactory(source_kind="self_study")        # its campaign and indicator come along
    record = RecordFactory(actor=users.cadre, kind=kinds.self_study, approved_by=users.abag_reviewer)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xuebi.campaign.models import Campaign, Indicator, Rule
from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.models import Record, RecordKind
from xuebi.ledger.services.records import RecordInput, record_approve, record_create
from xuebi.org.models import Person, RoleGrant, Unit, UnitMembership, User
from xuebi.testing.helpers import DAY, PASSWORD, make_id

_HASH: list[str] = []


def password_hash() -> str:
    """One hash of the shared password per test run (hashing is slow on purpose)."""
    if not _HASH:
        _HASH.append(make_password(PASSWORD))
    return _HASH[0]


class UnitFactory(factory.django.DjangoModelFactory):
    """A unit; without ``parent`` a new root (a league department), with one a child (a 组织股 by default)."""

    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = factory.LazyAttribute(lambda o: "section" if o.parent else "league_dept")
    code = ""
    parent = None  # taken out before the model is made: the unit goes under it in the tree

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        instance = model_class(**kwargs)
        if parent is None:
            return Unit.objects.add_root(instance=instance)
        parent.refresh_from_db()
        unit = Unit.objects.add_child(parent, instance=instance)
        parent.refresh_from_db()
        return unit


class PersonFactory(factory.django.DjangoModelFactory):
    """A person with a valid 身份证号 (``address`` + birth date + ``seq``) and a membership in their unit."""

    class Meta:
        model = Person

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"测试{n}")
    seq = factory.Sequence(lambda n: 100 + n % 900)
    sex = factory.LazyAttribute(lambda o: "M" if o.seq % 2 else "F")
    birth_date = dt.date(1985, 3, 1)
    ethnicity = "汉族"
    address = "152522"

    @classmethod
    def _create(cls, model_class, *args, seq, address, **kwargs):
        person = model_class(*args, **kwargs)
        person.set_id_number(make_id(address, person.birth_date, seq))
        person.save()
        UnitMembership.objects.create(person=person, unit=person.unit, start_date=dt.date(2020, 1, 1))
        return person


class UserFactory(factory.django.DjangoModelFactory):
    """A user who signs in with the shared password; ``role`` and ``unit`` add one RoleGrant."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.LazyFunction(password_hash)
    must_change_password = False
    password_changed_at = factory.LazyFunction(timezone.now)
    role = None
    unit = None

    @classmethod
    def _create(cls, model_class, *args, role=None, unit=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role:
            RoleGrant.objects.create(user=user, role=role, unit=unit)
        return user


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = "unit_admin"
    unit = factory.SubFactory(UnitFactory)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("name",)

    name = "2026年双学双比"
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 12, 31)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    campaign = factory.SubFactory(CampaignFactory)
    dimension = "theory"
    name = factory.Sequence(lambda n: f"指标{n}")
    max_points = Decimal(30)


class RuleFactory(factory.django.DjangoModelFactory):
    """A rule scoring a ledger kind (``source_kind``); 1 point each unless told."""

    class Meta:
        model = Rule

    indicator = factory.SubFactory(IndicatorFactory)
    campaign = factory.SelfAttribute("indicator.campaign")
    name = factory.Sequence(lambda n: f"规则{n}")
    source_kind = "self_study"
    points = Decimal(1)


class KindFactory(factory.Factory):
    """A record kind made through ``kind_create`` (version 1 and its audit entry), one required text field."""

    class Meta:
        model = RecordKind

    actor = None
    code = factory.Sequence(lambda n: f"kind{n}")
    name = factory.Sequence(lambda n: f"台账类型{n}")
    dimension = "theory"
    participation = "single"
    fields = factory.LazyFunction(lambda: [{"key": "content", "label": "内容", "type": "text", "required": True}])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return kind_create(**kwargs)


class RecordFactory(factory.Factory):
    """A ledger record made through ``record_create`` as ``actor`` (submitted unless ``submit=False``);
    ``approved_by=reviewer`` approves it, which writes the points journal through the real engine."""

    class Meta:
        model = Record

    actor = None
    kind = factory.SubFactory(KindFactory, actor=factory.SelfAttribute("..actor"))
    occurred_on = DAY
    data = factory.LazyFunction(lambda: {"content": "学习《习近平谈治国理政》第四卷"})
    submit = True
    approved_by = None

    @classmethod
    def _create(cls, model_class, *args, actor, kind, occurred_on, data, submit, approved_by, **extra):
        record = record_create(
            actor=actor, kind=kind, submit=submit, values=RecordInput(occurred_on=occurred_on, data=data, **extra)
        )
        if approved_by is not None:
            record = record_approve(actor=approved_by, record=record) or record
        return record
