"""The 组工信息 demo: the rules' table (DOMAIN.md Example B by outlet and length, Example A for a
leader's 批示) in each open demo campaign, and four months of items per county up to today — most
sent, some adopted at each level (one with a 批示), a draft and a withdrawn one at 阿巴嘎 — so the
ranking, its quota check and the notice have something to show. Loaded after the ledger, through
the services (so the adoptions' points go through the engine). Idempotent: nothing is made twice.

The items of the other counties are sent by a demo 信息员 (a cadre account granted on every county
department): the league admin, who records the adoptions, may not have sent them (separation of
duties)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xuebi.campaign.choices import Dimension
from xuebi.campaign.demo.rules import load_lookup_rules
from xuebi.core import context
from xuebi.org.choices import Role, UnitKind
from xuebi.org.models import Person, RoleGrant, Unit, User

from . import services
from .models import InfoItem
from .selectors import SOURCE_TYPE

__all__ = ["DEMO_RULES", "load_orginfo_rules", "load_orginfo_demo"]

INDICATOR = {"dimension": Dimension.WORK, "name": "组工信息", "max_points": Decimal("60"), "sort_order": 45}

# Example B: 中组部 / 自治区 / 盟 / 本级 × 长篇 (800字以上) / 短篇; Example A: 批示 国家 30 / 省 20 / 市 10
EXAMPLE_B = {
    "中组部/长篇": "40",
    "自治区/长篇": "20",
    "盟/长篇": "10",
    "本级/长篇": "5",
    "中组部/短篇": "30",
    "自治区/短篇": "15",
    "盟/短篇": "6",
    "本级/短篇": "3",
}
INSTRUCTIONS = {"国家": "30", "自治区": "20", "盟": "10"}
DEMO_RULES = [
    {"name": "组工信息按采用级别和篇幅计分", "source_kind": "adoption", "field_key": "key", "lookup": EXAMPLE_B},
    {"name": "组工信息领导批示加分", "source_kind": "instruction", "field_key": "instruction", "lookup": INSTRUCTIONS},
]

INFO_USER = "xinxi"

TOPICS = [
    "“双学双比”活动推动干部学用结合",
    "抓实嘎查村“两委”换届后培训",
    "“三会一课”规范化建设见成效",
    "选派第一书记助力牧区振兴",
    "年轻干部“墩苗”历练机制",
    "组工干部“业务讲堂”常态化开展",
    "党员教育专题片进牧区",
    "基层党组织标准化建设",
    "“光荣在党50年”纪念章颁发工作",
    "组织生活会质量提升",
]
PARAGRAPH = (
    "今年以来，我们坚持以习近平新时代中国特色社会主义思想为指导，把学习教育与业务工作结合起来，"
    "制定具体措施，明确责任分工，定期调度推进，做到学有目标、比有标准、干有成效。"
)


def load_orginfo_rules(actor) -> int:
    """The 组工信息 indicator and its two rules in each open demo campaign, unless an admin's
    version of them (any rule of the kind, active or not) is there."""
    return load_lookup_rules(actor, indicator=INDICATOR, source_type=SOURCE_TYPE, rules=DEMO_RULES)


def _info_user(counties: list[Unit]) -> User:
    user = User.objects.filter(username=INFO_USER).first()
    if user is None:
        user = User(username=INFO_USER, full_name="旗县组工信息员（演示）", must_change_password=False, is_demo=True)
        user.password_changed_at = timezone.now()
        from xuebi.org.demo import DEMO_PASSWORD

        user.set_password(DEMO_PASSWORD)
        user.save()
    for county in counties:
        RoleGrant.objects.get_or_create(user=user, role=Role.CADRE, unit=county)
    return user


def _month_start(today: dt.date, back: int) -> dt.date:
    months = today.year * 12 + today.month - 1 - back
    return dt.date(months // 12, months % 12 + 1, 1)


# outlet of the n-th adopted item of a county: mostly 本级 and 盟, now and then 自治区, rarely 中组部
OUTLETS = ["own", "league", "own", "region", "league", "own", "league", "central"]


@transaction.atomic
def load_orginfo_demo() -> int:
    """Create the demo's rules and items; return how many items there are (0 when already loaded)."""
    league = User.objects.filter(username="league").first()
    abag_admin, cadre = User.objects.filter(username="abag").first(), User.objects.filter(username="cadre").first()
    counties = list(Unit.objects.filter(kind=UnitKind.COUNTY_DEPT, depth=2, is_active=True).order_by("path"))
    if league is None or not counties:
        return 0
    with context.acting_as(league, ip="127.0.0.1"):
        load_orginfo_rules(league)
    if InfoItem.objects.exists():
        return 0
    today = timezone.localdate()
    info = _info_user(counties)
    made = 0
    for c, county in enumerate(counties):
        people = list(Person.objects.filter(unit__path__startswith=county.path, status="active").order_by("pk")[:4])
        if not people:
            continue
        mine = abag_admin is not None and county.name == "阿巴嘎旗委组织部"
        sender = abag_admin if mine else info
        short = (county.short_name or county.name).removesuffix("委组织部")
        adopted = 0
        for back in range(3, -1, -1):
            first = _month_start(today, back)
            last_day = min(today, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
            for i in range(1 + (c + back) % 3 + (1 if mine else 0)):
                day = min(first + dt.timedelta(days=(3 * c + 9 * i + 2) % 27), last_day)
                authors = [people[(c + i) % len(people)]] + (
                    [people[(c + i + 1) % len(people)]] if i % 2 and len(people) > 1 else []
                )
                if mine and cadre is not None and cadre.person_id and back == 1 and i == 0:
                    authors = [cadre.person]
                long_piece = (c + i + back) % 2 == 0
                with context.acting_as(sender, ip="127.0.0.1"):
                    item = services.item_save(
                        actor=sender,
                        unit=county,
                        title=f"{short}：{TOPICS[(c + 3 * back + i) % len(TOPICS)]}",
                        text=PARAGRAPH * (12 if long_piece else 3),
                        submitted_on=day,
                        authors=authors,
                        submit=True,
                    )
                made += 1
                on = day + dt.timedelta(days=4)
                if (c + i + back) % 3 == 0 or on > today:
                    continue  # not adopted (yet)
                outlet = OUTLETS[(adopted + c) % len(OUTLETS)]
                with context.acting_as(league, ip="127.0.0.1"):
                    services.adoption_record(
                        actor=league,
                        item=item,
                        outlet=outlet,
                        adopted_on=on,
                        instruction="league" if c == 0 and adopted == 0 else "",
                        note="组工信息专报" if outlet != "own" else "本级简报",
                    )
                    if outlet == "region" and (c + back) % 2 == 0 and on + dt.timedelta(days=3) <= today:
                        # taken by the league's 简报 too: one item, two adoptions
                        services.adoption_record(actor=league, item=item, outlet="league", adopted_on=on + dt.timedelta(days=3))
                adopted += 1
        if mine:
            with context.acting_as(sender, ip="127.0.0.1"):
                services.item_save(
                    actor=sender,
                    unit=county,
                    title=f"{short}：{TOPICS[-1]}（草稿）",
                    text=PARAGRAPH,
                    submitted_on=today,
                    authors=people[:1],
                )
                withdrawn = services.item_save(
                    actor=sender,
                    unit=county,
                    title=f"{short}：{TOPICS[-2]}（重复报送）",
                    text=PARAGRAPH * 2,
                    submitted_on=today,
                    authors=people[:1],
                    submit=True,
                )
                services.item_withdraw(actor=sender, item=withdrawn)
            made += 2
    return made
