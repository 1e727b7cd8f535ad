"""The demo's 清单式管理, dated from today: 阿巴嘎旗委组织部's lists (巴依斯古楞, the demo cadre, answers
for an overdue task, one due in two days, one waiting for 验收 and one done last month), a league
挂牌督办 item given to the county, items across the counties for the completion chart, this year's
pledges, and the rules that score accepted items; then the day's reminders, so the bell rings.
Idempotent: nothing is added once the first demo item is there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from xuebi.campaign.choices import Dimension
from xuebi.campaign.demo.rules import load_lookup_rules
from xuebi.core import context
from xuebi.org.choices import PersonStatus, UnitKind
from xuebi.org.models import Person, Unit, User

from . import reminders, services
from .models import Item, ItemEvent, ListKind, Move, Status

__all__ = ["load_checklists_demo", "load_checklist_rules"]

INDICATOR = {"dimension": Dimension.WORK, "name": "清单事项", "max_points": Decimal("30"), "sort_order": 50}
ON_TIME = {"按时完成": "2", "逾期完成": "0.5"}
DEMO_RULES = [
    {"name": "阶段任务按期销号", "source_kind": ListKind.TASK, "field_key": "timeliness", "lookup": ON_TIME},
    {
        "name": "督查项目按期销号",
        "source_kind": ListKind.SUPERVISION,
        "field_key": "timeliness",
        "lookup": {"按时完成": "3", "逾期完成": "1"},
    },
    {"name": "承诺事项兑现", "source_kind": ListKind.PLEDGE, "field_key": "timeliness", "lookup": ON_TIME},
]
FIRST = "整理2025年度党员档案"


def load_checklist_rules(actor) -> int:
    return load_lookup_rules(actor, indicator=INDICATOR, source_type="checklist", rules=DEMO_RULES)


def _item(admin, unit, person, title, kind, due, **extra):
    data = services.ItemData(
        kind=kind,
        unit=unit,
        title=title,
        responsible_unit=extra.pop("responsible_unit", person.unit if person else unit),
        responsible_person=person,
        due_date=due,
        start_date=extra.pop("start", None),
        supervision=extra.pop("supervision", "general" if kind == ListKind.SUPERVISION else ""),
        leader=extra.pop("leader", ""),
        description=extra.pop("description", ""),
        priority=extra.pop("priority", "normal"),
    )
    return services.save_item(actor=admin, data=data)


def _close(item, doer, admin, day: dt.date, note="按要求完成。"):
    services.move(actor=doer, item=item, move=Move.SUBMIT, text=note, today=day)
    services.move(actor=admin, item=item, move=Move.ACCEPT, today=day)


def _closed_before(item, admin, day: dt.date) -> None:
    """A county item of an earlier month, written as its history stands (the counties' people have
    no demo accounts to report with): accepted on ``day``."""
    late = day > item.due_date
    ItemEvent.objects.create(
        item=item,
        move=Move.ACCEPT,
        status_from=Status.PENDING,
        status_to=Status.DONE,
        text="按期销号。" if not late else "逾期完成。",
        actor=admin,
    )
    Item.objects.filter(pk=item.pk).update(status=Status.DONE, percent=100, closed_on=day, closed_late=late)


def load_checklists_demo() -> int:
    league_admin = User.objects.filter(username="league").first()
    abag_admin = User.objects.filter(username="abag").first()
    cadre = User.objects.filter(username="cadre").first()
    if not (league_admin and abag_admin and cadre and cadre.person_id):
        return 0
    with context.acting_as(league_admin, ip="127.0.0.1"):
        created = load_checklist_rules(league_admin)
    if Item.objects.filter(title=FIRST).exists():
        return created
    today = timezone.localdate()
    days = dt.timedelta
    league = Unit.objects.get_root_nodes().first()
    abag = Unit.objects.filter(name="阿巴嘎旗委组织部").first()
    bayi = cadre.person
    colleagues = list(
        Person.objects.filter(unit__path__startswith=abag.path, status=PersonStatus.ACTIVE).exclude(pk=bayi.pk).order_by("pk")[:3]
    )
    with context.acting_as(abag_admin, ip="127.0.0.1"):
        late = _item(abag_admin, abag, bayi, FIRST, ListKind.TASK, today - days(3), leader="副部长 张明")
        _item(abag_admin, abag, bayi, "报送第四季度组织生活会情况", ListKind.TASK, today + days(2), priority="high")
        pending = _item(abag_admin, abag, bayi, "更新嘎查村党组织书记名册", ListKind.TASK, today + days(6))
        done = _item(abag_admin, abag, bayi, "组织业务讲堂一期", ListKind.TASK, today - days(30))
        _item(abag_admin, abag, bayi, "党员信息管理系统数据维护", ListKind.DUTY, None, description="每月核对一次党员信息变动。")
        for n, person in enumerate(colleagues):
            _item(abag_admin, abag, person, f"组织股科室责任事项{n + 1}", ListKind.DUTY, None)
            _item(abag_admin, abag, person, f"基层党建阶段任务{n + 1}", ListKind.TASK, today + days(10 * n - 5))
    with context.acting_as(cadre, ip="127.0.0.1"):
        services.move(actor=cadre, item=late, move=Move.PROGRESS, text="已整理 6 个支部的档案，还剩 2 个。", percent=70)
        services.move(actor=cadre, item=pending, move=Move.SUBMIT, text="名册已更新并报送。")
        services.save_pledge(actor=cadre, title="全年撰写调研报告 2 篇", year=today.year)
        services.save_pledge(actor=cadre, title="带头参加业务讲堂，讲课 1 次", year=today.year)
    with context.acting_as(abag_admin, ip="127.0.0.1"):
        _close(done, cadre, abag_admin, today - days(31))
    with context.acting_as(league_admin, ip="127.0.0.1"):
        _item(
            league_admin,
            league,
            bayi,
            "软弱涣散基层党组织整顿",
            ListKind.SUPERVISION,
            today + days(10),
            supervision="listed",
            leader="盟委组织部副部长",
        )
        # the counties' year for the completion chart: an item due each past month, most closed on time
        counties = Unit.objects.filter(kind=UnitKind.COUNTY_DEPT, is_active=True).order_by("path")[:6]
        for c, county in enumerate(counties):
            person = Person.objects.filter(unit__path__startswith=county.path, status=PersonStatus.ACTIVE).order_by("pk").first()
            if person is None:
                continue
            for month in range(1, today.month):
                due = dt.date(today.year, month, 20)
                item = _item(
                    league_admin, county, person, f"{county.short_name or county.name}{month}月重点工作", ListKind.TASK, due
                )
                if month < today.month - 1 or (month + c) % 3:  # last month's left open here and there
                    _closed_before(item, league_admin, due - days(2) if (month + c) % 4 else due + days(5))
    with context.acting_as(None, ip="127.0.0.1"):
        reminders.sweep(today)
    return created + Item.objects.count()
