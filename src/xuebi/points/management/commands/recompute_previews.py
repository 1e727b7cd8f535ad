"""Run the 重算积分 previews left waiting — e.g. when the process that took the request ended
before its background thread did (a restart). Each is claimed once (``run_preview``), so running
this next to the web processes is safe."""
from __future__ import annotations

from django.core.management.base import BaseCommand

from xuebi.points import recompute
from xuebi.points.models import JobStatus, RecomputePreview


class Command(BaseCommand):
    help = "运行等待中的重算积分预览（后台任务）。"

    def add_arguments(self, parser):
        parser.add_argument("--stale", action="store_true",
                            help="也重新运行停在“计算中”的预览（其进程已结束时）")

    def handle(self, *args, stale: bool = False, **options):
        if stale:
            RecomputePreview.objects.filter(status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
        ids = list(RecomputePreview.objects.filter(status=JobStatus.QUEUED).order_by("pk").values_list("pk", flat=True))
        for pk in ids:
            recompute.run_preview(pk)
        self.stdout.write(f"已运行{len(ids)}个重算预览。")
