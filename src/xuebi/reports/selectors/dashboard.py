"""The dashboard's and the 大屏's figures, each one small read: the kept totals (``points``' read
model: unit boards, the month rows of ``UnitTotal``, the campaign rows), never a sum over the
journal; the ledger's counts by kind; the 三会一课 and study-list reports' totals.

A viewer sees the league (a league admin) or the subtree of their grants (a county admin or
reviewer: their county's units); the 13 counties' scores are the league's unit board, which every
board role reads already."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign
from xuebi.ledger.choices import RecordStatus
from xuebi.ledger.models import Record
from xuebi.ledger.selectors import reports as ledger_reports
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import subtree_q
from xuebi.points import boards, readmodel
from xuebi.points.models import Period, PersonTotal, UnitTotal
from xuebi.points.selectors import board_paths, current_campaign
from xuebi.study.choices import ListStatus
from xuebi.study.models import StudyItem, StudyList, StudyProgress
from xuebi.study.selectors import reached_people

__all__ = [
    "Scope",
    "scope_of",
    "units_ranked",
    "points_by_month",
    "dimensions",
    "records_by_kind",
    "compliance",
    "study",
    "counties",
    "COUNTY_TILES",
]

DIMENSIONS = [(d.value, str(d.label)) for d in Dimension]

# The 13 旗县市区 on a rough map of the league (column, row; west → east, north → south).
COUNTY_TILES = {
    "二连浩特市": (0, 0),
    "苏尼特左旗": (1, 0),
    "阿巴嘎旗": (2, 0),
    "东乌珠穆沁旗": (3, 0),
    "乌拉盖管理区": (4, 0),
    "苏尼特右旗": (1, 1),
    "锡林浩特市": (2, 1),
    "西乌珠穆沁旗": (3, 1),
    "镶黄旗": (0, 2),
    "正镶白旗": (1, 2),
    "正蓝旗": (2, 2),
    "太仆寺旗": (1, 3),
    "多伦县": (2, 3),
}


class Scope:
    """The units a viewer's dashboard covers: ``paths`` None for the league, else their subtrees;
    ``root`` the unit whose children the unit chart ranks (None: the 13 counties)."""

    def __init__(self, user):
        self.user = user
        self.paths = board_paths(user)
        self.root = None
        if self.paths and len(self.paths) == 1:
            self.root = Unit.objects.filter(path=self.paths[0]).first()

    @property
    def name(self) -> str:
        return "全盟" if self.paths is None else (self.root.display_name if self.root else "本单位")


def scope_of(user) -> Scope:
    return Scope(user)


def _number(value) -> float:
    return float(value or 0)


def units_ranked(scope: Scope, campaign: Campaign, *, per_head: bool = False) -> dict:
    """The counties (or the units under the viewer's county) by the campaign's points."""
    board = boards.Board(campaign, boards.span_for(campaign, "campaign"))
    board = readmodel.units(board, parent=scope.root, per_head=per_head)
    rows = [
        {
            "name": r["unit"].short_name or r["unit"].name,
            "total": _number(r["total"]),
            "average": _number(r["average"]),
            "rank": r["rank"],
        }
        for r in board.rows
    ]
    return {"scope": scope.name, "per_head": per_head, "rows": rows}


def _unit_totals(scope: Scope, campaign: Campaign):
    rows = UnitTotal.objects.filter(campaign=campaign, indicator__isnull=True)
    if scope.paths is not None:
        rows = rows.filter(subtree_q(scope.paths, "unit"))
    return rows


def points_by_month(scope: Scope, campaign: Campaign) -> dict:
    """Points earned each month of the campaign (the kept month rows of the units in scope)."""
    sums = dict(
        _unit_totals(scope, campaign)
        .filter(period=Period.MONTH)
        .order_by()
        .values_list("period_start")
        .annotate(points=Sum("total"))
        .values_list("period_start", "points")
    )
    months, day = [], campaign.start_date.replace(day=1)
    last = min(campaign.end_date, timezone.localdate())
    while day <= last:
        months.append({"month": f"{day.month}月", "start": day.isoformat(), "points": _number(sums.get(day))})
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return {"scope": scope.name, "months": months}


def dimensions(scope: Scope, campaign: Campaign, *, unit_id: int | None = None, person_id: int | None = None) -> dict:
    """The four 类别 of a unit (its subtree) or of a person — 404 outside the viewer's reach."""
    fields = [key for key, _label in DIMENSIONS]
    if person_id is not None:
        person = Person.objects.visible_to(scope.user).filter(pk=person_id).first()
        if person is None:
            raise Http404("没有这个人员，或您无权查看。")
        row = PersonTotal.objects.overall().filter(campaign=campaign, person=person).values(*fields).first() or {}
        name = person.name
    else:
        unit = Unit.objects.visible_to(scope.user).filter(pk=unit_id).first() if unit_id else scope.root
        if unit_id and unit is None:
            raise Http404("没有这个单位，或您无权查看。")
        rows = UnitTotal.objects.overall().filter(campaign=campaign)
        if unit is not None:
            rows = rows.filter(unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))
        row = rows.aggregate(**{key: Sum(key) for key in fields})
        name = unit.display_name if unit else "全盟"
    return {
        "name": name,
        "dimensions": [{"key": key, "label": label, "points": _number(row.get(key))} for key, label in DIMENSIONS],
    }


def records_by_kind(scope: Scope, campaign: Campaign) -> dict:
    """Approved records of the campaign's dates by 台账类型, in scope."""
    records = Record.objects.filter(status=RecordStatus.APPROVED, occurred_on__range=(campaign.start_date, campaign.end_date))
    if scope.paths is not None:
        records = records.filter(subtree_q(scope.paths, "unit"))
    rows = records.order_by().values("kind__name").annotate(n=Count("pk")).order_by("-n", "kind__name")
    return {"scope": scope.name, "kinds": [{"name": r["kind__name"], "count": r["n"]} for r in rows]}


def compliance(scope: Scope, year: int) -> dict:
    """三会一课: the branches in scope that held every meeting due so far this year, and those short."""
    branches = ledger_reports.branches_for(scope.user)
    report = ledger_reports.compliance(user=scope.user, year=year, branches=branches)
    complete = sum(1 for b in report.branches if b.missing == 0)
    total = report.total_branches
    return {
        "year": year,
        "branches": total,
        "complete": complete,
        "short": total - complete,
        "percent": round(100 * complete / total) if total else 0,
        "missing_meetings": report.missing,
    }


def study(scope: Scope, *, limit: int = 3) -> dict:
    """The latest published study lists the viewer follows, each with the share of the people it
    reaches (in the viewer's reach) who have done every item: three counts a list, not the
    per-person report (``study.selectors.completion``, which annotates every person reached)."""
    lists = list(
        StudyList.objects.visible_to(scope.user).filter(status=ListStatus.PUBLISHED).order_by("-published_at", "-pk")[:limit]
    )
    rows = []
    for study_list in lists:
        people = reached_people(study_list, scope.user)
        reached = people.count()
        required = dict(StudyItem.objects.filter(study_list=study_list).values_list("pk", "required_hours"))
        logged = (
            StudyProgress.objects.filter(item__study_list=study_list, person__in=people.values("pk"))
            .order_by()
            .values_list("person_id", "item_id")
            .annotate(hours=Sum("hours"))
        )
        done: dict[int, int] = {}
        for person_id, item_id, hours in logged:
            if hours and hours >= required.get(item_id, 0):
                done[person_id] = done.get(person_id, 0) + 1
        complete = sum(1 for count in done.values() if required and count >= len(required))
        rows.append(
            {
                "title": study_list.title,
                "reached": reached,
                "complete": complete,
                "percent": round(100 * complete / reached) if reached else 0,
            }
        )
    return {"lists": rows}


def counties(campaign: Campaign) -> dict:
    """The 13 counties' campaign points, per head too, with their place on the schematic grid."""
    board = readmodel.units(boards.Board(campaign, boards.span_for(campaign, "campaign")), per_head=True)
    rows: list[dict] = []
    for r in board.rows:
        name = r["unit"].short_name or r["unit"].name.removesuffix("委组织部")
        x, y = COUNTY_TILES.get(name, (len(rows) % 5, 4 + len(rows) // 5))
        rows.append(
            {"name": name, "x": x, "y": y, "total": _number(r["total"]), "average": _number(r["average"]), "rank": r["rank"]}
        )
    return {"counties": rows}


def campaign_or_404(campaign_id: int | None, today: dt.date) -> Campaign:
    if campaign_id is None:
        campaign = current_campaign(today)
    else:
        campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("没有这个活动。")
    return campaign
