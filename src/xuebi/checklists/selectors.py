"""Reads of 清单式管理, all through ``Item.visible_to``: one's own items and pledges, a unit's board
by status, what is overdue or due soon across the subtree, the completion rate by unit and month."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Unit
from xuebi.org.scoping import unit_paths

from .models import OPEN_STATUSES, Item, ItemEvent, ListKind, PledgeGrade, Status

__all__ = ["mine", "board", "due", "completion", "events_of", "assessment_rows", "BOARD_COLUMNS"]

BOARD_COLUMNS = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.PENDING, Status.DONE]


def _rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("unit", "responsible_unit", "responsible_person")


def mine(user, year: int) -> dict:
    """The items the user answers for (open first, then this year's closed) and their pledges of the year."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return {"open": [], "closed": [], "pledges": []}
    own = _rows(Item.objects.filter(responsible_person_id=person_id))
    return {
        "open": list(own.exclude(kind=ListKind.PLEDGE).filter(status__in=OPEN_STATUSES).order_by("due_date", "pk")),
        "closed": list(
            own.exclude(kind=ListKind.PLEDGE)
            .filter(year=year)
            .exclude(status__in=OPEN_STATUSES)
            .order_by("-closed_on", "-pk")[:50]
        ),
        "pledges": list(own.filter(kind=ListKind.PLEDGE, year=year).order_by("pk")),
    }


def scoped(user, *, unit: Unit | None = None, kind: str = "", year: int | None = None) -> QuerySet:
    rows = Item.visible_to(user)
    if unit is not None:
        rows = rows.filter(Q(unit__path__startswith=unit.path) | Q(responsible_unit__path__startswith=unit.path))
    if kind:
        rows = rows.filter(kind=kind)
    if year:
        rows = rows.filter(year=year)
    return _rows(rows)


PER_COLUMN = 50  # items listed per column of the board, and per part of the due page (the counts are all of them)


def board(user, *, unit=None, kind: str = "", year: int, today: dt.date) -> dict:
    """The columns of a unit's board: each status's count and its first items by due date (the
    overdue marked), and how many open items are overdue. The whole list is the export's."""
    rows = scoped(user, unit=unit, kind=kind, year=year).exclude(status=Status.CANCELLED)
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    columns = []
    for status in BOARD_COLUMNS:
        order = ("-closed_on", "-pk") if status == Status.DONE else ("due_date", "pk")  # the latest done first
        items = list(rows.filter(status=status).order_by(*order)[:PER_COLUMN])
        for item in items:
            item.overdue = item.is_overdue(today)
        columns.append((Status(status).label, status, items, counts.get(status, 0)))
    overdue = rows.filter(status__in=OPEN_STATUSES, due_date__lt=today).count()
    return {"columns": columns, "overdue": overdue, "per_column": PER_COLUMN}


def due(user, *, today: dt.date, days: int, unit=None) -> dict:
    """Open items overdue, and due within ``days`` days, across the user's subtree: the counts and
    the first of each, the most overdue and the soonest first."""
    rows = scoped(user, unit=unit).filter(status__in=OPEN_STATUSES, due_date__isnull=False)
    late = rows.filter(due_date__lt=today)
    soon = rows.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=days))
    overdue = list(late.order_by("due_date", "pk")[:PER_COLUMN])
    for item in overdue:
        item.overdue = True
    return {
        "overdue": overdue,
        "overdue_count": late.count(),
        "soon": list(soon.order_by("due_date", "pk")[:PER_COLUMN]),
        "soon_count": soon.count(),
        "per_column": PER_COLUMN,
    }


def completion(user, *, year: int, today: dt.date) -> dict:
    """Per unit of the first level under the user's top unit, and per month of due date: items due,
    done on time, done late, open and overdue, open and not yet due. The rate is on time ÷ the items
    whose due date has come (or that are done): an item due next week does not lower this month's."""
    tops = unit_paths(user, ADMIN_ROLES)
    rows = (
        Item.visible_to(user)
        .filter(year=year, due_date__isnull=False)
        .exclude(status=Status.CANCELLED)
        .exclude(kind=ListKind.PLEDGE)
        .values("responsible_unit__path", "due_date", "status", "closed_late")
        .annotate(n=Count("pk"))
    )
    step = Unit.steplen
    depth = min((len(p) for p in tops), default=step) // step + 1
    empty = {"due": 0, "on_time": 0, "late": 0, "open": 0, "ahead": 0}
    groups: dict[str, dict] = defaultdict(lambda: dict(empty))
    months: dict[int, dict] = defaultdict(lambda: dict(empty))
    for row in rows:
        path = row["responsible_unit__path"]
        key = path[: step * depth] if len(path) >= step * depth else path
        if row["status"] == Status.DONE:
            part = "late" if row["closed_late"] else "on_time"
        else:
            part = "open" if row["due_date"] < today else "ahead"
        for bucket in (groups[key], months[row["due_date"].month]):
            bucket["due"] += row["n"]
            bucket[part] += row["n"]
    names = dict(Unit.objects.filter(path__in=list(groups)).values_list("path", "name"))

    def rate(bucket):
        come = bucket["due"] - bucket["ahead"]
        return round(100 * bucket["on_time"] / come, 1) if come else None

    units = [{"name": names.get(path, path), **bucket, "rate": rate(bucket)} for path, bucket in sorted(groups.items())]
    by_month = [{"month": m, **months[m], "rate": rate(months[m])} for m in range(1, 13)]
    return {"units": units, "months": by_month}


def events_of(item: Item) -> list[ItemEvent]:
    return list(item.events.select_related("actor").prefetch_related(Prefetch("files")).order_by("at", "pk"))


def assessment_rows(person_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[tuple[str, Decimal | None, str]]]:
    """What a person's 考核表 shows of their checklists for a period (the assessments' evidence
    provider; plain tuples (text, value, link), since this app sits below assessments): a summary
    whose value is the items closed on time, then the items closed late or overdue and the pledges
    of the period's year with their 践诺评价. Two queries for all the people."""
    closed: dict[int, dict[str, int]] = defaultdict(lambda: {"on_time": 0, "late": 0})
    notes: dict[int, list[tuple[str, Decimal | None, str]]] = defaultdict(list)
    rows = (
        Item.objects.filter(responsible_person_id__in=person_ids)
        .exclude(kind=ListKind.PLEDGE)
        .filter(Q(status=Status.DONE, closed_on__range=(start, end)) | Q(status__in=OPEN_STATUSES, due_date__range=(start, end)))
        .values_list("pk", "responsible_person_id", "title", "status", "closed_late", "due_date", "closed_on")
        .order_by("due_date", "pk")
    )
    overdue: dict[int, int] = defaultdict(int)
    today = timezone.localdate()
    for pk, person, title, status, late, due, closed_on in rows:
        if status == Status.DONE:
            closed[person]["late" if late else "on_time"] += 1
            if late and due is not None and closed_on is not None:
                notes[person].append(
                    (
                        f"逾期完成：{title}（时限 {due.month}月{due.day}日，{closed_on.month}月{closed_on.day}日销号）",
                        None,
                        f"/checklists/items/{pk}/",
                    )
                )
        elif (
            due is not None and due < today
        ):  # still open after its due date (one due later in the period is not held against them)
            overdue[person] += 1
            notes[person].append((f"逾期未完成：{title}（时限 {due.month}月{due.day}日）", None, f"/checklists/items/{pk}/"))
    pledges = (
        Item.objects.filter(responsible_person_id__in=person_ids, kind=ListKind.PLEDGE, year__in={start.year, end.year})
        .values_list("pk", "responsible_person_id", "title", "pledge_grade")
        .order_by("pk")
    )
    grades = dict(PledgeGrade.choices)
    for pk, person, title, grade in pledges:
        notes[person].append((f"承诺：{title}（{grades[grade] if grade else '未评价'}）", None, f"/checklists/items/{pk}/"))
    answer = {}
    for person in set(closed) | set(notes) | set(overdue):
        counts = closed[person]
        summary = f"按时销号 {counts['on_time']} 项，逾期完成 {counts['late']} 项，逾期未完成 {overdue[person]} 项"
        answer[person] = [(summary, Decimal(counts["on_time"]), ""), *notes[person]]
    return answer
