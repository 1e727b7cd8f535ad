"""Accepted items flow into points through the engine, under the campaign's rules: on time and late
scored apart (a LOOKUP on 完成情况), once however often the news is told, and again the same on a
recomputation."""

import datetime as dt
from decimal import Decimal

import pytest

from xuebi.checklists import services
from xuebi.checklists.demo import load_checklist_rules
from xuebi.checklists.models import Move
from xuebi.points import checklist_source, engine
from xuebi.points.models import PointEntry

from .conftest import DUE, make_item

pytestmark = pytest.mark.django_db(transaction=True)  # the award follows the commit


def _close(users, item):
    services.move(actor=users.cadre, item=item, move=Move.SUBMIT)
    services.move(actor=users.abag_admin, item=item, move=Move.ACCEPT)


def test_an_item_accepted_on_time_and_one_accepted_late(campaign, org, users, time_machine):
    load_checklist_rules(users.league_admin)
    on_time = make_item(users.abag_admin, org.abag, org.bayi, title="按时的事")
    late = make_item(users.abag_admin, org.abag, org.bayi, title="迟了的事", due=dt.date(2026, 11, 20))
    _close(users, on_time)
    _close(users, late)
    rows = dict(PointEntry.objects.filter(source_type="checklist").values_list("source_label", "points"))
    assert rows == {"阶段任务清单：按时的事": Decimal("2.00"), "阶段任务清单：迟了的事": Decimal("0.50")}
    assert all(e.person_id == org.bayi.pk for e in PointEntry.objects.filter(source_type="checklist"))
    # told again (a retried task): nothing doubled
    on_time.refresh_from_db()
    engine.award(checklist_source.source_from_item(on_time), actor=users.abag_admin)
    assert PointEntry.objects.filter(source_type="checklist").count() == 2
    assert len(checklist_source.closed_items(campaign)) == 2


def test_no_rule_no_points_and_an_item_without_a_person_earns_nothing(campaign, org, users):
    item = make_item(users.abag_admin, org.abag, org.bayi, due=DUE)
    _close(users, item)
    assert not PointEntry.objects.exists()
    load_checklist_rules(users.league_admin)
    nobody = make_item(users.abag_admin, org.abag, None, title="无人负责")
    nobody.status, nobody.closed_on = "done", dt.date(2026, 11, 25)
    assert checklist_source.source_from_item(nobody) is None
