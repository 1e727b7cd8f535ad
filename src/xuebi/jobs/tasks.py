"""The two tasks of Django's tasks API that run every job and every periodic task (the database
queue or RQ, settings.TASKS): thin, each claiming its work once."""

from __future__ import annotations

from django_tasks import task

from . import schedule, services


@task()
def run_job(pk: int) -> None:
    services.run(pk)


@task()
def run_periodic(name: str, period: str) -> None:
    schedule.run(name, period)
