"""Queue again the jobs a stopped process of this machine left "running" (re-run from the start:
their work was rolled back with them); with --waiting, the waiting ones too (a queue that was
lost). Each job is claimed once, so a job queued twice runs once. `xuebi worker` runs this first."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from xuebi.jobs import services


class Command(BaseCommand):
    help = "重新排队中断的后台任务（其进程已结束时），从头运行。"

    def add_arguments(self, parser):
        parser.add_argument("--waiting", action="store_true", help="也重新排队等待中的任务")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every",
            help="重新排队所有“进行中”的任务，不论由哪台机器运行（确认没有任何 worker 在运行时使用）",
        )

    def handle(self, *args, waiting: bool = False, every: bool = False, **options):
        again = services.requeue_stale(waiting=waiting, every=every)
        if options["verbosity"]:
            self.stdout.write(f"已重新排队{len(again)}个后台任务。")
