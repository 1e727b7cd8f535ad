"""组工信息 test data: the demo's rules' table (Example B, 批示 Example A) in the 2026 campaign, and
helpers to send an item and have it adopted."""

import datetime as dt

import pytest

from xuebi.orginfo import services
from xuebi.orginfo.demo import load_orginfo_rules

LONG = "组" * 800  # 800 characters: 长篇 from 800 on
SHORT = "组" * 799
SENT = dt.date(2026, 11, 2)


@pytest.fixture
def rules(campaign, users):
    load_orginfo_rules(users.league_admin)
    return campaign


def send(actor, unit, authors, *, text=LONG, title="组工信息", day=SENT, submit=True):
    return services.item_save(
        actor=actor, unit=unit, title=title, text=text, submitted_on=day, authors=list(authors), submit=submit
    )


def adopt(actor, item, outlet="league", *, day=dt.date(2026, 11, 10), **kw):
    return services.adoption_record(actor=actor, item=item, outlet=outlet, adopted_on=day, **kw)
