"""Every points page and API endpoint, for every role (xuebi.testing.scoped).

* the journal (积分明细) and a person's standing: ``PointEntry.visible_to`` — admins and reviewers in their
  subtree, a cadre their own entries;
* the boards drilled into a unit (``?unit=``): the units the viewer's board reaches — ``Unit.visible_to`` of
  their grant (a cadre's is their county); another county's unit → 404;
* adjustments: the person must be in the admin's scope (``Person.visible_to(user, "change")``), else 404;
* 重算积分: the league admin's alone.

Boards are for cadres, reviewers and admins: a judge, the 三员 and a user without a role are refused (403)."""

import pytest

from xuebi.campaign.models import Campaign
from xuebi.org.models import Person, Unit
from xuebi.points.models import PointEntry
from xuebi.testing.helpers import give
from xuebi.testing.scoped import NO_BUSINESS_ROLE, ROLES, Case, league_wide, scoped_suite

BOARD_REFUSED = NO_BUSINESS_ROLE | {"judge"}
ADMIN_REFUSED = BOARD_REFUSED | {"cadre", "abag_reviewer"}
LEAGUE_ONLY = frozenset(ROLES) - {"league_admin"}


def setup(ns):
    ns.theory = ns.request.getfixturevalue("theory")
    give(ns.org, ns.org.bayi, 1, 1)
    give(ns.org, ns.org.xilin_person, 2, 2)
    ns.bayi_entry = PointEntry.objects.get(person=ns.org.bayi)
    ns.xilin_entry = PointEntry.objects.get(person=ns.org.xilin_person)


def entry_shown(entry) -> str:
    return f'"id": {entry.pk}, "occurred_on"'


def board(url, unit, **kw):
    return Case(
        url,
        model=Unit,
        obj=lambda ns: getattr(ns.org, unit),
        query="unit={pk}",
        refused=BOARD_REFUSED,
        id=f"{url}[unit={unit}]",
        **kw,
    )


def adjustment(ns, pk):
    return {"person_id": pk, "indicator_id": ns.theory.pk, "points": 1, "reason": "表彰"}


CASES = [
    # a person's standing: their entries, in the journal of whoever may see them
    Case(
        "/api/v1/points/journal",
        model=PointEntry,
        obj=lambda ns: ns.xilin_entry,
        api=True,
        shows=entry_shown,
        query="person_id={obj.person_id}",
        refused=BOARD_REFUSED,
        id="api:journal[xilin_person]",
    ),
    Case(
        "/api/v1/points/journal",
        model=PointEntry,
        obj=lambda ns: ns.bayi_entry,
        api=True,
        shows=entry_shown,
        query="person_id={obj.person_id}",
        refused=BOARD_REFUSED,
        id="api:journal[bayi]",
    ),
    Case("points:mine", model=PointEntry, obj=lambda ns: ns.bayi_entry, scope=league_wide(PointEntry), refused=BOARD_REFUSED),
    # the boards: the counties' board is the league's; a county's units are its own
    Case(
        "points:board",
        model=Campaign,
        obj=lambda ns: ns.theory.campaign,
        scope=league_wide(Campaign),
        shows=lambda c: c.name,
        refused=BOARD_REFUSED,
    ),
    board("points:board", "xilin"),
    board("points:board", "abag"),
    board("points:board_export", "xilin"),
    board("/api/v1/points/leaderboard/units", "xilin", api=True),
    board("/api/v1/points/leaderboard/units", "abag", api=True),
    board("/api/v1/points/leaderboard/people", "xilin", api=True),
    Case("points:adjust", model=Person, obj=lambda ns: ns.org.abag_other, scope=league_wide(Person), refused=ADMIN_REFUSED),
    Case("points:recompute", model=Campaign, obj=lambda ns: ns.theory.campaign, scope=league_wide(Campaign), refused=LEAGUE_ONLY),
]

WRITES = [
    Case(
        "/api/v1/points/adjustments/preview",
        model=Person,
        obj=lambda ns: ns.org.abag_other,
        action="change",
        api=True,
        method="post",
        data=adjustment,
        refused=ADMIN_REFUSED,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/points/adjustments",
        model=Person,
        obj=lambda ns: ns.org.xilin_person,
        action="change",
        api=True,
        method="post",
        data=adjustment,
        refused=ADMIN_REFUSED,
        done_by="xilin_admin",
        done=201,
    ),
    Case(
        "/api/v1/points/recompute/preview",
        model=Campaign,
        obj=lambda ns: ns.theory.campaign,
        action="change",
        scope=league_wide(Campaign),
        api=True,
        method="post",
        refused=LEAGUE_ONLY,
        done_by="league_admin",
    ),
    Case(
        "/api/v1/points/recompute",
        model=Campaign,
        obj=lambda ns: ns.theory.campaign,
        action="change",
        scope=league_wide(Campaign),
        api=True,
        method="post",
        refused=LEAGUE_ONLY,
        done_by="league_admin",
    ),
    Case(
        "points:recompute",
        model=Campaign,
        obj=lambda ns: ns.theory.campaign,
        action="change",
        scope=league_wide(Campaign),
        method="post",
        refused=LEAGUE_ONLY,
        id="points:recompute[post]",
    ),
]

test_scoped = pytest.mark.usefixtures("theory")(scoped_suite(CASES, setup))
test_scoped_writes = pytest.mark.usefixtures("theory")(scoped_suite(WRITES, setup))
