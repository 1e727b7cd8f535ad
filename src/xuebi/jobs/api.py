"""GET /api/v1/jobs/<pk>: a job's status for the one who started it (202 answers point here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from ninja import Router, Schema, Status

from . import selectors, services
from .models import Job

router = Router(tags=["后台任务"])


class JobStarted(Schema):
    """The 202 answer of an endpoint whose work went to the background."""

    job: int
    status_url: str


class JobOut(Schema):
    id: int
    kind: str
    label: str
    status: str
    done: int
    total: int
    summary: str
    result: Any
    error: str
    download_url: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


def started(job: Job) -> Status:
    return Status(202, JobStarted(job=job.pk, status_url=f"/api/v1/jobs/{job.pk}"))


@router.get("/jobs/{pk}", response=JobOut, summary="后台任务的进度和结果（发起人）")
def job_status(request, pk: int):
    job = selectors.job_of_owner(request.auth, pk)
    done, total = services.progress_of(job)
    return JobOut(
        id=job.pk,
        kind=job.kind,
        label=job.label,
        status=job.status,
        done=done,
        total=total,
        summary=job.summary,
        result=job.result,
        error=job.error,
        download_url=reverse("jobs:download", args=[job.pk]) if job.file and job.status == "done" else None,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )
