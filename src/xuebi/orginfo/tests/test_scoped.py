"""Every 组工信息 page and API endpoint, for every role (xuebi.testing.scoped): an item is read by its
county's admins, reviewers and cadres (a league admin: all), changed by its unit's admins and its
sender; only a league admin records or undoes an adoption; the ranking is the admins'."""

import datetime as dt

from xuebi.org.models import Unit
from xuebi.orginfo import services
from xuebi.orginfo.models import Adoption, InfoItem
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, league_wide, scoped_suite

READERS_ONLY = NO_BUSINESS_ROLE | {"judge"}
WRITERS_ONLY = READERS_ONLY | {"abag_reviewer"}
ADMINS_ONLY = WRITERS_ONLY | {"cadre"}
LEAGUE_ONLY = ADMINS_ONLY | {"abag_admin", "xilin_admin"}


def setup(ns):
    users, org = ns.users, ns.org

    def send(actor, title, authors, submit=True):
        return services.item_save(
            actor=actor,
            unit=org.abag,
            title=title,
            text="正文" * 50,
            submitted_on=dt.date(2026, 11, 20),
            authors=authors,
            submit=submit,
        )

    ns.item = send(users.cadre, "牧区党建新举措", [org.bayi])
    ns.draft = send(users.cadre, "草稿一则", [org.bayi], submit=False)
    ns.adopted = send(users.abag_admin, "已采用的信息", [org.abag_other])
    ns.adoption = services.adoption_record(
        actor=users.league_admin, item=ns.adopted, outlet="league", adopted_on=dt.date(2026, 11, 22)
    )


def item(ns):
    return ns.item


def adoption(ns):
    return ns.adoption


UNITS = league_wide(Unit)

CASES = [
    Case("orginfo:item_list", model=InfoItem, obj=item, shows=lambda i: i.title, refused=READERS_ONLY),
    Case("orginfo:item_detail", model=InfoItem, obj=item, refused=READERS_ONLY),
    Case("orginfo:item_edit", model=InfoItem, obj=item, action="change", refused=WRITERS_ONLY),
    Case("orginfo:item_create", model=Unit, obj=lambda ns: ns.org.abag, refused=WRITERS_ONLY, scope=UNITS),
    Case("orginfo:adoption_create", model=InfoItem, obj=item, action="adopt", refused=LEAGUE_ONLY),
    Case("orginfo:ranking", model=Unit, obj=lambda ns: ns.org.abag, shows=lambda u: u.name, scope=UNITS, refused=ADMINS_ONLY),
    Case(
        "orginfo:ranking_export",
        model=Unit,
        obj=lambda ns: ns.org.abag,
        scope=UNITS,
        refused=ADMINS_ONLY,
        id="orginfo:ranking_export",
    ),
    Case("/api/v1/orginfo/items", model=InfoItem, obj=item, api=True, shows=lambda i: i.title, refused=READERS_ONLY),
    Case("/api/v1/orginfo/items/{pk}", model=InfoItem, obj=item, api=True, refused=READERS_ONLY),
    Case("/api/v1/orginfo/items/{pk}/adoptions", model=InfoItem, obj=lambda ns: ns.adopted, api=True, refused=READERS_ONLY),
    Case(
        "/api/v1/orginfo/ranking",
        model=Unit,
        obj=lambda ns: ns.org.abag,
        api=True,
        shows=lambda u: u.name,
        scope=UNITS,
        refused=ADMINS_ONLY,
    ),
]

WRITES = [
    Case(
        "orginfo:item_withdraw",
        model=InfoItem,
        obj=item,
        action="change",
        method="post",
        refused=WRITERS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "orginfo:item_delete",
        model=InfoItem,
        obj=lambda ns: ns.draft,
        action="change",
        method="post",
        refused=WRITERS_ONLY,
        done_by="cadre",
    ),
    Case(
        "orginfo:adoption_create",
        model=InfoItem,
        obj=item,
        action="adopt",
        method="post",
        data={"outlet": "region", "adopted_on": "2026-11-24", "length": "", "instruction": "", "note": ""},
        refused=LEAGUE_ONLY,
        done_by="league_admin",
        id="orginfo:adoption_create[post]",
    ),
    Case(
        "orginfo:adoption_undo",
        model=Adoption,
        obj=adoption,
        action="change",
        method="post",
        data={"reason": "登记错误"},
        refused=LEAGUE_ONLY,
        done_by="league_admin",
    ),
    Case(
        "/api/v1/orginfo/items/{pk}",
        model=InfoItem,
        obj=item,
        action="change",
        method="patch",
        api=True,
        data={"title": "新标题"},
        refused=WRITERS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/orginfo/items/{pk}",
        model=InfoItem,
        obj=lambda ns: ns.draft,
        action="change",
        method="delete",
        api=True,
        refused=WRITERS_ONLY,
        done_by="cadre",
    ),
    Case(
        "/api/v1/orginfo/items/{pk}/withdraw",
        model=InfoItem,
        obj=item,
        action="change",
        method="post",
        api=True,
        refused=WRITERS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/orginfo/items/{pk}/adoptions",
        model=InfoItem,
        obj=item,
        action="adopt",
        method="post",
        api=True,
        data={"outlet": "region", "adopted_on": "2026-11-24"},
        refused=LEAGUE_ONLY,
        done_by="league_admin",
        done=201,
    ),
    Case(
        "/api/v1/orginfo/adoptions/{pk}/undo",
        model=Adoption,
        obj=adoption,
        action="change",
        method="post",
        api=True,
        data={"reason": "登记错误"},
        refused=LEAGUE_ONLY,
        done_by="league_admin",
    ),
]

test_scoped = scoped_suite(CASES, setup)
test_scoped_writes = scoped_suite(WRITES, setup)
