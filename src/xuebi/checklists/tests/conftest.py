"""清单式管理 test data: a task of 阿巴嘎旗's list given to 巴依斯古楞 (the cadre), due on a day."""

import datetime as dt

import pytest

from xuebi.checklists import services
from xuebi.checklists.models import ListKind

DUE = dt.date(2026, 12, 10)


def make_item(actor, unit, person=None, *, kind=ListKind.TASK, due=DUE, title="整理党员档案", responsible_unit=None, **extra):
    data = services.ItemData(
        kind=kind,
        unit=unit,
        title=title,
        responsible_unit=responsible_unit or (person.unit if person else unit),
        responsible_person=person,
        due_date=due,
        supervision=extra.pop("supervision", "key" if kind == ListKind.SUPERVISION else ""),
        **extra,
    )
    return services.save_item(actor=actor, data=data)


@pytest.fixture
def item(org, users):
    return make_item(users.abag_admin, org.abag, org.bayi)
