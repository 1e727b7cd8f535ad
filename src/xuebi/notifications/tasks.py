"""The delivery of a message to a group robot, on the task queue (never inside a request)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def deliver(pk: int) -> None:
    services.attempt(pk)
