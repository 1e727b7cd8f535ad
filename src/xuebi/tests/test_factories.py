"""The factories make what the services make: a unit in the tree, a person with a valid 身份证号 who can be found,
a user who signs in with the shared password, and a record whose approval writes the points journal."""

import pytest

from xuebi.org.choices import Role
from xuebi.org.models import Person, Unit, UnitMembership
from xuebi.points.models import PointEntry
from xuebi.testing.factories import (
    KindFactory,
    PersonFactory,
    RecordFactory,
    RuleFactory,
    UnitFactory,
    UserFactory,
)
from xuebi.testing.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_unit_under_a_county_is_seen_by_that_county_and_not_by_another(org, users):
    unit = UnitFactory(parent=org.abag)
    person = PersonFactory(unit=unit)
    assert Unit.objects.visible_to(users.abag_admin).filter(pk=unit.pk).exists()
    assert not Unit.objects.visible_to(users.xilin_admin).filter(pk=unit.pk).exists()
    assert Person.objects.visible_to(users.abag_admin).filter(pk=person.pk).exists()
    assert UnitMembership.objects.filter(person=person, unit=unit).exists()


def test_a_factory_user_signs_in_with_the_shared_password(org, client):
    user = UserFactory(role=Role.UNIT_ADMIN, unit=org.xilin)
    assert user.check_password(PASSWORD)
    client.force_login(user)
    assert client.get(f"/org/units/{org.xilin.pk}/").status_code == 200
    assert client.get(f"/org/units/{org.abag.pk}/").status_code == 404


def test_an_approved_record_writes_the_points_journal_through_the_engine(org, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kind = KindFactory(actor=users.league_admin, code="reading")
    RuleFactory(source_kind="reading", points=2)
    record = RecordFactory(actor=users.cadre, kind=kind, approved_by=users.abag_reviewer)
    record.refresh_from_db()
    assert record.status == "approved"
    assert sum(e.points for e in PointEntry.objects.filter(person=org.bayi)) == 2
