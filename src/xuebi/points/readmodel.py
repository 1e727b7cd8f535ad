"""The points read model, behind one fence.

The journal (``PointEntry``) is the truth; everything else the points app keeps is derived from
it so that a board or a rank reads a few index ranges instead of summing the journal:

* kept totals — ``PersonTotal`` and ``UnitTotal``: per person / unit, campaign, period (the
  campaign, its quarters and months) and indicator (or all), one column per dimension;
* band counts — ``RankCount``: how many people have scores in each whole-point band, so a rank
  is a sum over a few hundred bands plus one count inside a band;
* month-end snapshots — ``Period.SNAPSHOT`` rows and ``StandingSnapshot``: the standing at the
  end of last month, the campaign board's ↑↓;
* board caches — Django's cache, keyed on ``version()`` (one statement of six index reads).

Code outside this module and the three it fronts (``standings``: the kept rows; ``boards``:
ranking them; ``sql``: every statement the two run, named, in one place) uses only this API:

writing (the journal's one writer, ``engine.journal_append``, is the only caller)
    ``lock_person(campaign_id, person_id)``  the person's whole-campaign row, created and locked
    ``person_rows(campaign, person_id, indicator_id, day, also)``  the person's rows under the lock
    ``apply(entry, before=None)``  insert a new journal row and add it to every total and count
    ``move_person(person_id)``  refile a person's rows under their new county
reading
    ``board(board, paths, viewer_id=…, today=…)``  a people board (top 50 and the viewer's row)
    ``units(board, parent=…, per_head=…, today=…)``  a unit board
    ``rank(campaign, person, paths)``  (rank, total) on the whole-campaign board of a scope
    ``standing(campaign, person_id, paths, today=…)``  rank, total and movement (the home page)
    ``ranked_count(campaign)``  how many people the campaign board ranks
    ``version()``, ``cache_key(…)``, ``CACHE_SECONDS``  what cached boards are keyed on (with Redis
    the version is kept there, renewed by ``data_changed()`` and the access token: ``boards``);
    ``cached(key)`` / ``keep(key, value)``  the board caches (with Redis: this process's copy
    first — safe because every key carries the version it was computed for)
maintaining (tasks and commands, never a page)
    ``build_due_snapshots(today=None)``  the month-end snapshots that are due (the scheduled task)
    ``rebuild(campaign)``  every kept row summed again from the journal
    ``check(campaign)``  (kept rows, rows the journal gives): equal when all is well
"""

from __future__ import annotations

from typing import Any

import datetime as dt
from decimal import Decimal

from xuebi.campaign.models import Campaign
from xuebi.org.models import Person

from . import boards, standings
from .models import PersonTotal, PointEntry

CACHE_SECONDS = boards.CACHE_SECONDS
Version = boards.Version
version = boards.version
data_changed = boards.data_changed
cache_key = boards.cache_key
cached = boards.cached
keep = boards.keep


# --- writing ------------------------------------------------------------------------------------


def lock_person(campaign_id: int, person_id: int) -> None:
    """Lock the person's whole-campaign total row (created if missing): every write to one
    person's points in one campaign passes here first, so cap checks are serialised."""
    if not standings.lock_person(campaign_id, person_id):
        start = Campaign.objects.values_list("start_date", flat=True).get(pk=campaign_id)
        standings.ensure_person_row(campaign_id, person_id, start)
        if not standings.lock_person(campaign_id, person_id):
            raise PersonTotal.DoesNotExist(person_id)


def person_rows(campaign: Campaign, person_id: int, indicator_id: int, day: dt.date, also: dict) -> Any:
    """The person's kept rows an entry of ``day`` would change, and the writer's other one-value
    reads (``also``), in one statement (``standings.person_rows``)."""
    return standings.person_rows(campaign, person_id, indicator_id, day, also)


def apply(entry: PointEntry, before: dict | None = None) -> None:
    """Insert a new journal row and add it to every total and band count it counts in (one
    round trip on PostgreSQL). Only ``engine.journal_append`` calls it, under the person's lock."""
    standings.add_entry(entry, before)
    data_changed()


def move_person(person_id: int) -> None:
    """A person moved to another county: refile their rows and move their band counts."""
    standings.move_person(person_id)


points_value = standings.points_value


# --- reading ------------------------------------------------------------------------------------


def board(
    question: boards.Board,
    paths: list[str] | None,
    *,
    viewer_id: int | None = None,
    limit: int = 50,
    today: dt.date | None = None,
) -> boards.Board:
    """A people board: the top ``limit`` of the scope (``paths``; None: everyone) and the viewer's row."""
    return boards.people_board(question, paths, viewer_id=viewer_id, limit=limit, today=today)


def units(
    question: boards.Board, *, parent=None, per_head: bool = False, today: dt.date | None = None, roster: tuple | None = None
) -> boards.Board:
    """A unit board: the counties, or the units directly under ``parent``."""
    return boards.unit_board(question, parent=parent, per_head=per_head, today=today, roster=roster)


def rank(campaign: Campaign, person: Person, paths: list[str] | None) -> tuple[int | None, Decimal]:
    """(rank, total) of a person on the whole-campaign board of a scope (rank None: not ranked)."""
    return boards.person_rank(campaign, person, paths)


def standing(campaign: Campaign, person_id: int, paths: list[str] | None, *, today: dt.date | None = None) -> dict:
    """A person's rank, total and movement since the latest month-end snapshot."""
    return boards.person_standing(campaign, person_id, paths, today=today)


def ranked_count(campaign: Campaign) -> int:
    """How many people the whole-campaign board ranks."""
    return standings.people_ranked(campaign)


# --- maintaining --------------------------------------------------------------------------------


def build_due_snapshots(today: dt.date | None = None) -> list[tuple[Campaign, dt.date]]:
    """Build the month-end snapshots that are due (idempotent): the scheduled task's call."""
    return standings.build_due_snapshots(today)


ensure_snapshot = standings.ensure_snapshot


def rebuild(campaign: Campaign) -> None:
    """Sum every kept row of the campaign again from the journal."""
    standings.rebuild(campaign)


def check(campaign: Campaign) -> tuple[set, set]:
    """(the kept rows, the rows the journal gives): equal when the read model is true."""
    return standings.stored_rows(campaign), standings.expected_rows(campaign)


__all__ = [
    "CACHE_SECONDS",
    "Version",
    "version",
    "data_changed",
    "cache_key",
    "cached",
    "keep",
    "lock_person",
    "person_rows",
    "apply",
    "move_person",
    "points_value",
    "board",
    "units",
    "rank",
    "standing",
    "ranked_count",
    "build_due_snapshots",
    "ensure_snapshot",
    "rebuild",
    "check",
]
