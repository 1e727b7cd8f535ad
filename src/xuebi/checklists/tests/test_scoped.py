"""Every 清单式管理 page and API endpoint, for every role (xuebi.testing.scoped): an item is read by the
administrators of its list's unit and of its responsible unit, the unit's reviewers and the
responsible person; a pledge also by the cadres of the pledger's unit; only an administrator of the
list's unit changes an item or reviews a pledge."""

import datetime as dt

from xuebi.checklists import services
from xuebi.checklists.models import Item, ItemFile, ListKind, Move
from xuebi.notifications import services as notifications
from xuebi.notifications.models import Notification, Webhook
from xuebi.org.models import Unit
from xuebi.testing.helpers import photo
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, league_wide, scoped_suite

READERS_ONLY = NO_BUSINESS_ROLE | {"judge"}
ADMINS_ONLY = READERS_ONLY | {"cadre"}
EDITORS_ONLY = ADMINS_ONLY | {"abag_reviewer"}


def setup(ns):
    users, org = ns.users, ns.org
    ns.item = services.save_item(
        actor=users.abag_admin,
        data=services.ItemData(
            kind=ListKind.TASK,
            unit=org.abag,
            title="整理党员档案",
            responsible_unit=org.abag_section,
            responsible_person=org.bayi,
            due_date=dt.date(2026, 12, 10),
        ),
    )
    ns.late = services.save_item(
        actor=users.abag_admin,
        data=services.ItemData(
            kind=ListKind.TASK, unit=org.abag, title="报送年度统计", responsible_unit=org.abag, due_date=dt.date(2026, 11, 20)
        ),
    )
    event = services.move(actor=users.cadre, item=ns.item, move=Move.PROGRESS, text="已整理一半", percent=50, files=[photo()])
    ns.file = ItemFile.objects.get(event=event)
    ns.pledge = services.save_pledge(actor=users.cadre, title="全年撰写调研报告 2 篇", year=2026)
    ns.note = notifications.notify([notifications.Message(users.cadre.pk, "还有 3 天到期：整理党员档案", key="k1")])
    ns.notification = Notification.objects.get()
    ns.webhook = notifications.save_webhook(
        actor=users.abag_admin,
        unit=org.abag,
        name="阿巴嘎旗工作群",
        flavor="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1",
        secret="",
    )


def item(ns):
    return ns.item


def pledge(ns):
    return ns.pledge


def file_scope(user, action):
    return ItemFile.objects.filter(event__item__in=Item.visible_to(user, action))


UNITS = league_wide(Unit)

CASES = [
    Case(
        "checklists:mine",
        model=Item,
        obj=item,
        scope=lambda u, a: Item.objects.filter(responsible_person_id=u.person_id or 0),
        shows=lambda i: i.title,
        refused=READERS_ONLY,
    ),
    Case("checklists:board", model=Item, obj=item, shows=lambda i: i.title, refused=ADMINS_ONLY),
    Case("checklists:due", model=Item, obj=lambda ns: ns.late, shows=lambda i: i.title, refused=ADMINS_ONLY),
    Case("checklists:stats", model=Unit, obj=lambda ns: ns.org.abag, scope=UNITS, refused=ADMINS_ONLY, query="year=2026"),
    Case("checklists:pledges", model=Item, obj=pledge, shows=lambda i: i.title, refused=READERS_ONLY),
    Case("checklists:item_detail", model=Item, obj=item, refused=READERS_ONLY),
    Case("checklists:item_detail", model=Item, obj=pledge, refused=READERS_ONLY, id="checklists:item_detail[pledge]"),
    Case("checklists:item_edit", model=Item, obj=item, action="edit", refused=EDITORS_ONLY),
    Case("checklists:pledge_edit", model=Item, obj=pledge, action="report", refused=READERS_ONLY),
    Case("checklists:item_create", model=Unit, obj=lambda ns: ns.org.abag, scope=UNITS, refused=EDITORS_ONLY),
    Case("checklists:import", model=Unit, obj=lambda ns: ns.org.abag, scope=UNITS, refused=EDITORS_ONLY),
    Case("checklists:import_template", model=Unit, obj=lambda ns: ns.org.abag, scope=UNITS, refused=EDITORS_ONLY),
    Case("checklists:export", model=Unit, obj=lambda ns: ns.org.abag, scope=UNITS, refused=ADMINS_ONLY, query="year=2026"),
    Case("checklists:file", model=ItemFile, obj=lambda ns: ns.file, scope=file_scope, refused=frozenset()),
    Case("/api/v1/checklists/items", model=Item, obj=item, api=True, shows=lambda i: i.title, refused=READERS_ONLY),
    Case("/api/v1/checklists/items/{pk}", model=Item, obj=item, api=True, refused=READERS_ONLY),
    Case("/api/v1/checklists/items/{pk}/events", model=Item, obj=item, api=True, refused=READERS_ONLY),
    Case(
        "notifications:inbox",
        model=Notification,
        obj=lambda ns: ns.notification,
        scope=lambda u, a: Notification.visible_to(u),
        shows=lambda n: n.title,
        refused=frozenset(),
    ),
    Case("notifications:webhook_edit", model=Webhook, obj=lambda ns: ns.webhook, action="edit", refused=EDITORS_ONLY),
    Case(
        "/api/v1/notifications/webhooks",
        model=Webhook,
        obj=lambda ns: ns.webhook,
        api=True,
        shows=lambda w: w.name,
        refused=EDITORS_ONLY,
    ),
    Case(
        "/api/v1/notifications/webhooks/{pk}/deliveries", model=Webhook, obj=lambda ns: ns.webhook, api=True, refused=EDITORS_ONLY
    ),
    Case("notifications:webhook_list", model=Webhook, obj=lambda ns: ns.webhook, shows=lambda w: w.name, refused=EDITORS_ONLY),
]

WRITES = [
    Case(
        "/api/v1/checklists/items/{pk}",
        model=Item,
        obj=item,
        action="edit",
        method="put",
        api=True,
        data=lambda ns, pk: {
            "kind": "task",
            "unit_id": ns.org.abag.pk,
            "title": "整理党员档案（改）",
            "responsible_unit_id": ns.org.abag_section.pk,
            "due_date": "2026-12-12",
        },
        refused=EDITORS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/notifications/webhooks/{pk}/test",
        model=Webhook,
        obj=lambda ns: ns.webhook,
        action="edit",
        method="post",
        api=True,
        refused=EDITORS_ONLY,
        done_by="abag_admin",
        done=202,
    ),
    Case(
        "/api/v1/notifications/webhooks/{pk}",
        model=Webhook,
        obj=lambda ns: ns.webhook,
        action="edit",
        method="put",
        api=True,
        data=lambda ns, pk: {
            "unit_id": ns.org.abag.pk,
            "name": "改名的群",
            "flavor": "wecom",
            "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=2",
        },
        refused=EDITORS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "checklists:pledge_review",
        model=Item,
        obj=pledge,
        action="edit",
        method="post",
        data={"grade": "kept", "comment": "按期兑现"},
        refused=EDITORS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/checklists/items/{pk}/review",
        model=Item,
        obj=pledge,
        action="edit",
        method="post",
        api=True,
        data={"grade": "kept"},
        refused=EDITORS_ONLY,
        done_by="abag_admin",
    ),
    Case(
        "notifications:webhook_test",
        model=Webhook,
        obj=lambda ns: ns.webhook,
        action="edit",
        method="post",
        refused=EDITORS_ONLY,
        done_by="abag_admin",
    ),
]

test_scoped = scoped_suite(CASES + WRITES, setup=setup)
