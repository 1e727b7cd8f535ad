"""Reads of jobs that know the user: a job is its owner's alone (anyone else gets the 404 of a
job that does not exist)."""

from __future__ import annotations

from django.http import Http404

from .models import Job

__all__ = ["job_of_owner"]

NOT_FOUND = "没有找到这个后台任务。"


def job_of_owner(user, pk: int) -> Job:
    job = Job.objects.filter(pk=pk, owner_id=getattr(user, "pk", None)).first()
    if job is None:
        raise Http404(NOT_FOUND)
    return job
