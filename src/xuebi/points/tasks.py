"""The points app's background work (issue 14), registered with the jobs module from
``PointsConfig.ready`` (jobs sits below points and imports none of it): the 重算积分 preview and
apply as job kinds, and the month-end snapshots as a monthly periodic task. Each is idempotent:
a job is claimed once, and a snapshot already built is not built again."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xuebi.campaign.models import Campaign
from xuebi.jobs import schedule
from xuebi.jobs import services as jobs

from . import readmodel, recompute


def build_snapshots() -> list[tuple[Campaign, dt.date]]:
    """The month-end snapshots that are due (the boards' 升降 compare with them)."""
    return readmodel.build_due_snapshots(timezone.localdate())


def register() -> None:
    jobs.register(recompute.PREVIEW, recompute.preview_job, label="重算积分预览", template="points/_recompute_changes.html",
                  shown=recompute.shown)
    jobs.register(recompute.APPLY, recompute.apply_job, label="重算积分", template="points/_recompute_changes.html",
                  shown=recompute.shown)
    schedule.register("month_end_snapshots", "monthly", build_snapshots)
