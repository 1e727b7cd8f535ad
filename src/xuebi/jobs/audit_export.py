"""The audit log's large export as a job kind: audit sits below jobs, so jobs registers the kind
and tells audit how to start it (``audit.exports.register_background``)."""
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
    return services.Done(summary=f"已导出{total}条操作日志。", file_name=f"audit-{timezone.localdate():%Y%m%d}.xlsx",
                         content=data)


def _start(owner, query: str) -> str:
    job = services.start(KIND, owner=owner, params={"query": query})
    return reverse("jobs:job", args=[job.pk])


def register() -> None:
    services.register(KIND, export_job, label="导出操作日志")
    exports.register_background(_start)
