"""Reads of 组工信息 that know the user: the items a user sees, the units they may submit for, the
ranking of the county departments (``ranking`` for the pure part), what an adoption is worth under
the campaign's rules, and the annual summary's figure (items adopted at 盟 or above)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Prefetch, Q

from xuebi.campaign.choices import RuleMethod
from xuebi.campaign.models import Rule
from xuebi.org.choices import ADMIN_ROLES, Role, UnitKind
from xuebi.org.models import Unit
from xuebi.org.scoping import grants_of, subtree_q, unit_paths

from . import conf
from . import ranking as rk
from .models import Adoption, InfoAuthor, InfoItem, ItemStatus, county_path

__all__ = [
    "SOURCE_TYPE",
    "submit_units",
    "items",
    "item_detail",
    "rules_between",
    "adoption_points",
    "Ranking",
    "ranking",
    "adopted_items",
]

SOURCE_TYPE = "orginfo"


def submit_units(user):
    """The departments ``user`` may submit items for: the league's children (the county departments
    and the league department's sections) that the user's admin grants reach, and the department
    each of their cadre or admin grants sits in."""
    own = {county_path(path) for role, path, _u in grants_of(user) if path and role in (Role.CADRE, *ADMIN_ROLES)}
    q = Q(path__in=own) | subtree_q(unit_paths(user, ADMIN_ROLES), "")
    return Unit.objects.filter(q, depth=2, is_active=True).order_by("path")


def with_people(rows):
    return rows.select_related("unit", "submitted_by").prefetch_related(
        Prefetch("author_rows", queryset=InfoAuthor.objects.select_related("person")),
        Prefetch("adoptions", queryset=Adoption.objects.standing().order_by("adopted_on", "pk"), to_attr="standing"),
    )


def items(user, action: str = "view"):
    """The items ``user`` may ``action``, with their authors and standing adoptions (a list page's
    rows: a fixed number of queries however many)."""
    return with_people(InfoItem.objects.visible_to(user, action))


def item_detail(item: InfoItem) -> dict:
    adoptions = list(item.adoptions.select_related("recorded_by", "undone_by").order_by("adopted_on", "pk"))
    return {
        "authors": [row.person for row in item.author_rows.select_related("person__unit")],
        "adoptions": adoptions,
        "standing": [a for a in adoptions if a.is_standing],
    }


# --- points under the rules ---------------------------------------------------------------------


def rules_between(start: dt.date, end: dt.date) -> list[Rule]:
    """The active 组工信息 rules of the campaigns overlapping the dates."""
    return list(
        Rule.objects.filter(
            source_type=SOURCE_TYPE, is_active=True, campaign__start_date__lte=end, campaign__end_date__gte=start
        ).select_related("campaign")
    )


def _value(rule: Rule, data: dict) -> Decimal:
    if rule.method == RuleMethod.FIXED:
        return rule.points or Decimal(0)
    if rule.method == RuleMethod.LOOKUP:
        try:
            return Decimal(str(rule.lookup.get(data.get(rule.field_key, ""), 0)))
        except (InvalidOperation, ValueError):
            return Decimal(0)
    return Decimal(0)  # a per-unit rule has no number to count on here


def adoption_points(adoption: Adoption, rules: list[Rule]) -> Decimal:
    """What the rules' table gives the adoption (and its 批示), once — before any person's caps. The
    department ranking counts a piece once, however many authors share it; the journal gives each
    author the rule's points (``points/orginfo_source``)."""
    total = Decimal(0)
    for rule in rules:
        if not rule.campaign.start_date <= adoption.adopted_on <= rule.campaign.end_date:
            continue
        if rule.source_kind == "adoption":
            total += _value(rule, adoption.source_data())
        elif rule.source_kind == "instruction" and adoption.instruction:
            total += _value(rule, adoption.instruction_data())
    return total


# --- the ranking ----------------------------------------------------------------------------------


@dataclass
class Ranking:
    period: rk.Period
    quota: conf.Quota
    outlets: list[conf.Outlet]
    rows: list[rk.Row]

    @property
    def any_points(self) -> bool:
        return any(r.tally.points for r in self.rows)


def counties():
    return Unit.objects.filter(kind=UnitKind.COUNTY_DEPT, depth=2, is_active=True).order_by("path")


def ranking(period: rk.Period) -> Ranking:
    """The county departments in ``period``: items submitted (报送日期 in it), standing adoptions
    (采用日期 in it) by outlet, the adoptions' points under the rules and the quota check. Every
    county is listed, also with nothing: a quota it misses is the point. Four queries."""
    units = list(counties().values_list("pk", "short_name", "name"))
    tallies = {pk: rk.Tally(pk, short or name) for pk, short, name in units}
    submitted = (
        InfoItem.objects.filter(unit_id__in=tallies, status=ItemStatus.SUBMITTED, submitted_on__range=(period.start, period.end))
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in submitted:
        tallies[row["unit_id"]].submitted = row["n"]
    rules = rules_between(period.start, period.end)
    quota_outlets = {o.code for o in conf.outlets() if o.counts_for_quota}
    adoptions = Adoption.objects.standing().filter(item__unit_id__in=tallies, adopted_on__range=(period.start, period.end))
    for adoption in adoptions.values_list("item__unit_id", "outlet", "length", "instruction", "adopted_on"):
        unit_id, outlet, length, instruction, adopted_on = adoption
        tally = tallies[unit_id]
        tally.adopted[outlet] = tally.adopted.get(outlet, 0) + 1
        tally.quota_adopted += outlet in quota_outlets
        tally.instructions += bool(instruction)
        tally.points += adoption_points(
            Adoption(outlet=outlet, length=length, instruction=instruction, adopted_on=adopted_on), rules
        )
    quota = conf.quota_for(period.kind)
    word = "本月" if period.kind == "month" else "本季度"
    return Ranking(period, quota, conf.outlets(), rk.rank(list(tallies.values()), quota, period_word=word))


# --- the annual summary's figure ------------------------------------------------------------------


def adopted_items(paths: list[str], start: dt.date, end: dt.date) -> int:
    """Items of the subtrees ``paths`` adopted at 盟 or above (an outlet that counts for the quota)
    between the dates — each item once, however many outlets took it (年度总结: 组工信息被盟级以上采用N篇)."""
    codes = [o.code for o in conf.outlets() if o.counts_for_quota]
    rows = Adoption.objects.standing().filter(subtree_q(paths, "item__unit"), outlet__in=codes, adopted_on__range=(start, end))
    return rows.values("item_id").distinct().count()


def ranking_table(result: Ranking) -> dict:
    """The ranking as a table of text (the .xlsx export and a 通报's table): columns, rows, widths,
    and per row the unit's id and name."""
    from xuebi.core.formatting import points_text

    quota = result.quota
    columns = ["名次", "单位", "报送", *[o.name for o in result.outlets], "批示", "积分"]
    widths = [1, 3, 1, *[1] * len(result.outlets), 1, 1.2]
    if quota.any:
        columns.append("任务完成情况")
        widths.append(3.4)
    rows, keys, names = [], [], []
    for row in result.rows:
        t = row.tally
        line = [str(row.rank), t.name, str(t.submitted), *[str(t.adopted.get(o.code, 0)) for o in result.outlets]]
        line += [str(t.instructions), points_text(t.points)]
        if quota.any:
            line.append("已完成" if row.quota_met else "；".join(row.shortfalls))
        rows.append(line)
        keys.append(t.unit_id)
        names.append(t.name)
    return {"columns": columns, "rows": rows, "widths": widths, "keys": keys, "names": names}


def quota_text(quota: conf.Quota, kind: str) -> str:
    """任务要求：每季度报送不少于10条，盟级以上采用不少于2条."""
    if not quota.any:
        return ""
    word = "每月" if kind == "month" else "每季度"
    parts = []
    if quota.items:
        parts.append(f"报送不少于{quota.items}条")
    if quota.adopted:
        parts.append(f"盟级以上采用不少于{quota.adopted}条")
    return f"任务要求：{word}" + "，".join(parts)
