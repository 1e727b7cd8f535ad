"""Every write to a campaign's score sheet: 考核指标 (indicators) and 积分规则 (rules).

Rules are data (DESIGN.md "Rules are data"), and the journal must keep pointing at the figures
each entry was computed with ("One journal"). So a rule's figures are never edited: changing them
writes a new rule that ``supersedes`` the old one, which is deactivated, in one transaction. Only
the name, which no entry was computed with, is edited in place.

Campaigns are league-wide, so the check is the role (league admin), not a unit scope.
``actor=None`` is the system itself (the demo loader), never a request.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff, snapshot
from xuebi.core.formatting import points_text
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role

from .. import sources
from ..choices import Dimension, Recipients, RuleMethod
from ..models import Campaign, Indicator, Rule

__all__ = [
    "INDICATOR_ATTRS",
    "RULE_FIGURES",
    "RULE_ATTRS",
    "HOURS_KEY",
    "indicator_save",
    "rule_create",
    "rule_change",
    "rule_deactivate",
    "check_rule",
    "parse_lookup",
    "lookup_as_text",
    "kind_field_options",
    "describe_rule",
]

INDICATOR_ATTRS = ["dimension", "name", "max_points", "sort_order"]
# What an award is computed with: changing any of these makes a new rule row.
RULE_FIGURES = [
    "indicator",
    "source_type",
    "source_kind",
    "method",
    "points",
    "field_key",
    "lookup",
    "recipients",
    "cap_day",
    "cap_week",
    "cap_month",
    "cap_campaign",
    "once_per_value",
]
RULE_ATTRS = ["name", *RULE_FIGURES]
AUDITED_RULE_ATTRS = [*RULE_ATTRS, "is_active"]
HOURS_KEY = "hours"
CAP_FIELDS = {"cap_day": "每日上限", "cap_week": "每周上限", "cap_month": "每月上限", "cap_campaign": "活动期间上限"}
MAX_POINTS = Decimal("99999999.99")


# --- guards -----------------------------------------------------------------------------------


def _require_league_admin(actor) -> None:
    if actor is not None and not has_role(actor, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以设置考核指标和积分规则。")


def _require_open(campaign: Campaign) -> None:
    # A closed campaign is frozen: its rankings are final, so its rules no longer change.
    if campaign.is_closed:
        raise ValidationError(f"活动“{campaign.name}”已结束，不能再修改考核指标和积分规则。")


def _snapshot(obj, fields: list[str]) -> dict:
    """``audit.snapshot`` with decimals written the same way whether read from the database (30.00)
    or typed (30), so an unchanged figure is not audited as a change."""
    data = snapshot(obj, fields)
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, Decimal):
            data[name] = points_text(value)
    return data


# --- indicators -------------------------------------------------------------------------------


def _check_indicator(indicator: Indicator) -> None:
    errors: dict[str, list[str]] = {}
    if not indicator.name:
        errors.setdefault("name", []).append("请填写指标名称。")
    elif Indicator.objects.filter(campaign=indicator.campaign_id, name=indicator.name).exclude(pk=indicator.pk).exists():
        errors.setdefault("name", []).append(f"本活动已有名为“{indicator.name}”的指标。")
    if indicator.dimension not in Dimension.values:
        errors.setdefault("dimension", []).append("请选择类别（学理论、学业务、比党性、比工作）。")
    if indicator.max_points is not None and not (0 < indicator.max_points <= MAX_POINTS):
        errors.setdefault("max_points", []).append("满分应大于0；不设上限请留空。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_save(
    *,
    actor,
    campaign: Campaign | None = None,
    indicator: Indicator | None = None,
    dimension: str,
    name: str,
    max_points: Decimal | None = None,
    sort_order: int = 100,
) -> Indicator:
    """Create an indicator in ``campaign``, or change ``indicator``.

    The 类别 of an indicator that rules already count towards stays as it is: the journal's
    entries carry the 类别 they were earned in, and a score sheet whose lines move between 类别
    after points were given would no longer add up.
    """
    _require_league_admin(actor)
    if indicator is None:
        if campaign is None:
            raise ValueError("indicator_save needs a campaign or an indicator")
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        indicator, before = Indicator(campaign=campaign), {}
    else:
        indicator = Indicator.objects.select_for_update().select_related("campaign").get(pk=indicator.pk)
        before = _snapshot(indicator, INDICATOR_ATTRS)
        if dimension != indicator.dimension and indicator.rules.exists():
            raise ValidationError({"dimension": "该指标已有积分规则，不能再改类别；请新建指标。"})
    _require_open(indicator.campaign)
    indicator.dimension = dimension
    indicator.name = (name or "").strip()
    indicator.max_points = max_points
    indicator.sort_order = sort_order
    _check_indicator(indicator)
    indicator.full_clean()
    indicator.save()
    changes = diff(before, _snapshot(indicator, INDICATOR_ATTRS))
    if changes:
        audit_record(action=Action.INDICATOR_SAVE, actor=actor, target=indicator, changes=changes)
    return indicator


# --- lookups ----------------------------------------------------------------------------------

_LINE = re.compile(r"^(?P<label>.+?)\s*[=＝:：]\s*(?P<points>\S+)$")


def _lookup_points(raw, where: str) -> str:
    if isinstance(raw, bool):
        raise ValidationError(f"{where}的分值应为数字。")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{where}的分值“{raw}”不是数字。") from None
    if not value.is_finite():
        raise ValidationError(f"{where}的分值“{raw}”不是数字。")
    if value < 0:
        raise ValidationError(f"{where}的分值不能为负数。")
    if value > MAX_POINTS or value != value.quantize(Decimal("0.01")):
        raise ValidationError(f"{where}的分值最多两位小数。")
    return points_text(value)


def parse_lookup(value) -> dict[str, str]:
    """选项分值 as a dict {choice label: points as a decimal string}.

    Accepts a dict, a JSON object, or lines as people type them: ``中央=10`` (also ``：`` ``:``
    ``＝``). Points are kept as decimal strings so the engine never meets a float.
    """
    if value in (None, ""):
        return {}
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError("选项分值不是有效的 JSON；也可以每行写一个“选项=分值”，如 中央=10。") from None
    if isinstance(value, dict):
        result = {}
        for label, points in value.items():
            label = str(label).strip()
            if not label:
                raise ValidationError("选项名称不能为空。")
            result[label] = _lookup_points(points, f"选项“{label}”")
        return result
    if not isinstance(value, str):
        raise ValidationError("选项分值应写成每行一个“选项=分值”，如 中央=10。")
    result = {}
    for number, line in enumerate(value.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if not match:
            raise ValidationError(f"第{number}行“{line}”应写成“选项=分值”，如 中央=10。")
        label = match["label"].strip()
        if label in result:
            raise ValidationError(f"第{number}行的选项“{label}”重复。")
        result[label] = _lookup_points(match["points"], f"第{number}行“{label}”")
    return result


def ordered_lookup(lookup: dict) -> list[tuple[str, str]]:
    """Options by their points, highest first (中央 10, 自治区 5 …): PostgreSQL's jsonb does not
    keep the order the options were typed in."""

    def points(value) -> Decimal:
        try:
            return Decimal(str(value))
        except ArithmeticError:  # a value still being corrected on the form
            return Decimal(0)

    return sorted((lookup or {}).items(), key=lambda item: (-points(item[1]), item[0]))


def lookup_as_text(lookup: dict) -> str:
    return "\n".join(f"{label}={points}" for label, points in ordered_lookup(lookup))


# --- what a rule may count on -----------------------------------------------------------------


def _kind(code: str, source_type: str = "ledger"):
    return sources.kind(code, source_type)


def _has_hours(kind) -> bool:
    return kind.attendee_hours or any(f["key"] == HOURS_KEY and f["type"] == "number" for f in kind.fields)


FITTING_TYPES: dict[str, set[str]] = {
    RuleMethod.PER_UNIT: {"number"},
    RuleMethod.LOOKUP: {"choice"},
    RuleMethod.FIXED: {"choice", "text", "number", "date"},
}
TYPE_LABELS = {"number": "数字", "choice": "单选", "text": "文本", "date": "日期"}


def kind_field_options(kind, method: str | None = None, *, once_per_value: bool = False) -> list[tuple[str, str]]:
    """[(key, label)] of the fields a rule on this kind may count on (all fitting ones when no method)."""
    if kind is None:
        return []
    if once_per_value:
        types = {"choice"}
    elif method:
        types = FITTING_TYPES.get(method, set())
    else:
        types = set().union(*FITTING_TYPES.values())
    options = []
    if method in (None, "", RuleMethod.PER_UNIT) and not once_per_value and _has_hours(kind):
        options.append((HOURS_KEY, "学时（每人的学时）"))
    for f in kind.fields:
        if f["type"] in types and not (f["key"] == HOURS_KEY and options and options[0][0] == HOURS_KEY):
            options.append((f["key"], f"{f['label']}（{TYPE_LABELS.get(f['type'], f['type'])}）"))
    return options


def check_rule(values: dict, *, campaign: Campaign) -> dict:
    """Check a rule's attributes against its campaign and its source kind; return them normalized.

    One validator for the page, the API and the demo. Raises ValidationError keyed by field, each
    message naming what is wrong in Chinese.
    """
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    v = dict(values)
    v["name"] = (v.get("name") or "").strip()
    if not v["name"]:
        fail("name", "请填写规则名称。")
    indicator = v.get("indicator")
    if indicator is None:
        fail("indicator", "请选择考核指标。")
    elif indicator.campaign_id != campaign.pk:
        fail("indicator", "该考核指标不属于本活动。")
    v["source_type"] = v.get("source_type") or "ledger"
    if v["source_type"] not in sources.source_types():
        fail("source_kind", f"来源应为{'、'.join(sources.source_types().values())}之一。")
    v["source_kind"] = (v.get("source_kind") or "").strip()
    kind = None
    if not v["source_kind"]:
        fail("source_kind", "请选择台账类型。")
    else:
        kind = _kind(v["source_kind"], v["source_type"])
        if kind is None:
            label = "台账类型" if v["source_type"] == "ledger" else sources.source_types().get(v["source_type"], "来源")
            fail("source_kind", f"没有启用的{label}“{v['source_kind']}”。")
    method = v.get("method") or RuleMethod.FIXED
    v["method"] = method
    if method not in RuleMethod.values:
        fail("method", "请选择计分方式（每项固定分值、按数值计分或按选项计分）。")
    points = v.get("points")
    if method == RuleMethod.LOOKUP:
        v["points"] = Decimal(0)  # a lookup's points are in the lookup; a leftover figure would only mislead
    elif points is None:
        fail("points", "请填写分值。")
    elif not (0 < points <= MAX_POINTS):
        fail("points", "分值应大于0。")
    v["field_key"] = (v.get("field_key") or "").strip()
    v["once_per_value"] = bool(v.get("once_per_value"))
    try:
        v["lookup"] = parse_lookup(v.get("lookup"))
    except ValidationError as exc:
        fail("lookup", exc.messages[0])
        v["lookup"] = {}
    recipients = v.get("recipients") or Recipients.AUTHOR
    v["recipients"] = recipients
    if recipients not in Recipients.values:
        fail("recipients", "请选择得分人。")
    for cap, label in CAP_FIELDS.items():
        value = v.get(cap)
        v[cap] = value if value not in ("",) else None
        if v[cap] is not None and not (0 < v[cap] <= MAX_POINTS):
            fail(cap, f"{label}应大于0；不设上限请留空。")

    # The field a rule counts on, checked against the kind's own fields.
    key = v["field_key"]
    fields = {f["key"]: f for f in kind.fields} if kind is not None else {}
    if method == RuleMethod.PER_UNIT:
        if v["once_per_value"]:
            fail("once_per_value", "按数值计分的规则不能设“每个选项只计一次”。")
        if not key:
            fail("field_key", "按数值计分须选择计分字段：学时（hours）或一个数字字段。")
        elif kind is not None and key == HOURS_KEY and _has_hours(kind):
            pass
        elif kind is not None and key not in fields:
            fail("field_key", f"台账类型“{kind.name}”没有字段“{key}”" + ("，也不记录学时。" if key == HOURS_KEY else "。"))
        elif kind is not None and fields[key]["type"] != "number":
            fail("field_key", f"按数值计分须选择数字字段，“{fields[key]['label']}”不是数字字段。")
    elif method == RuleMethod.LOOKUP:
        if not key:
            fail("field_key", "按选项计分须选择一个单选字段，如 采用级别（level）。")
        elif kind is not None and key not in fields:
            fail("field_key", f"台账类型“{kind.name}”没有字段“{key}”。")
        elif kind is not None and fields[key]["type"] != "choice":
            fail("field_key", f"按选项计分须选择单选字段，“{fields[key]['label']}”不是单选字段。")
        if not v["lookup"] and "lookup" not in errors:
            fail("lookup", "按选项计分须填写选项分值，每行一个，如 中央=10。")
        elif kind is not None and key in fields and fields[key]["type"] == "choice":
            choices = fields[key].get("choices", [])
            unknown = [label for label in v["lookup"] if label not in choices]
            if unknown:
                fail("lookup", f"“{'、'.join(unknown)}”不是字段“{fields[key]['label']}”的选项（{'、'.join(choices)}）。")
    else:
        if v["once_per_value"] and not key:
            fail("field_key", "“每个选项只计一次”须选择一个单选字段作为计分字段，如 项目（item）。")
        elif key and kind is not None and key not in fields:
            fail("field_key", f"台账类型“{kind.name}”没有字段“{key}”。")
        elif key and kind is not None:
            wanted = {"choice"} if v["once_per_value"] else FITTING_TYPES[RuleMethod.FIXED]
            if fields[key]["type"] not in wanted:
                fail(
                    "field_key",
                    f"“{fields[key]['label']}”不能作为计分字段"
                    + ("：“每个选项只计一次”须选择单选字段。" if v["once_per_value"] else "。"),
                )
    if method != RuleMethod.LOOKUP and v["lookup"]:
        fail("lookup", "只有按选项计分的规则才填写选项分值。")
    if kind is not None and not kind.is_group and recipients == Recipients.ATTENDEES:
        fail("recipients", f"“{kind.name}”为个人记录，没有参加人员；请选择记录人。")
    if errors:
        raise ValidationError(errors)
    return v


# --- rules ------------------------------------------------------------------------------------


def _rule_snapshot(rule: Rule) -> dict:
    data = _snapshot(rule, AUDITED_RULE_ATTRS)
    data["lookup"] = dict(rule.lookup or {})
    return data


@transaction.atomic
def rule_create(
    *,
    actor,
    campaign: Campaign,
    name: str,
    indicator: Indicator,
    source_kind: str,
    method: str = RuleMethod.FIXED,
    points: Decimal | None = Decimal("1"),
    field_key: str = "",
    lookup=None,
    recipients: str = Recipients.AUTHOR,
    cap_day: Decimal | None = None,
    cap_week: Decimal | None = None,
    cap_month: Decimal | None = None,
    cap_campaign: Decimal | None = None,
    once_per_value: bool = False,
    source_type: str = "ledger",
) -> Rule:
    _require_league_admin(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require_open(campaign)
    values = check_rule(
        {
            "name": name,
            "indicator": indicator,
            "source_type": source_type,
            "source_kind": source_kind,
            "method": method,
            "points": points,
            "field_key": field_key,
            "lookup": lookup,
            "recipients": recipients,
            "cap_day": cap_day,
            "cap_week": cap_week,
            "cap_month": cap_month,
            "cap_campaign": cap_campaign,
            "once_per_value": once_per_value,
        },
        campaign=campaign,
    )
    rule = Rule(campaign=campaign, **{k: values[k] for k in RULE_ATTRS})
    rule.full_clean()
    rule.save()
    audit_record(action=Action.RULE_SAVE, actor=actor, target=rule, changes=diff({}, _rule_snapshot(rule)))
    return rule


@transaction.atomic
def rule_change(*, actor, rule: Rule, **attrs) -> Rule:
    """Change a rule. New figures → a new rule superseding this one (returned); a new name only →
    the same rule, renamed."""
    _require_league_admin(actor)
    unknown = set(attrs) - set(RULE_ATTRS)
    if unknown:
        raise ValueError(f"rule_change does not change {', '.join(sorted(unknown))}")
    old = Rule.objects.select_for_update().select_related("campaign", "indicator").get(pk=rule.pk)
    _require_open(old.campaign)
    if not old.is_active:
        raise ValidationError("该规则已停用或已被新规则取代，不能再修改；请修改现行的规则。")
    current = {name: getattr(old, name) for name in RULE_ATTRS}
    values = check_rule({**current, **attrs}, campaign=old.campaign)
    if values["method"] == current["method"] == RuleMethod.LOOKUP:
        values["points"] = current["points"]  # unused by a lookup: not a change of figures
    before = _rule_snapshot(old)
    figures_changed = any(_differs(current[name], values[name]) for name in RULE_FIGURES)
    if not figures_changed:
        if values["name"] != old.name:
            old.name = values["name"]
            old.full_clean()
            old.save(update_fields=["name"])
            audit_record(action=Action.RULE_SAVE, actor=actor, target=old, changes=diff(before, _rule_snapshot(old)))
        return old
    old.is_active = False
    old.save(update_fields=["is_active"])
    new = Rule(campaign=old.campaign, supersedes=old, **{k: values[k] for k in RULE_ATTRS})
    new.full_clean(exclude=["supersedes"])
    new.save()
    changes = diff(before, _rule_snapshot(new))
    changes.pop("is_active", None)
    changes["supersedes"] = [None, old.pk]
    audit_record(action=Action.RULE_SAVE, actor=actor, target=new, changes=changes)
    audit_record(
        action=Action.RULE_SAVE, actor=actor, target=old, changes={"is_active": [True, False], "superseded_by": [None, new.pk]}
    )
    return new


def _differs(a, b) -> bool:
    if isinstance(a, Indicator) or isinstance(b, Indicator):
        return getattr(a, "pk", None) != getattr(b, "pk", None)
    if isinstance(a, dict) or isinstance(b, dict):
        return parse_lookup(a or {}) != parse_lookup(b or {})
    return a != b


@transaction.atomic
def rule_deactivate(*, actor, rule: Rule) -> Rule:
    """Stop a rule from giving points to new approvals. What it gave stays in the journal."""
    _require_league_admin(actor)
    rule = Rule.objects.select_for_update().select_related("campaign").get(pk=rule.pk)
    _require_open(rule.campaign)
    if not rule.is_active:
        raise ValidationError("该规则已经停用。")
    rule.is_active = False
    rule.save(update_fields=["is_active"])
    audit_record(action=Action.RULE_SAVE, actor=actor, target=rule, changes={"is_active": [True, False]})
    return rule


# --- reading a rule as a sentence -------------------------------------------------------------


def describe_rule(rule: Rule, kind_names: dict[str, str] | None = None, field_labels: dict[str, str] | None = None) -> str:
    """“每条记录1分，记录人得分；每日最多2分” — what the score sheet shows under a rule's name."""
    field_labels = field_labels or {}
    label = field_labels.get(rule.field_key, rule.field_key)
    if rule.method == RuleMethod.FIXED:
        text = f"每条{points_text(rule.points)}分"
        if rule.once_per_value and rule.field_key:
            text += f"，每个“{label}”在活动期间只计一次"
    elif rule.method == RuleMethod.PER_UNIT:
        unit = "学时" if rule.field_key == HOURS_KEY else f"单位“{label}”"
        text = f"每{unit}{points_text(rule.points)}分"
    else:
        pairs = "、".join(f"{k}{points_text(v)}分" for k, v in ordered_lookup(rule.lookup))
        text = f"按“{label}”：{pairs}"
        if rule.once_per_value:
            text += "，每个选项只计一次"
    text += f"；{rule.get_recipients_display()}得分"
    caps = [
        f"{CAP_FIELDS[name][:-2]}最多{points_text(getattr(rule, name))}分"
        for name in CAP_FIELDS
        if getattr(rule, name) is not None
    ]
    if caps:
        text += "；" + "，".join(caps)
    return text


def lookup_rule_sync(
    *, actor, source_type: str, source_kind: str, campaign, indicator, name: str, field_key: str, lookup: dict[str, str]
) -> Rule | None:
    """The one LOOKUP rule another app's settings make (a contest's award levels, an exam's 满分 /
    及格): created when the settings name an indicator and some points, changed (a new version,
    ``rule_change``) when they change, stopped when the indicator or the points are taken away,
    and moved (stopped, made again) when the campaign changes."""
    rule = Rule.objects.filter(source_type=source_type, source_kind=source_kind, is_active=True).first()
    if indicator is None or not lookup:
        if rule is not None:
            rule_deactivate(actor=actor, rule=rule)
        return None
    attrs: dict[str, Any] = {
        "name": name[:100],
        "indicator": indicator,
        "method": RuleMethod.LOOKUP,
        "field_key": field_key,
        "lookup": lookup,
        "recipients": Recipients.AUTHOR,
    }
    if rule is not None and rule.campaign_id == campaign.pk:
        return rule_change(actor=actor, rule=rule, **attrs)
    if rule is not None:
        rule_deactivate(actor=actor, rule=rule)
    return rule_create(actor=actor, campaign=campaign, source_type=source_type, source_kind=source_kind, points=None, **attrs)
