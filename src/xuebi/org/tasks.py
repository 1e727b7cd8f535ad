"""The org app's background work (issue 14), registered with the jobs module from
``OrgConfig.ready``: a roster import of more than ``XUEBI_IMPORT_INLINE_ROWS`` rows and a roster
export of more than ``XUEBI_EXPORT_INLINE_ROWS`` people. Both run as the person who asked, with
their scope, and audit as the pages do (``roster.apply_import``, ``roster.export_people``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job

from .services import roster
from .filters import PersonFilter
from .models import Person

IMPORT = "org.roster_import"
EXPORT = "org.roster_export"


def import_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    """Plan the kept upload again and apply it — all or nothing, in the job's transaction, so a
    worker that stops half way leaves nothing and the job is run again from the start. The plan
    must be the one previewed (someone may have changed the roster since)."""
    params = job.params
    path = roster.upload_path(params.get("token", ""))
    if path is None:
        raise ValidationError("上传的文件已过期（保留一天），未导入任何数据。请重新上传并预览。")
    progress(0, job.total)
    result, changed = roster.import_kept(
        path,
        user=job.owner,
        unit_pk=params.get("unit"),
        fingerprint=params.get("fingerprint", ""),
        filename=params.get("filename", ""),
    )
    if changed:
        raise ValidationError(roster.CHANGED_SINCE_PREVIEW)
    if not result.ok:
        raise ValidationError(f"发现{len(result.errors)}处错误，未导入任何数据：{result.errors[0].message}")
    progress(job.total, job.total)
    transaction.on_commit(lambda: roster.upload_discard(params["token"]))
    return jobs.Done(summary=f"导入成功：新增{result.created}人，更新{result.updated}人，未变化{result.unchanged}人。")


def export_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    """The roster the list showed (its filter, ``params["query"]``), as the owner may see it now."""
    query = job.params.get("query", "")
    people = PersonFilter(QueryDict(query) or None, queryset=Person.objects.visible_to(job.owner), user=job.owner).qs
    count = people.count()
    progress(0, count)
    data = roster.export_people(people, query=query, actor=job.owner)
    progress(count, count)
    return jobs.Done(summary=f"已导出{count}人。", file_name=f"roster-{timezone.localdate():%Y%m%d}.xlsx", content=data)


def register() -> None:
    jobs.register(IMPORT, import_job, label="导入花名册")
    jobs.register(EXPORT, export_job, label="导出花名册")
