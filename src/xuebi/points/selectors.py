"""Reads of points: a person's summary and rank, leaderboards. Rankings are computed by the
database over the maintained totals (``PersonTotal``, ``UnitTotal``), never by loading people
into Python; ties share a rank (1, 2, 2, 4)."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Sum, Window
from django.db.models.functions import Rank

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.choices import UnitKind
from xuebi.org.models import Person, Unit

from .models import PersonTotal, UnitTotal

DIMENSIONS = [(d.value, d.label) for d in Dimension]


def current_campaign(today) -> Campaign | None:
    """The campaign the pages show by default: the one running today, else the latest."""
    return Campaign.objects.covering(today).order_by("-start_date").first() or Campaign.objects.order_by("-start_date").first()


def county_of(unit: Unit) -> Unit:
    """The 旗县市区 (depth 2) a unit belongs to — or the unit itself at the top."""
    if unit.depth <= 2:
        return unit
    return Unit.objects.get(path=unit.path[: Unit.steplen * 2])


def rank_of(campaign: Campaign, total: Decimal, people=None) -> int:
    """1 + how many have more: a range count on the (campaign, total) index, not a sort."""
    rows = PersonTotal.objects.filter(campaign=campaign, total__gt=total)
    if people is not None:
        rows = rows.filter(person__in=people)
    return rows.count() + 1


def person_summary(person: Person, campaign: Campaign) -> dict:
    row = PersonTotal.objects.filter(campaign=campaign, person=person).first()
    total = row.total if row else Decimal(0)
    county = county_of(person.unit)
    county_people = Person.objects.filter(unit__in=Unit.objects.filter(path__startswith=county.path).values("pk"))
    by_indicator = {
        r["indicator"]: r["points"] for r in
        person.point_entries.filter(campaign=campaign).values("indicator").annotate(points=Sum("points")).order_by()
    }
    indicators = [
        {"indicator": i, "points": by_indicator.get(i.pk, Decimal(0))}
        for i in Indicator.objects.filter(campaign=campaign).order_by("sort_order", "pk")
    ]
    dimensions = [(label, getattr(row, value) if row else Decimal(0)) for value, label in DIMENSIONS]
    maxima = {value: Decimal(0) for value, _ in DIMENSIONS}
    for item in indicators:
        maxima[item["indicator"].dimension] += item["indicator"].max_points or Decimal(0)
    top = max([points for _, points in dimensions] + [Decimal(1)])
    radar = {  # for the radar chart (points/mine.html → static/xuebi/charts.js)
        "name": person.name, "labels": [str(label) for label, _ in dimensions],
        "values": [float(points) for _, points in dimensions],
        "max": [float(maxima[value] or top) for value, _ in DIMENSIONS],
    }
    return {
        "total": total,
        "radar": radar,
        "dimensions": dimensions,
        "indicators": indicators,
        "rank_league": rank_of(campaign, total),
        "people_league": PersonTotal.objects.filter(campaign=campaign).count(),
        "rank_county": rank_of(campaign, total, county_people),
        "county": county,
    }


def people_board(campaign: Campaign, units, *, dimension: str = "total", limit: int = 50):
    """Top people whose current unit is in ``units`` (a Unit queryset), ranked with ties."""
    field = dimension if dimension in dict(DIMENSIONS) else "total"
    return (PersonTotal.objects.filter(campaign=campaign, person__unit__in=units.values("pk"))
            .select_related("person", "person__unit")
            .annotate(score=F(field), rank=Window(Rank(), order_by=F(field).desc()))
            .order_by("rank", "person__name_pinyin")[:limit])


def unit_board(campaign: Campaign, *, depth: int = 2, dimension: str = "total", per_head: bool = False) -> list[dict]:
    """The 13 旗县市区委组织部 (the units of that level that are county departments — not the
    盟委组织部's own sections) by the points their people earned while in them, in total or per
    head of their active people; ties share a rank."""
    field = dimension if dimension in dict(DIMENSIONS) else "total"
    units = list(Unit.objects.filter(depth=depth, is_active=True, kind=UnitKind.COUNTY_DEPT).order_by("path"))
    totals = dict.fromkeys((u.path for u in units), Decimal(0))
    for path, points in UnitTotal.objects.filter(campaign=campaign).values_list("unit__path", field):
        key = path[: Unit.steplen * depth]
        if key in totals:
            totals[key] += points
    heads = dict.fromkeys(totals, 0)
    for path, count in (Person.objects.filter(status="active").values("unit__path")
                        .annotate(n=Count("pk")).values_list("unit__path", "n")):
        key = path[: Unit.steplen * depth]
        if key in heads:
            heads[key] += count
    rows = []
    for unit in units:
        total, people = totals[unit.path], heads[unit.path]
        average = (total / people).quantize(Decimal("0.01")) if people else Decimal(0)
        rows.append({"unit": unit, "total": total, "people": people, "average": average,
                     "score": average if per_head else total})
    rows.sort(key=lambda r: r["score"], reverse=True)
    rank = 0
    for index, row in enumerate(rows, start=1):
        if index == 1 or row["score"] != rows[index - 2]["score"]:
            rank = index
        row["rank"] = rank
    return rows


__all__ = ["person_summary", "people_board", "unit_board", "rank_of", "current_campaign"]
