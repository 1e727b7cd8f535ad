"""The audit log's large export as a job kind (audit sits below jobs, so the kind is registered here;
the log's page, in ``home``, starts it with ``start``)."""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from xuebi.audit import exports

from . import services
from .models import Job

KIND = "audit.export"


def export_job(job: Job, progress: services.Progress) -> services.Done:
    query = job.params.get("query", "")
    _form, entries = exports.filtered(QueryDict(query) or None)
    total = entries.count()
    progress(0, total)
    data = exports.export_entries(entries, query=query, actor=job.owner, progress=lambda done: progress(done, total))
    return services.Done(
        summary=f"已导出{total}条操作日志。", file_name=f"audit-{timezone.localdate():%Y%m%d}.xlsx", content=data
    )


def start(owner, query: str) -> str:
    """Start the export of the log as ``query`` filters it; the job page's address."""
    job = services.start(KIND, owner=owner, params={"query": query})
    return reverse("jobs:job", args=[job.pk])


def register() -> None:
    services.register(KIND, export_job, label="导出操作日志")
