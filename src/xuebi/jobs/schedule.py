"""Periodic tasks, declared in one place: each app registers its own from its AppConfig.ready
(``register("month_end_snapshots", "monthly", fn)``, as points does), and ``xuebi worker`` calls
``enqueue_due`` every minute (``--batch``: once).

Each task is enqueued once a period however many workers run: the claim is an INSERT of
(name, period) into a table with a unique key, and the worker whose INSERT fails on the conflict
moves on. The task then runs on the queue like any other (the database or RQ), so this works
with both backends. django-tasks has no scheduler; docs/decisions.md says why not rq-scheduler
or celery beat."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import PeriodicRun

__all__ = ["Periodic", "PERIODS", "SCHEDULE", "register", "enqueue_due", "run"]

logger = logging.getLogger(__name__)

# The period a day falls in, as the claim's key: a task runs once per key.
PERIODS: dict[str, Callable[[dt.date], str]] = {
    "daily": lambda day: day.isoformat(),
    "monthly": lambda day: f"{day:%Y-%m}",
}


@dataclass(frozen=True)
class Periodic:
    name: str
    period: str
    fn: Callable[[], object]


SCHEDULE: dict[str, Periodic] = {}


def register(name: str, period: str, fn: Callable[[], object]) -> None:
    """``fn()`` runs once per ``period`` ("daily", "monthly"), soon after the period begins; it
    must be idempotent (a period's run may be a worker's second try)."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    SCHEDULE[name] = Periodic(name, period, fn)


def enqueue_due(today: dt.date | None = None) -> list[str]:
    """Claim and enqueue every periodic task not yet started in its current period; answer the
    names enqueued (by this call: another worker's claims are not repeated)."""
    from .tasks import run_periodic

    today = today or timezone.localdate()
    started = []
    for entry in SCHEDULE.values():
        period = PERIODS[entry.period](today)
        if PeriodicRun.objects.filter(name=entry.name, period=period).exists():
            continue  # the common case, every minute: no failed INSERT in the database's log
        try:
            with transaction.atomic():  # the claim and the task, together (on the database queue)
                PeriodicRun.objects.create(name=entry.name, period=period)
                run_periodic.enqueue(entry.name, period)
        except IntegrityError:
            continue  # claimed already, by this worker earlier or by another
        started.append(entry.name)
    return started


def run(name: str, period: str) -> None:
    entry = SCHEDULE.get(name)
    if entry is None:
        logger.warning("periodic task %s is not registered", name)
        return
    entry.fn()
    PeriodicRun.objects.filter(name=name, period=period).update(finished_at=timezone.now())
