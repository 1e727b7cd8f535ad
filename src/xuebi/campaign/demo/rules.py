"""The demo score sheet of the demo campaigns (this year's and last year's 双学双比): one indicator per 类别 with its maximum, and rules for the
demo record kinds (``ledger/demo_kinds.py``) — the examples of issue 4 and a few more.

Idempotent and respectful of an admin's changes: an indicator is created only when no indicator
of its name exists; a rule only when no rule of its name, and none for the same record kind and
recipients, exists in any version (changed, renamed or stopped rules are not created again).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from .. import sources
from ..choices import Dimension, Recipients, RuleMethod
from .campaigns import demo_campaigns
from ..models import Campaign, Indicator, Rule
from ..services.rules import indicator_save, rule_create

__all__ = ["DEMO_INDICATORS", "DEMO_RULES", "load_demo_rules", "load_lookup_rules"]

D = Decimal

DEMO_INDICATORS = [
    {"dimension": Dimension.THEORY, "name": "理论学习", "max_points": D("30"), "sort_order": 10},
    {"dimension": Dimension.BUSINESS, "name": "业务学习", "max_points": D("20"), "sort_order": 20},
    {"dimension": Dimension.PARTY_SPIRIT, "name": "党性锻炼", "max_points": D("25"), "sort_order": 30},
    {"dimension": Dimension.WORK, "name": "工作实绩", "max_points": D("25"), "sort_order": 40},
]


def _rule(indicator: str, name: str, kind: str, method=RuleMethod.FIXED, points="1", **extra) -> dict:
    caps = {k: D(v) for k, v in extra.items() if k.startswith("cap_")}
    rest = {k: v for k, v in extra.items() if not k.startswith("cap_")}
    return {
        "indicator": indicator,
        "name": name,
        "source_kind": kind,
        "method": method,
        "points": D(points) if points is not None else None,
        **caps,
        **rest,
    }


DEMO_RULES = [
    # 学理论
    _rule("理论学习", "自学每项1分，每日最多2分", "self_study", points="1", cap_day="2"),
    _rule("理论学习", "讲党课每次5分（讲课人）", "give_lecture", points="5", recipients=Recipients.PRESENTER),
    _rule(
        "理论学习", "集中学习每学时0.5分", "group_study", RuleMethod.PER_UNIT, "0.5", field_key="hours", recipients=Recipients.ALL
    ),
    _rule(
        "理论学习",
        "党史夜校每学时0.5分",
        "party_history_night",
        RuleMethod.PER_UNIT,
        "0.5",
        field_key="hours",
        recipients=Recipients.ALL,
    ),
    _rule(
        "理论学习",
        "每晚学一小时每学时0.5分，每日最多0.5分",
        "nightly_hour",
        RuleMethod.PER_UNIT,
        "0.5",
        field_key="hours",
        cap_day="0.5",
    ),
    # 学业务
    _rule("业务学习", "业务讲堂主讲每次3分", "business_lecture", points="3", recipients=Recipients.PRESENTER),
    _rule("业务学习", "业务讲堂听讲每次1分", "business_lecture", points="1", recipients=Recipients.ATTENDEES),
    _rule(
        "业务学习",
        "培训班每学时0.5分，活动期间最多10分",
        "training",
        RuleMethod.PER_UNIT,
        "0.5",
        field_key="hours",
        recipients=Recipients.ALL,
        cap_campaign="10",
    ),
    _rule("业务学习", "学习考察每次2分", "study_trip", points="2", recipients=Recipients.ALL),
    # 比党性
    _rule("党性锻炼", "主题党日每次1分，每月最多1分", "theme_day", points="1", recipients=Recipients.ALL, cap_month="1"),
    _rule("党性锻炼", "廉政“六个一”每项1分，每项只计一次", "integrity_six", points="1", field_key="item", once_per_value=True),
    _rule("党性锻炼", "办实事每件2分，每月最多4分", "practical_service", points="2", cap_month="4"),
    _rule("党性锻炼", "走访慰问每次1分，每月最多2分", "condolence", points="1", cap_month="2"),
    # 比工作
    # 组工信息: the orginfo app's rules (source type "orginfo"), loaded by orginfo/demo.py
    _rule(
        "工作实绩",
        "媒体发表按媒体级别计分",
        "media_publication",
        RuleMethod.LOOKUP,
        None,
        field_key="level",
        lookup={"中央": "8", "自治区": "4", "盟": "2", "旗县": "1"},
    ),
    _rule(
        "工作实绩",
        "宣传稿件原创1分、转发0.2分，每月最多5分",
        "publicity",
        RuleMethod.LOOKUP,
        None,
        field_key="origin",
        lookup={"原创": "1", "转发": "0.2"},
        cap_month="5",
    ),
]


@transaction.atomic
def load_demo_rules(actor=None) -> int:
    """Create the demo campaigns' missing indicators and rules; return how many were created.

    Run after the demo campaigns and the demo record kinds, and before the demo records are
    approved (so their approvals earn points). A rule whose record kind is missing or stopped is
    skipped; nothing is created in a missing or closed campaign.
    """
    names = [spec["name"] for spec in demo_campaigns()]
    return sum(_load_into(campaign, actor) for campaign in Campaign.objects.filter(name__in=names, is_closed=False))


def _load_into(campaign: Campaign, actor) -> int:
    created = 0
    indicators = {i.name: i for i in campaign.indicators.all()}
    for spec in DEMO_INDICATORS:
        if spec["name"] not in indicators:
            indicators[spec["name"]] = indicator_save(actor=actor, campaign=campaign, **spec)
            created += 1
    kinds = {kind.code for kind in sources.kinds()}
    # Any version of a rule, active or not, renamed or not, counts as present: an admin's word stands.
    rows = Rule.objects.filter(campaign=campaign).values_list("name", "source_kind", "recipients")
    names = {name for name, _, _ in rows}
    present = {(kind, recipients) for _, kind, recipients in rows}
    for spec in DEMO_RULES:
        source = (spec["source_kind"], spec.get("recipients", Recipients.AUTHOR))
        if spec["name"] in names or source in present or spec["source_kind"] not in kinds:
            continue
        indicator: Indicator | None = indicators.get(spec["indicator"])
        if indicator is None:
            continue
        rule_create(actor=actor, campaign=campaign, **{**spec, "indicator": indicator})
        created += 1
    return created


def load_lookup_rules(actor, *, indicator: dict, source_type: str, rules: list[dict]) -> int:
    """Another app's demo score sheet: in each open campaign, its indicator (unless one of the name
    is there) and its LOOKUP rules (unless a rule of the source type and kind is there, in any
    version). Answers how many were created. Used by the 组工信息 and checklists demos."""
    created = 0
    for campaign in Campaign.objects.filter(is_closed=False):
        target = Indicator.objects.filter(campaign=campaign, name=indicator["name"]).first()
        if target is None:
            target = indicator_save(actor=actor, campaign=campaign, **indicator)
            created += 1
        present = set(Rule.objects.filter(campaign=campaign, source_type=source_type).values_list("source_kind", flat=True))
        for spec in rules:
            if spec["source_kind"] in present:
                continue
            rule_create(
                actor=actor,
                campaign=campaign,
                indicator=target,
                method=RuleMethod.LOOKUP,
                points=None,
                source_type=source_type,
                **spec,
            )
            created += 1
    return created
