"""The reports app's background work, registered with the jobs module from ``ReportsConfig.ready``:
issuing a notice (its PDF takes LibreOffice a second or two) as a job kind, and the monthly
draft notices as a periodic task. Both are idempotent: a job is claimed once, and a month's
scheduled draft is made once per issuing unit and campaign."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from xuebi.jobs import schedule
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job

from .models import Notice
from .services import notices as services

ISSUE = "reports.notice_issue"


def issue_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    notice = Notice.objects.visible_to(job.owner, "change").filter(pk=job.params.get("notice")).first()
    if notice is None:
        raise ValidationError("通报已不存在，或您无权印发。")
    notice = services.notice_issue(actor=job.owner, notice=notice, progress=progress)
    return jobs.Done(summary=f"已印发通报 {notice.number_text}。", result={"notice": notice.pk, "number": notice.number_text})


def monthly_drafts() -> list:
    return services.scheduled_drafts()


def register() -> None:
    jobs.register(ISSUE, issue_job, label="印发通报", template="reports/_issued_job.html")
    schedule.register("monthly_notice_drafts", "monthly", monthly_drafts)
