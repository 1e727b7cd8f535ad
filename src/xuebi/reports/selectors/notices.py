"""Reads for ranking notices (通报): what a notice ranks, computed from the boards as they are now
(``ranking``), the framing text with its placeholders filled from that data (``fill``), and
what changed between two generations of the same question (``changes``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from xuebi.campaign.models import Campaign, Indicator
from xuebi.contests.models import Contest, ContestStatus
from xuebi.contests.selectors import contests as contest_selectors
from xuebi.core.formatting import points_text
from xuebi.org.models import Unit
from xuebi.orginfo import ranking as orginfo_ranking, selectors as orginfo_selectors
from xuebi.points import boards, readmodel, selectors as points_selectors
from xuebi.points.sheets import movement_text

from ..models import Letterhead, Notice, NoticeStatus, Ranking, issuing_unit_ids

__all__ = [
    "Question",
    "ranking",
    "fill",
    "PLACEHOLDERS",
    "default_texts",
    "letterhead",
    "issuers",
    "changes",
    "issued_twin",
    "PEOPLE_LIMIT",
]

PEOPLE_LIMIT = 300  # people listed in a notice's table: a county's whole roster, a league's top 300
NAMED = 3  # units named in the 表扬 and 提醒 paragraphs
NAMED_PEOPLE = 10

PLACEHOLDERS = {
    "活动": "活动名称",
    "期间": "通报期间，如“11月”“第四季度”",
    "类别": "排名的类别或指标，如“总分”“组工信息”",
    "范围": "全盟 / 全旗（发文单位的范围）",
    "前列": "排名前列的单位（或人员），以顿号隔开",
    "靠后": "排名靠后的单位，以顿号隔开",
    "第一名": "排名第一的单位（或人员）",
    "参评数": "参加排名的单位（或人员）数",
    "评比": "评比名称（评比结果通报）",
    "未完成": "未完成组工信息报送、采用任务的单位，以顿号隔开（组工信息通报）",
}
_PLACEHOLDER = re.compile(r"\{([^{}]{1,10})\}")


@dataclass(frozen=True)
class Question:
    """What a notice ranks: the same words as a board's question, plus who is ranked."""

    campaign: Campaign
    span: boards.Span
    period: str  # as asked: "month:2026-11-01", "quarter:…", "campaign", "custom"
    ranking: str
    dimension: str = "total"
    indicator: Indicator | None = None
    unit: Unit | None = None  # people within this unit; units directly under it
    contest: Contest | None = None  # a contest's results (``Ranking.CONTEST``)

    @classmethod
    def of(cls, notice: Notice) -> Question:
        kind, _, on = notice.period.partition(":")
        campaign = notice.campaign
        if notice.ranking == Ranking.ORGINFO:  # its own month or quarter, not the campaign's boards
            span = boards.Span(kind, notice.start, notice.end, "")
        elif kind == "custom":
            span = boards.span_for(campaign, kind, start=notice.start, end=notice.end)
        else:
            span = boards.span_for(campaign, kind, on=dt.date.fromisoformat(on) if on else notice.start)
        return cls(campaign, span, notice.period, notice.ranking, notice.dimension, notice.indicator, notice.unit, notice.contest)

    def board(self) -> boards.Board:
        return boards.Board(self.campaign, self.span, dimension=self.dimension, indicator=self.indicator)


def issuers(user) -> list[Unit]:
    """The units ``user`` drafts notices for (``issuing_unit_ids``), the league's first."""
    return list(Unit.objects.filter(pk__in=issuing_unit_ids(user), is_active=True).order_by("path"))


def letterhead(issuer: Unit) -> Letterhead:
    """The unit's letterhead, or the usual one when none has been set: 中共 + the department's
    name, and 锡组通 / 阿组通 — the first character of the place, 组 for 组织部, 通 for 通报."""
    found = Letterhead.objects.filter(unit=issuer).first()
    if found:
        return found
    name = issuer.name if issuer.name.startswith("中共") else f"中共{issuer.name}"
    place = (issuer.short_name or issuer.name).removeprefix("中共")
    return Letterhead(unit=issuer, authority=name, prefix=f"{place[:1]}组通")


def scope_name(issuer: Unit) -> str:
    """全盟 for the league department, 全旗 / 全市 / 全区 / 全县 for a county's."""
    if issuer.depth == 1:
        return "全盟"
    place = (issuer.short_name or issuer.name).removesuffix("委组织部").removesuffix("组织部")
    return f"全{place[-1:]}" if place[-1:] in "旗市区县" else "全旗"


def _period_words(question: Question) -> str:
    """The period as a notice's sentence names it: the campaign name already says the year."""
    label = question.span.label
    year = f"{question.span.start.year}年"
    if question.span.kind in ("campaign", "year"):
        return "全年" if question.span.kind == "year" else "活动期间"
    return label.removeprefix(year) if question.campaign.name.startswith(year) else label


def _unit_rows(question: Question, issuer: Unit, today: dt.date) -> dict:
    parent = question.unit or (issuer if issuer.depth > 1 else None)
    per_head = question.ranking == Ranking.UNITS_PER_HEAD
    board = readmodel.units(question.board(), parent=parent, per_head=per_head, today=today)
    rows, keys, names = [], [], []
    for r in board.rows:
        name = r["unit"].short_name or r["unit"].name
        rows.append(
            [
                str(r["rank"] or "—"),
                name,
                points_text(r["total"]),
                str(int(r["people"])),
                points_text(r["average"]),
                movement_text(r),
            ]
        )
        keys.append(r["unit_id"])
        names.append(name)
    return {
        "columns": ["名次", "单位", "积分", "人数", "人均积分", "升降"],
        "widths": [1, 3.2, 1.3, 1, 1.3, 1],
        "rows": rows,
        "keys": keys,
        "names": names,
        "score_column": 4 if per_head else 2,
        "scope_label": parent.name if parent else "各旗县市区",
        "compared_with": board.compared_with or "",
        "category_label": str(board.category_label),
    }


def _people_rows(question: Question, issuer: Unit, today: dt.date) -> dict:
    within = question.unit or issuer
    paths = None if within.depth == 1 else [within.path]
    board = readmodel.board(question.board(), paths, viewer_id=None, limit=PEOPLE_LIMIT, today=today)
    rows, keys, names = [], [], []
    for r in board.rows:
        rows.append([str(r["rank"] or "—"), r["name"], r["unit_name"], points_text(r["score"]), movement_text(r)])
        keys.append(r["person_id"])
        names.append(r["name"])
    return {
        "columns": ["名次", "姓名", "单位", "积分", "升降"],
        "widths": [1, 1.4, 3.6, 1.3, 1],
        "rows": rows,
        "keys": keys,
        "names": names,
        "score_column": 3,
        "scope_label": within.name,
        "compared_with": board.compared_with or "",
        "category_label": str(board.category_label),
        "limited": len(rows) >= PEOPLE_LIMIT,
    }


def _contest_rows(question: Question, issuer: Unit) -> dict:
    """A contest's published awards as the notice's table: level, work, authors, unit, score."""
    contest = question.contest
    if contest is None or contest.status != ContestStatus.PUBLISHED:
        raise ValidationError({"contest": "评比结果尚未公布，不能起草结果通报。"})
    awards = [a for a in contest_selectors.published_results(contest) if a.level]
    contest_selectors.label_units(a.entry for a in awards)
    rows, keys, names = [], [], []
    for award in awards:
        authors = "、".join(r.person.name for r in award.entry.author_rows.all())
        rows.append([award.level, award.entry.title, authors, award.entry.unit_label, award.detail.get("shown", "")])
        keys.append(award.entry_id)
        names.append(authors)
    return {
        "columns": ["奖项", "作品", "作者", "单位", "得分"],
        "widths": [1.2, 3.6, 1.6, 2.6, 1],
        "rows": rows,
        "keys": keys,
        "names": names,
        "score_column": 4,
        "scope_label": "",
        "compared_with": "",
        "category_label": "",
        "contest_title": contest.title,
        "kind": "contest",
    }


def orginfo_period(question: Question) -> orginfo_ranking.Period:
    """The month or quarter a 组工信息 notice ranks (``period`` "quarter:2026-10-01")."""
    kind, _, on = question.period.partition(":")
    return orginfo_ranking.period_of(kind, dt.date.fromisoformat(on) if on else question.span.start)


def _orginfo_rows(question: Question, issuer: Unit) -> dict:
    """The county departments' 组工信息 ranking (``orginfo.selectors.ranking``) as the notice's
    table; the league department's notice only."""
    if issuer.depth != 1:
        raise ValidationError({"issuer": "组工信息采用排名通报由盟委组织部印发。"})
    period = orginfo_period(question)
    result = orginfo_selectors.ranking(period)
    table = orginfo_selectors.ranking_table(result)
    scored = [r.tally.name for r in result.rows if r.tally.points > 0]
    return {
        **table,
        "score_column": table["columns"].index("积分"),
        "scope_label": "",
        "compared_with": "",
        "category_label": "组工信息",
        "kind": "orginfo",
        "period_label": period.label,
        "period_words": period.label.removeprefix(f"{period.start.year}年")
        if question.campaign.name.startswith(f"{period.start.year}年")
        else period.label,
        "top": scored[:NAMED],
        "bottom": [r.tally.name for r in result.rows if not r.quota_met],
        "quota_text": orginfo_selectors.quota_text(result.quota, period.kind),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def ranking(question: Question, issuer: Unit, *, today: dt.date | None = None) -> dict:
    """The notice's table and the words its text names, as JSON (kept on the notice: what it was
    at generation). Raises ``ValidationError`` when the question reaches outside the issuer."""
    today = today or timezone.localdate()
    if question.ranking == Ranking.ORGINFO:
        data = _orginfo_rows(question, issuer)
        data.update(scope=scope_name(issuer), generated_at=timezone.now().isoformat(timespec="seconds"))
        return data
    if question.ranking == Ranking.CONTEST:
        data = _contest_rows(question, issuer)
        first_level = data["rows"][0][0] if data["rows"] else ""
        firsts = [name for name, row in zip(data["names"], data["rows"], strict=True) if row[0] == first_level]
        data.update(
            period_label="",
            period_words="",
            start=question.span.start.isoformat(),
            end=question.span.end.isoformat(),
            top=firsts,
            bottom=[],
            scope=scope_name(issuer),
            generated_at=timezone.now().isoformat(timespec="seconds"),
        )
        return data
    if question.unit is not None and not question.unit.path.startswith(issuer.path):
        raise ValidationError({"unit": "排名范围应在发文单位之内。"})
    people = question.ranking == Ranking.PEOPLE
    data = (_people_rows if people else _unit_rows)(question, issuer, today)
    scored = [
        name for name, row in zip(data["names"], data["rows"], strict=True) if row[data["score_column"]] not in ("0", "0.00")
    ]
    named = NAMED_PEOPLE if people else NAMED
    data.update(
        kind="people" if people else "units",
        period_label=question.span.label,
        period_words=_period_words(question),
        start=question.span.start.isoformat(),
        end=question.span.end.isoformat(),
        top=scored[:named],
        bottom=[] if people or len(data["names"]) <= 2 * named else data["names"][-named:],
        scope=scope_name(issuer),
        generated_at=timezone.now().isoformat(timespec="seconds"),
    )
    return data


def fill(text: str, notice: Notice, data: dict) -> str:
    """``text`` with its placeholders ({前列}, {期间} …) filled from ``data``; an unknown one is
    left as written (``check_placeholders`` refuses it when the admin saves)."""
    what = "等同志" if data.get("kind") == "people" else ""
    values = {
        "活动": notice.campaign.name,
        "期间": data.get("period_words", ""),
        "类别": "" if data.get("category_label") == "总分" else data.get("category_label", ""),
        "范围": data.get("scope", ""),
        "前列": "、".join(data.get("top", [])) + (what if data.get("top") else ""),
        "靠后": "、".join(data.get("bottom", [])),
        "第一名": (data.get("top") or [""])[0],
        "参评数": str(len(data.get("rows", []))),
        "评比": data.get("contest_title", ""),
        "未完成": "、".join(data.get("bottom", [])) if data.get("kind") == "orginfo" else "",
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]


def default_texts(issuer: Unit, ranking_kind: str) -> dict[str, str]:
    """The framing paragraphs a new notice starts from (the admin edits them): the department's
    usual wording, with the units (or people) named from the data through placeholders."""
    league = issuer.depth == 1
    people = ranking_kind == Ranking.PEOPLE
    if ranking_kind == Ranking.ORGINFO:
        return {
            "title": "关于{期间}组工信息采用情况的通报",
            "recipients": "各旗县市区委组织部，盟委组织部各科室：",
            "opening": "为进一步做好组工信息工作，现将{期间}各旗县市区委组织部组工信息报送、采用情况通报如下。",
            "praise": "{前列}组工信息采用积分位居前列，予以通报表扬。",
            "remind": "{未完成}未完成组工信息报送、采用任务，请认真分析原因，加强信息工作力量，确保完成任务。",
            "closing": "各旗县市区委组织部要进一步提高认识，围绕中心工作多报精品信息，不断提升组工信息的质量和采用率。",
        }
    if ranking_kind == Ranking.CONTEST:
        return {
            "title": "关于{评比}结果的通报",
            "recipients": "各旗县市区委组织部，盟委组织部各科室：" if league else "部机关各股室：",
            "opening": "为深入推进“双学双比”活动，{范围}组织系统开展了{评比}。经评委评审，评出获奖作品如下。",
            "praise": "希望获奖同志珍惜荣誉、再接再厉；各单位要以此次评比为契机，营造比学赶超的浓厚氛围。",
            "remind": "",
            "closing": "获奖积分已按活动积分规则计入，荣誉证书由各单位转发本人。",
        }
    return {
        "title": "关于{活动}{期间}{类别}积分排名情况的通报",
        "recipients": "各旗县市区委组织部，盟委组织部各科室：" if league else "部机关各股室：",
        "opening": "为深入推进“双学双比”活动，激励{范围}组织系统干部比学赶超、争先创优，"
        "根据活动积分规则，现将{期间}{类别}积分排名情况通报如下。",
        "praise": "{前列}积分位居前列，予以通报表扬。希望受到表扬的"
        + ("同志" if people else "单位")
        + "珍惜荣誉、再接再厉，继续发挥示范带动作用。",
        "remind": "" if people else "{靠后}积分相对靠后，请认真查找差距、分析原因，采取有效措施抓好整改提升。",
        "closing": "各单位要以此次通报为契机，对照积分规则查漏补缺，做到台账及时记录、及时审核，推动“双学双比”活动走深走实。",
    }


def changes(before: dict, after: dict) -> list[str]:
    """What moved between two generations of the same ranking, in words: rank and points of
    every row whose either changed, and who came in or went out."""
    if not before or not after:
        return []
    score = after.get("score_column", 2)

    def by_key(data: dict) -> dict:
        return {key: (row[0], row[score], name) for key, row, name in zip(data["keys"], data["rows"], data["names"], strict=True)}

    old, new = by_key(before), by_key(after)
    lines = []
    for key, (rank, points, name) in new.items():
        if key not in old:
            lines.append(f"{name}：新进入排名（第{rank}名，{points}分）")
            continue
        old_rank, old_points, _ = old[key]
        moved = []
        if old_rank != rank:
            moved.append(f"名次 第{old_rank}名 → 第{rank}名")
        if old_points != points:
            moved.append(f"积分 {old_points} → {points}")
        if moved:
            lines.append(f"{name}：{'，'.join(moved)}")
    lines += [f"{name}：不再列入排名" for key, (_rank, _points, name) in old.items() if key not in new]
    return lines


SAME_QUESTION = ("issuer_id", "campaign_id", "start", "end", "ranking", "dimension", "indicator_id", "unit_id")


def issued_twin(notice: Notice) -> Notice | None:
    """The latest issued notice that asked the same question (same issuer, campaign, period,
    ranking, 类别 and scope) — what a draft is compared with."""
    same = Q(**{name: getattr(notice, name) for name in SAME_QUESTION})
    return Notice.objects.filter(same, status=NoticeStatus.ISSUED).exclude(pk=notice.pk).order_by("-issued_at").first()


def drafts_waiting(user) -> int:
    """Drafts of the units ``user`` issues for — the 通报 inbox's count on the home page."""
    return Notice.objects.visible_to(user, "change").filter(status=NoticeStatus.DRAFT).count()


def campaign_choices(today: dt.date) -> list[Campaign]:
    return list(Campaign.objects.filter(start_date__lte=today).order_by("-start_date"))


def default_campaign(today: dt.date) -> Campaign | None:
    return points_selectors.current_campaign(today)
