"""Reads of points: the current campaign, a person's summary and ranks (the leaderboards are in
``boards.py``)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.db.models import Case, CharField, Count, F, Max, Min, Q, Sum, When
from django.db.models.functions import Cast

from xuebi.campaign.choices import Dimension
from xuebi.campaign.models import Campaign, Indicator
from xuebi.org.choices import Role
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import unit_paths
from xuebi.org.selectors import COUNTY_WIDTH, county_of

from . import boards, readmodel
from .forms import UNIT_NOT_FOUND, BoardSpec
from .models import PersonTotal, PointEntry

DIMENSIONS = [(d.value, d.label) for d in Dimension]


def current_campaign(today) -> Campaign | None:
    """The campaign the pages show by default: the one running today, else the latest."""
    campaigns = Campaign.objects.select_related("standing_snapshot").order_by("-start_date")
    return campaigns.covering(today).first() or campaigns.first()


def shown_campaign(today, version: readmodel.Version) -> Campaign | None:
    """``current_campaign`` for what only shows it (the leaderboards, page and API): kept in the
    cache while the campaigns and the month-end snapshot are as they were (``version``). A copy
    from the cache: not for anything that writes."""
    key = readmodel.cache_key("points-campaign", today, version.campaign, version.snapshot)
    found = readmodel.cached(key)
    if found is None:
        found = (current_campaign(today),)
        readmodel.keep(key, found)
    return found[0]


def board_campaign(today, version: readmodel.Version, requested=None) -> Campaign | None:
    """The campaign a leaderboard shows (page and API): the one asked for by id (``campaign``;
    campaigns are league-wide, so any of them — last year's final board in January), else
    ``shown_campaign``. A copy from the cache, like that one. An unknown id is a 404."""
    if requested in (None, ""):
        return shown_campaign(today, version)
    text = str(requested)
    if not text.isdigit() or len(text) > 18:  # an id the database can hold; anything else is no campaign
        raise Http404("没有这个活动。")
    key = readmodel.cache_key("points-campaign-asked", int(text), version.campaign, version.snapshot)
    found = readmodel.cached(key)
    if found is None:
        found = (Campaign.objects.select_related("standing_snapshot").filter(pk=int(text)).first(),)
        readmodel.keep(key, found)
    if found[0] is None:
        raise Http404("没有这个活动。")
    return found[0]


def person_summary(person: Person, campaign: Campaign) -> dict:
    row = PersonTotal.objects.overall().filter(campaign=campaign, person=person).first()
    total = row.total if row else Decimal(0)
    county = county_of(person.unit)
    by_indicator = {
        r["indicator"]: r["points"]
        for r in person.point_entries.filter(campaign=campaign).values("indicator").annotate(points=Sum("points")).order_by()
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
        "name": person.name,
        "labels": [str(label) for label, _ in dimensions],
        "values": [float(points) for _, points in dimensions],
        "max": [float(maxima[value] or top) for value, _ in DIMENSIONS],
    }
    return {
        "total": total,
        "radar": radar,
        "dimensions": dimensions,
        "indicators": indicators,
        "rank_league": readmodel.rank(campaign, person, None)[0],
        "people_league": readmodel.ranked_count(campaign),
        "rank_county": readmodel.rank(campaign, person, [county.path])[0],
        "county": county,
    }


def journal_net(person_id: int, campaign: Campaign):
    """积分明细 as a person reads it: one row per source — a record's 得分, its 冲销 after a rule
    change and its new 得分 netted into one figure — and one per 加分/扣分 (those have no source
    id, so each stands alone). Newest first, one grouped query a page."""
    group = Case(When(source_type="adjustment", then=Cast("pk", CharField())), default=F("source_id"), output_field=CharField())
    return (
        PointEntry.objects.filter(person_id=person_id, campaign=campaign)
        .annotate(group=group)
        .values("source_type", "group")
        .annotate(
            points=Sum("points"),
            occurred_on=Max("occurred_on"),
            source_label=Max("source_label"),
            source_id=Max("source_id"),
            indicator_name=Max("indicator__name"),
            indicators=Count("indicator_id", distinct=True),
            entries=Count("pk"),
            note=Max("note"),
            base_points=Min("base_points"),
            last=Max("pk"),
        )
        .order_by("-occurred_on", "-last")
    )


def board_paths(user) -> list[str] | None:
    """Whose people a user's leaderboard ranks: the subtrees of their admin or reviewer grants,
    or — for a cadre — their own 旗县市区; ``None`` is the whole league."""
    paths = unit_paths(user, {Role.LEAGUE_ADMIN, Role.UNIT_ADMIN, Role.REVIEWER})
    if not paths and user.person_id:  # the county of the cadre's unit: its path's first two steps (one read)
        unit_path = Person.objects.filter(pk=user.person_id).values_list("unit__path", flat=True).first()
        paths = [unit_path[:COUNTY_WIDTH]] if unit_path else []
    if any(len(path) == Unit.steplen for path in paths):  # a grant at the top: everyone
        return None
    return paths


def scope_name(paths: list[str] | None) -> str:
    """Whose people a board ranks, for its title: 全盟, or the units of the viewer's grants."""
    if paths is None:
        return "全盟"
    return "、".join(Unit.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True))


def people_in(paths: list[str] | None) -> int:
    """How many people a board of ``paths`` (``board_paths``) can rank, at most: whether its export
    is large. One count over the unit paths' index."""
    people = Person.objects.all()
    if paths is not None:
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(unit__path__startswith=path)
        people = people.filter(scope)
    return people.count()


__all__ = [
    "BOARD_ROLES",
    "show_board",
    "drill_down_or_404",
    "board_paths",
    "scope_name",
    "people_in",
    "person_summary",
    "journal_net",
    "current_campaign",
    "shown_campaign",
    "board_campaign",
    "county_of",
]


UNSET = object()
BOARD_ROLES = (Role.CADRE, Role.REVIEWER, Role.UNIT_ADMIN, Role.LEAGUE_ADMIN)


def drill_down_or_404(spec: BoardSpec, paths: list[str] | None) -> None:
    # The same 404 as for a unit that does not exist (BoardForm): out of reach looks missing.
    if spec.parent is not None and not boards.may_drill_into(spec.parent, paths):
        raise Http404(UNIT_NOT_FOUND)


def show_board(
    user, campaign, spec: BoardSpec, kind: str, *, today, paths=UNSET, version: readmodel.Version | None = None
) -> boards.Board:
    """The board ``spec`` asks for, as this user may see it (pages and API alike) — from the
    cache while nothing it depends on has changed (``readmodel.version``). ``paths`` and ``version``:
    when the caller has them already. A unit out of the viewer's reach is a 404 (``drill_down_or_404``)."""
    paths = board_paths(user) if paths is UNSET else paths
    drill_down_or_404(spec, paths)
    version = version or readmodel.version()
    key = readmodel.cache_key(
        "points-board",
        kind,
        campaign.pk,
        spec.span,
        spec.dimension,
        spec.indicator and spec.indicator.pk,
        spec.per_head,
        spec.parent and spec.parent.pk,
        paths if kind == "people" else "",
        user.person_id if kind == "people" else "",
        today,
        version,
    )
    board = readmodel.cached(key)
    if board is None:
        board = spec.board(campaign)
        if kind == "units":
            board = readmodel.units(board, parent=spec.parent, per_head=spec.per_head, today=today, roster=version.roster)
        else:
            board = readmodel.board(board, paths, viewer_id=user.person_id, today=today)
        readmodel.keep(key, board)
    return board
