"""Setting a contest up: its fields, rubric, award levels and panels, publishing it for entries,
and the points rule its award levels give (a rule of the campaign, like any other)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record, diff
from xuebi.campaign.models import Rule
from xuebi.campaign.services import rules as rule_services
from xuebi.org.choices import Role
from xuebi.org.models import Unit, User
from xuebi.org.scoping import has_role

from .. import scoring
from ..models import AwardBy, AwardLevel, Contest, ContestStatus, Criterion, Panel

__all__ = [
    "CONTEST_FIELDS",
    "parse_criteria",
    "parse_levels",
    "contest_save",
    "contest_open",
    "panels_save",
    "criteria_text",
    "levels_text",
]

CONTEST_FIELDS = [
    "title",
    "kind",
    "organizer",
    "description",
    "entry_start",
    "entry_end",
    "review_start",
    "review_end",
    "live",
    "blind",
    "judges_per_entry",
    "trim_from",
    "tie_break",
    "award_by",
    "final_top",
    "normalise",
    "campaign",
    "indicator",
]


def require_organizer(actor, contest: Contest | None = None, organizer: Unit | None = None) -> None:
    """Only a league admin over the organising unit sets a contest up."""
    unit = organizer or (contest.organizer if contest else None)
    if not has_role(actor, Role.LEAGUE_ADMIN) or (
        unit is not None and not Unit.objects.visible_to(actor, "change").filter(pk=unit.pk).exists()
    ):
        raise PermissionDenied("只有主办单位的盟级管理员可以设置评比。")


def _number(text: str, where: str, what: str) -> Decimal:
    try:
        value = Decimal(text.rstrip("%％"))
    except InvalidOperation:
        raise ValidationError(f"{where}：{what}“{text}”不是数字。") from None
    if not value.is_finite() or value < 0 or scoring.decimal_places(value) > 2:
        raise ValidationError(f"{where}：{what}“{text}”应为不小于 0、最多两位小数的数。")
    return value


def _lines(text: str) -> list[tuple[int, list[str]]]:
    return [(n, re.split(r"[\s,，、:：]+", line.strip())) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def parse_criteria(text: str) -> list[dict]:
    """The rubric as typed, one criterion a line: ``内容 40`` or ``内容 10 4`` (name, maximum,
    weight). A Chinese message naming the line for anything else."""
    made, names = [], set()
    for n, parts in _lines(text):
        where = f"评分标准第 {n} 行"
        if len(parts) not in (2, 3):
            raise ValidationError(f"{where}：请按“名称 满分”或“名称 满分 权重”填写，如“内容 40”。")
        name = parts[0][:50]
        maximum = _number(parts[1], where, "满分")
        weight = _number(parts[2], where, "权重") if len(parts) == 3 else Decimal(1)
        if maximum <= 0 or maximum > 1000:
            raise ValidationError(f"{where}：满分应在 0.01 到 1000 之间。")
        if weight <= 0 or weight > 100:
            raise ValidationError(f"{where}：权重应在 0.01 到 100 之间。")
        if name in names:
            raise ValidationError(f"{where}：评分项“{name}”重复。")
        names.add(name)
        made.append({"name": name, "max_score": maximum, "weight": weight})
    if not made:
        raise ValidationError("评分标准：至少填写一项，如“内容 40”。")
    return made


def parse_levels(text: str, award_by: str) -> list[dict]:
    """The award scheme as typed, one level a line: ``一等奖 1 20`` (name, how many — a count, or a
    share in % when awarding by shares, or ``其余`` for all the rest — and its points)."""
    made: list[dict[str, Any]] = []
    names: set[str] = set()
    for n, parts in _lines(text):
        where = f"奖项第 {n} 行"
        if len(parts) not in (2, 3):
            raise ValidationError(f"{where}：请按“奖项 名额（或比例%） 积分”填写，如“一等奖 1 20”。")
        name = parts[0][:20]
        count = share = None
        if parts[1] not in ("其余", "其他", "余下"):
            amount = _number(parts[1], where, "名额" if award_by == AwardBy.COUNT else "比例")
            if award_by == AwardBy.COUNT:
                if amount != amount.to_integral_value() or amount < 1:
                    raise ValidationError(f"{where}：名额应为正整数。")
                count = int(amount)
            else:
                if amount <= 0 or amount > 100:
                    raise ValidationError(f"{where}：比例应在 0 到 100（%）之间。")
                share = amount
        points = _number(parts[2], where, "积分") if len(parts) == 3 else Decimal(0)
        if name in names:
            raise ValidationError(f"{where}：奖项“{name}”重复。")
        names.add(name)
        made.append({"name": name, "count": count, "share": share, "points": points})
    open_levels = [m for m in made if m["count"] is None and m["share"] is None]
    if len(open_levels) > 1 or (open_levels and made[-1] is not open_levels[0]):
        raise ValidationError("奖项：“其余”只能用于最后一个奖项（如优秀奖）。")
    if award_by == AwardBy.SHARE and sum((m["share"] or Decimal(0) for m in made), Decimal(0)) > 100:
        raise ValidationError("奖项：各奖项比例之和不能超过 100%。")
    return made


def _figure(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def criteria_text(contest: Contest) -> str:
    return "\n".join(
        f"{c.name} {_figure(c.max_score)}" + ("" if c.weight == 1 else f" {_figure(c.weight)}") for c in contest.criteria.all()
    )


def levels_text(contest: Contest) -> str:
    def amount(level):
        if level.count is not None:
            return str(level.count)
        if level.share is not None:
            return f"{_figure(level.share)}%"
        return "其余"

    return "\n".join(f"{lv.name} {amount(lv)} {_figure(lv.points)}" for lv in contest.levels.all())


def _check(values: dict) -> None:
    errors = {}
    if values["entry_end"] < values["entry_start"]:
        errors["entry_end"] = "征集截止日期不能早于开始日期。"
    if values["review_start"] < values["entry_start"]:
        errors["review_start"] = "评审开始日期不能早于征集开始日期。"
    if values["review_end"] < values["review_start"]:
        errors["review_end"] = "评审截止日期不能早于开始日期。"
    if values.get("indicator") is not None and values.get("campaign") is None:
        errors["campaign"] = "选择了考核指标时，请同时选择计入的活动。"
    elif values.get("indicator") is not None and values["indicator"].campaign_id != values["campaign"].pk:
        errors["indicator"] = "考核指标不属于所选活动。"
    if values["trim_from"] < 3:
        errors["trim_from"] = "去掉最高分和最低分至少需要 3 位评委。"
    if errors:
        raise ValidationError(errors)


def _snapshot(contest: Contest) -> dict:
    data = {
        name: getattr(contest, f"{name}_id" if name in ("organizer", "campaign", "indicator") else name)
        for name in CONTEST_FIELDS
    }
    data = {k: (str(v) if not isinstance(v, (str, int, bool, type(None))) else v) for k, v in data.items()}
    data["criteria"] = criteria_text(contest) if contest.pk else ""
    data["units"] = sorted(contest.units.values_list("name", flat=True)) if contest.pk else []
    data["people"] = sorted(contest.people.values_list("name", flat=True)) if contest.pk else []
    data["levels"] = levels_text(contest) if contest.pk else ""
    return data


@transaction.atomic
def contest_save(
    *, actor, contest: Contest | None = None, values: dict, criteria: list[dict], levels: list[dict], units=None, people=None
) -> Contest:
    """Create or change a contest with its rubric and award levels, and — when given — who may
    enter (``units``: their subtrees; ``people``: these people only; empty: the organiser's whole
    subtree). Once scoring has begun the rubric is fixed (the scores were given against it)."""
    organizer = values.get("organizer") or (contest.organizer if contest else None)
    require_organizer(actor, contest, organizer)
    _check(values)
    before = _snapshot(contest) if contest else {}
    if contest is None:
        contest = Contest(created_by=actor)
    else:
        contest = Contest.objects.select_for_update().get(pk=contest.pk)
        if contest.status == ContestStatus.PUBLISHED:
            raise ValidationError("评比结果已公布，不能再修改设置；如需更正，请先撤回结果。")
    for name in CONTEST_FIELDS:
        if name in values:
            setattr(contest, name, values[name])
    contest.full_clean(exclude=["units", "people"])
    contest.save()
    scored = contest.pk and Criterion.objects.filter(contest=contest).exists() and _has_scores(contest)
    if scored:
        current = [(c.name, c.max_score, c.weight) for c in contest.criteria.all()]
        if current != [(c["name"], c["max_score"], c["weight"]) for c in criteria]:
            raise ValidationError({"criteria": "评委已开始评分，评分标准不能再修改。"})
    else:
        contest.criteria.all().delete()
        Criterion.objects.bulk_create([Criterion(contest=contest, sort_order=i, **c) for i, c in enumerate(criteria)])
    if units is not None:
        outside = [u.name for u in units if not u.path.startswith(contest.organizer.path)]
        if outside:
            raise ValidationError({"units": f"参评单位“{outside[0]}”不在主办单位范围内。"})
        contest.units.set(units)
    if people is not None:
        contest.people.set(people)
    contest.levels.all().delete()
    AwardLevel.objects.bulk_create([AwardLevel(contest=contest, sort_order=i, **lv) for i, lv in enumerate(levels)])
    if not contest.panels.exists():
        Panel.objects.create(contest=contest, name="评审组")
    _sync_rule(actor, contest)
    audit_record(action=Action.CONTEST_SAVE, actor=actor, target=contest, changes=diff(before, _snapshot(contest)))
    return contest


def _has_scores(contest: Contest) -> bool:
    from ..models import Score

    return Score.objects.filter(assignment__entry__contest=contest).exists()


def _sync_rule(actor, contest: Contest) -> Rule | None:
    """The campaign rule that turns the contest's award levels into points (``lookup_rule_sync``)."""
    return rule_services.lookup_rule_sync(
        actor=actor,
        source_type="contest",
        source_kind=contest.source_kind,
        campaign=contest.campaign,
        indicator=contest.indicator,
        name=f"{contest.title}获奖",
        field_key="level",
        lookup={lv.name: f"{lv.points.normalize():f}" for lv in contest.levels.all() if lv.points},
    )


@transaction.atomic
def contest_open(*, actor, contest: Contest) -> Contest:
    """Publish a drafted contest: it appears to entrants (and takes entries in its window)."""
    require_organizer(actor, contest)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    if contest.status != ContestStatus.DRAFT:
        raise ValidationError("该评比已经发布。")
    if not contest.criteria.exists():
        raise ValidationError("请先填写评分标准。")
    contest.status = ContestStatus.OPEN
    contest.save(update_fields=["status", "updated_at"])
    audit_record(action=Action.CONTEST_OPEN, actor=actor, target=contest, changes={"status": ["draft", "open"]})
    return contest


def judge_accounts():
    """The accounts that may sit on a panel: those holding the 评委 role."""
    return User.objects.filter(is_active=True, role_grants__role=Role.JUDGE).distinct().order_by("username")


@transaction.atomic
def panels_save(*, actor, contest: Contest, panels: list[dict]) -> list[Panel]:
    """Replace the contest's panels: [{"name", "is_final", "judges": [users]}]. A judge sits on
    one preliminary panel at most; only the 评委 role may judge. Panels are fixed once entries
    are assigned to them."""
    require_organizer(actor, contest)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    from ..models import Assignment

    if Assignment.objects.filter(entry__contest=contest).exists():
        raise ValidationError("已经分配了评审任务，评审组不能再修改；如需调整，请先清除分配。")
    allowed = set(judge_accounts().values_list("pk", flat=True))
    seen: dict[int, str] = {}
    names = set()
    if not [p for p in panels if not p["is_final"]]:
        raise ValidationError("至少需要一个初评评审组。")
    if sum(1 for p in panels if p["is_final"]) > 1:
        raise ValidationError("只能设一个决赛评审组。")
    for n, panel in enumerate(panels, start=1):
        name = (panel["name"] or "").strip()[:50]
        if not name:
            raise ValidationError(f"第 {n} 个评审组：请填写名称。")
        if name in names:
            raise ValidationError(f"评审组“{name}”重复。")
        names.add(name)
        for judge in panel["judges"]:
            if judge.pk not in allowed:
                raise ValidationError(f"评审组“{name}”：账号“{judge.username}”没有评委角色。")
            if not panel["is_final"]:
                if judge.pk in seen:
                    raise ValidationError(f"评委“{judge}”同时在“{seen[judge.pk]}”和“{name}”两个初评组。")
                seen[judge.pk] = name
    before = {p.name: sorted(p.judges.values_list("username", flat=True)) for p in contest.panels.all()}
    contest.panels.all().delete()
    made = []
    for panel in panels:
        row = Panel.objects.create(contest=contest, name=panel["name"].strip()[:50], is_final=panel["is_final"])
        row.judges.set(panel["judges"])
        made.append(row)
    after = {p["name"].strip(): sorted(u.username for u in p["judges"]) for p in panels}
    audit_record(action=Action.CONTEST_SAVE, actor=actor, target=contest, changes=diff(before, after))
    return made
