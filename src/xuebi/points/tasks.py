"""The points app's background work (issue 14), registered with the jobs module from
``PointsConfig.ready`` (jobs sits below points and imports none of it): the 重算积分 preview and
apply and a large board's export as job kinds, and the month-end snapshots as a monthly periodic task. Each is idempotent:
a job is claimed once, and a snapshot already built is not built again."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from xuebi.campaign.models import Campaign
from xuebi.jobs import schedule
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job

from . import boards, readmodel, recompute, selectors, sheets
from .forms import UNIT_NOT_FOUND, BoardForm

BOARD_EXPORT = "points.board_export"


def build_snapshots() -> list[tuple[Campaign, dt.date]]:
    """The month-end snapshots that are due (the boards' 升降 compare with them)."""
    return readmodel.build_due_snapshots(timezone.localdate())


def board_export_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    """A large people board as an .xlsx: the question the page asked (``params["query"]``), the
    owner's scope as it is now."""
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise ValidationError("活动已不存在。")
    today = timezone.localdate()
    form = BoardForm(QueryDict(job.params.get("query", "")), campaign=campaign, today=today)
    if not form.is_valid():
        raise ValidationError("；".join(e for errors in form.errors.values() for e in errors))
    spec = form.spec()
    paths = selectors.board_paths(job.owner)
    if spec.parent is not None and not boards.may_drill_into(spec.parent, paths):
        raise ValidationError(UNIT_NOT_FOUND)
    content, name = sheets.board_export(campaign, spec, "people", paths=paths, today=today)
    return jobs.Done(summary=f"已导出{campaign.name}个人排行榜。", file_name=name, content=content)


def register() -> None:
    jobs.register(
        recompute.PREVIEW,
        recompute.preview_job,
        label="重算积分预览",
        template="points/_recompute_changes.html",
        shown=recompute.shown,
    )
    jobs.register(
        recompute.APPLY, recompute.apply_job, label="重算积分", template="points/_recompute_changes.html", shown=recompute.shown
    )
    jobs.register(BOARD_EXPORT, board_export_job, label="导出排行榜")
    schedule.register("month_end_snapshots", "monthly", build_snapshots)
