"""Background jobs: one mechanism for every app's long work (issue 14).

An app registers a kind of job with ``register(kind, fn, label=…)`` from its AppConfig.ready
(jobs sits below the apps that use it and imports none of them, as ``recompute.register_source``
works). ``start`` writes the row and enqueues the task when the transaction commits; the worker's
task calls ``run``, which

* claims the job once (waiting → running, one UPDATE): a second run of the same job — the task
  enqueued twice, a worker restarted — does nothing;
* runs ``fn(job, progress)`` as the job's owner (the audit entries the app's services write name
  them) inside one transaction together with marking the job done, so the work and "done" are
  committed together or not at all: a worker that dies half way leaves the job "running" with
  nothing written, and ``requeue_stale`` runs it again from the start;
* keeps the progress in ``caches["progress"]`` (not the row: on SQLite a long transaction holds
  the write lock, so no other write could be seen until it ends);
* never leaves the job "running" after an exception: it is "failed" with a message in Chinese.

Starting and finishing are audited (``jobs.start``, ``jobs.finish``), as the owner.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xuebi.audit.models import Action, Outcome
from xuebi.audit.services import audit_record
from xuebi.core import context

from .models import Job, JobStatus

__all__ = ["Done", "Kind", "KINDS", "register", "start", "run", "requeue_stale", "progress_of", "progress_key"]

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 3600  # a progress figure outlives any job; one left by a dead worker expires
Progress = Callable[[int, int], None]


@dataclass
class Done:
    """What a job function answers: a summary to show, details (JSON) for the kind's template,
    and a file to download (its name and bytes)."""

    summary: str = ""
    result: Any = field(default_factory=list)
    file_name: str = ""
    content: bytes = b""


@dataclass(frozen=True)
class Kind:
    kind: str
    fn: Callable[[Job, Progress], Done]
    label: str
    template: str = ""  # shows ``job.result`` on the job page (e.g. a table of changes), as ``result``
    shown: Callable[[Any], Any] | None = None  # ``job.result`` as the template wants it


KINDS: dict[str, Kind] = {}


def register(
    kind: str, fn: Callable[[Job, Progress], Done], *, label: str, template: str = "", shown: Callable[[Any], Any] | None = None
) -> None:
    """``fn(job, progress)`` does the work of a job of ``kind`` (reading ``job.params``, acting as
    ``job.owner``) and answers ``Done``; ``progress(done, total)`` reports how far it is. It raises
    ``ValidationError`` or ``PermissionDenied`` with a message in Chinese when it cannot be done."""
    KINDS[kind] = Kind(kind, fn, label, template, shown)


def start(kind: str, *, owner, params: dict | None = None, total: int = 0, inline: bool = False) -> Job:
    """Create the job and enqueue it when the transaction commits — or, with ``inline``, run it
    now (work small enough for the request; the page shows the same row)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, owner=owner, params=params or {}, total=total)
    audit_record(
        actor=owner, action=Action.JOB_START, target=job, changes={"kind": [None, KINDS[kind].label], "total": [None, total]}
    )
    if inline:
        run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(pk: int) -> None:
    from .tasks import run_job

    run_job.enqueue(pk)


def _claimer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def progress_key(pk: int) -> str:
    return f"jobs-progress-{pk}"


def run(pk: int) -> bool:
    """Run one waiting job (see the module's docstring); False when it was not waiting."""
    claimed = Job.objects.filter(pk=pk, status=JobStatus.WAITING).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), claimed_by=_claimer()
    )
    if not claimed:
        return False  # another worker has it, or it is done
    job = Job.objects.select_related("owner").get(pk=pk)
    kind = KINDS.get(job.kind)
    cache = caches["progress"]

    seen = [job.total]

    def progress(done: int, total: int) -> None:
        seen[0] = total
        cache.set(progress_key(pk), (done, total), PROGRESS_SECONDS)

    try:
        if kind is None:
            raise ValidationError(f"无法运行此类后台任务（{job.kind}）。")
        with _as_owner(job.owner), transaction.atomic():
            done = kind.fn(job, progress)
            if done.content:
                job.file.save(f"{pk}/{done.file_name}", ContentFile(done.content), save=False)
            Job.objects.filter(pk=pk).update(
                status=JobStatus.DONE,
                summary=done.summary,
                result=done.result,
                file=job.file.name or "",
                file_name=done.file_name,
                finished_at=timezone.now(),
                done=seen[0],
                total=seen[0],
            )
            audit_record(
                actor=job.owner,
                action=Action.JOB_FINISH,
                target=job,
                changes={"kind": [None, kind.label], "summary": [None, done.summary]},
            )
    except Exception as exc:  # noqa: BLE001 — whatever happened, the job must not stay "running"
        if isinstance(exc, ValidationError | PermissionDenied):
            message = "；".join(getattr(exc, "messages", None) or [str(exc)])
        else:
            logger.exception("job %s (%s) failed", pk, job.kind)
            message = "任务运行出错，未完成任何更改。请重试；如仍出错，请联系系统管理员。"
        Job.objects.filter(pk=pk).update(status=JobStatus.FAILED, error=message, finished_at=timezone.now())
        audit_record(
            actor=job.owner,
            action=Action.JOB_FINISH,
            target=job,
            outcome=Outcome.FAILURE,
            changes={"kind": [None, kind.label if kind else job.kind], "error": [None, message]},
        )
    finally:
        cache.delete(progress_key(pk))
    return True


def _as_owner(owner):
    """The owner acts (their name on the audit entries); a job run inline keeps its request's
    context (address, request id)."""
    if context.current().user == owner:
        return contextlib.nullcontext()
    return context.acting_as(owner)


def _gone(claimed_by: str) -> bool:
    """Whether the process that claimed a job has ended: only a process of this machine can be
    asked; one claimed by another machine is that machine's worker's to re-queue."""
    host, _, pid = claimed_by.rpartition(":")
    if not claimed_by or not pid.isdigit():
        return True
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def requeue_stale(*, waiting: bool = False, every: bool = False) -> list[int]:
    """Put the jobs a stopped process left "running" back in the queue, to run from the start
    (their work was rolled back with their transaction). With ``waiting``, enqueue the waiting
    ones again too (a queue that was lost): each is claimed once, so a duplicate does nothing.
    With ``every``, every running job, whoever claimed it (a machine gone for good, when no
    worker runs anywhere)."""
    stale = [
        pk
        for pk, claimed_by in Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", "claimed_by")
        if every or _gone(claimed_by)
    ]
    Job.objects.filter(pk__in=stale, status=JobStatus.RUNNING).update(status=JobStatus.WAITING, claimed_by="")
    again = sorted(
        set(stale) | (set(Job.objects.filter(status=JobStatus.WAITING).values_list("pk", flat=True)) if waiting else set())
    )
    for pk in again:
        _enqueue(pk)
    return again


def progress_of(job: Job) -> tuple[int, int]:
    """(done, total) of a job: from the progress cache while it runs, else from the row."""
    if job.finished:
        return job.total, job.total
    return caches["progress"].get(progress_key(job.pk)) or (job.done, job.total)
