"""The job page: its progress bar, polled with HTMX while it runs, then its summary, its
result and its download — or its error. The owner's only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.http import content_disposition_header

from . import selectors, services


@login_required
def job_page(request, pk: int):
    job = selectors.job_of_owner(request.user, pk)
    kind = services.KINDS.get(job.kind)
    done, total = services.progress_of(job)
    context = {
        "job": job,
        "done": done,
        "total": total,
        "percent": 100 if job.status == "done" else (int(done * 100 / total) if total else 0),
        "result_template": kind.template if kind else "",
        "result": kind.shown(job.result) if kind and kind.shown and job.status == "done" else job.result,
    }
    template = "jobs/_job.html" if request.htmx else "jobs/job.html"
    return render(request, template, context)


@login_required
def download(request, pk: int):
    job = selectors.job_of_owner(request.user, pk)
    if job.status != "done" or not job.file:
        raise Http404(selectors.NOT_FOUND)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("结果文件已不存在，请重新导出。") from None
    response = FileResponse(
        handle,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if job.file_name.endswith(".xlsx")
        else "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition_header(True, job.file_name)
    return response
