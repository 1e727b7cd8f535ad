"""Demo contests, relative to today, made through the services as a department would:

* 调研文章评比 (this year's, published a few weeks ago): blind, three judges an entry, awards by
  count, points to the 工作实绩 indicator;
* 演讲比赛 (live, today): five judges score every contestant on their phones; the first ones are
  done (the big screen shows their scores with the dropped highest and lowest), one is half
  scored, the rest wait;
* 公文写作征文 (taking entries now): the demo cadre 巴依斯古楞 has entered.

Idempotent: a contest whose title exists is left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xuebi.campaign.models import Campaign, Indicator
from xuebi.core import context
from xuebi.org.choices import PersonStatus, UnitKind
from xuebi.org.models import Person, Unit, User

from .models import Assignment, Contest, Stage
from .services import contests as setup
from .services import entries, judging, results

JUDGES = ["judge", "judge2", "judge3", "judge4", "judge5"]
ESSAYS = [
    "关于牧区嘎查党组织“星级化”管理的调研",
    "新时代基层组工干部能力提升路径探析",
    "发展党员工作规范化建设的实践与思考",
    "以党建引领破解牧区人才“引育留”难题",
    "“两新”组织党建工作覆盖情况调研",
    "年轻干部选育管用机制的调查与建议",
    "党员教育培训针对性实效性研究",
    "干部人事档案专项审核工作的做法与体会",
    "驻村第一书记管理考核办法的完善建议",
    "基层党组织书记队伍建设现状调研",
]
SPEECHES = [
    "青春在北疆绽放",
    "做忠诚干净担当的组工干部",
    "草原上的初心",
    "把论文写在大地上",
    "让党旗在基层高高飘扬",
    "我的第一书记日记",
    "守望相助 同心筑梦",
    "平凡岗位上的坚守",
]


def _people(rng: random.Random, count: int, *, avoid: set[int]) -> list[Person]:
    """Cadres from the county departments whose 组织部 has no demo judge (so every judge may score them)."""
    root = Unit.objects.get_root_nodes().first()
    counties = Unit.objects.get_children(root).filter(kind=UnitKind.COUNTY_DEPT).exclude(pk__in=avoid)
    people = []
    for county in counties:
        people += list(
            Person.objects.filter(unit__path__startswith=county.path, status=PersonStatus.ACTIVE, is_org_cadre=True).order_by(
                "pk"
            )[:3]
        )
    rng.shuffle(people)
    return people[:count]


def _judge_counties() -> set[int]:
    made = set()
    for user in User.objects.filter(username__in=JUDGES).prefetch_related("role_grants__unit"):
        for grant in user.role_grants.all():
            if grant.unit and grant.unit.kind == UnitKind.COUNTY_DEPT:
                made.add(grant.unit.pk)
    return made


def _values(title, kind, today, *, entry, review, **extra) -> dict:
    root = Unit.objects.get_root_nodes().first()
    values = {
        "title": title,
        "kind": kind,
        "organizer": root,
        "description": "",
        "entry_start": today + dt.timedelta(days=entry[0]),
        "entry_end": today + dt.timedelta(days=entry[1]),
        "review_start": today + dt.timedelta(days=review[0]),
        "review_end": today + dt.timedelta(days=review[1]),
        "live": False,
        "blind": True,
        "judges_per_entry": 3,
        "trim_from": 5,
        "tie_break": "share",
        "award_by": "count",
        "final_top": None,
        "normalise": False,
        "campaign": None,
        "indicator": None,
    }
    values.update(extra)
    return values


def _open(league, judges, values: dict, criteria: str, levels: str) -> Contest:
    """Save the contest with its rubric and scheme (as typed on the page), publish it and seat the
    demo's five judges on its one panel."""
    contest = setup.contest_save(
        actor=league,
        values=values,
        criteria=setup.parse_criteria(criteria),
        levels=setup.parse_levels(levels, values["award_by"]),
    )
    setup.contest_open(actor=league, contest=contest)
    setup.panels_save(actor=league, contest=contest, panels=[{"name": "评审组", "is_final": False, "judges": judges}])
    return contest


def _move(contest: Contest, today: dt.date, *, entry, review) -> None:
    Contest.objects.filter(pk=contest.pk).update(
        entry_start=today + dt.timedelta(days=entry[0]),
        entry_end=today + dt.timedelta(days=entry[1]),
        review_start=today + dt.timedelta(days=review[0]),
        review_end=today + dt.timedelta(days=review[1]),
    )
    contest.refresh_from_db()


def _score(contest: Contest, assignment: Assignment, quality: float, rng: random.Random) -> None:
    criteria = list(contest.criteria.all())
    values = {}
    for c in criteria:
        share = min(1.0, max(0.5, quality + rng.uniform(-0.06, 0.06)))
        values[c.pk] = (c.max_score * Decimal(str(round(share, 3)))).quantize(Decimal("0.1"))
    judging.score_save(actor=assignment.judge, assignment=assignment, values=values, comment="", submit=True)


def _campaign(today: dt.date):
    campaign = Campaign.objects.filter(start_date__lte=today, end_date__gte=today, is_closed=False).first()
    indicator = Indicator.objects.filter(campaign=campaign, name="工作实绩").first() if campaign else None
    return campaign, indicator


@transaction.atomic
def load_contests_demo() -> int:
    league = User.objects.filter(username="league").first()
    judges = list(User.objects.filter(username__in=JUDGES).order_by("username"))
    if league is None or len(judges) < 5:
        return 0
    today = timezone.localdate()
    rng = random.Random(16)
    avoid = _judge_counties()
    made = 0
    campaign, indicator = _campaign(today)
    with context.acting_as(league, ip="127.0.0.1"):
        title = f"{today.year}年度全盟组织系统调研文章评比"
        if not Contest.objects.filter(title=title).exists():
            made += _essay_contest(league, judges, title, today, rng, avoid, campaign, indicator)
        title = "“强国复兴有我”组工干部演讲比赛"
        if not Contest.objects.filter(title=title).exists():
            made += _speech_contest(league, judges, title, today, rng, avoid, campaign, indicator)
        title = "公文写作征文"
        if not Contest.objects.filter(title=title).exists():
            made += _open_contest(league, judges, title, today)
    return made


def _essay_contest(league, judges, title, today, rng, avoid, campaign, indicator) -> int:
    # The windows are moved into the past as the contest goes: entries first, then review, then published.
    values = _values(
        title,
        "essay",
        today,
        entry=(0, 10),
        review=(11, 20),
        description="围绕“双学双比”活动开展情况，结合本单位实际撰写调研文章，字数 3000 字左右。",
        campaign=campaign,
        indicator=indicator,
    )
    contest = _open(
        league, judges, values, "选题 20\n内容 40\n对策建议 30\n文字表达 10", "一等奖 1 8\n二等奖 2 5\n三等奖 3 3\n优秀奖 其余 1"
    )
    authors = _people(rng, len(ESSAYS), avoid=set())
    for essay, person in zip(ESSAYS, authors, strict=False):
        entries.entry_submit(actor=league, contest=contest, title=essay, text=f"{essay}。\n\n（正文略）", authors=[person])
    judging.assign(actor=league, contest=contest)
    _move(contest, today, entry=(-50, -40), review=(-39, -25))
    Contest.objects.filter(pk=contest.pk).update(review_end=today)  # scoring happens "now", then the window closes
    contest.refresh_from_db()
    quality = {e.pk: rng.uniform(0.6, 0.95) for e in contest.entries.all()}
    for assignment in Assignment.objects.filter(entry__contest=contest).select_related("judge"):
        _score(contest, assignment, quality[assignment.entry_id], rng)
    _move(contest, today, entry=(-50, -40), review=(-39, -25))
    results.publish(actor=league, contest=contest)
    return 1


def _speech_contest(league, judges, title, today, rng, avoid, campaign, indicator) -> int:
    values = _values(
        title,
        "speech",
        today,
        entry=(-20, 0),
        review=(0, 0),
        live=True,
        blind=False,
        judges_per_entry=5,
        trim_from=5,
        tie_break="full_mean",
        description="每人演讲不超过 6 分钟。评委现场打分，去掉一个最高分和一个最低分后取平均分。",
        campaign=campaign,
        indicator=indicator,
    )
    contest = _open(
        league, judges, values, "内容 40\n表达 30\n仪态 20\n时间 10", "一等奖 1 6\n二等奖 2 4\n三等奖 3 2\n优秀奖 其余 1"
    )
    for speech, person in zip(SPEECHES, _people(rng, len(SPEECHES), avoid=avoid), strict=False):
        entries.entry_submit(actor=league, contest=contest, title=speech, text="", authors=[person])
    judging.assign(actor=league, contest=contest)
    _move(contest, today, entry=(-20, -1), review=(0, 0))
    rows = Assignment.objects.filter(entry__contest=contest, stage=Stage.PRELIM).select_related("judge", "entry")
    for assignment in rows:
        order = assignment.entry.live_order or 99
        if order <= 4 or (order == 5 and assignment.judge.username in ("judge", "judge2", "judge3")):
            _score(contest, assignment, 0.72 + order * 0.02 + rng.uniform(-0.05, 0.05), rng)
    return 1


def _open_contest(league, judges, title, today) -> int:
    values = _values(
        title,
        "essay",
        today,
        entry=(-5, 20),
        review=(21, 30),
        description="以“我身边的组工故事”为题撰写公文或征文，体裁不限。",
        award_by="share",
    )
    contest = _open(league, judges, values, "主题 30\n结构 30\n文字 40", "一等奖 10% 0\n二等奖 20% 0\n三等奖 30% 0")
    cadre = User.objects.filter(username="cadre").select_related("person").first()
    if cadre and cadre.person:
        entries.entry_submit(
            actor=cadre, contest=contest, title="牧区组工干部的一天", text="清晨六点，我们出发去嘎查……", authors=[cadre.person]
        )
    return 1
