"""`xuebi worker`: run the background tasks (settings.TASKS), whichever queue the deployment has.

With the database backend (the default) this is django-tasks-db's `db_worker`; with RQ over Redis
(XUEBI_REDIS_URL) it is an RQ worker of the default queue with django-tasks-rq's job class. Before it starts,
work a stopped worker left half done is queued again (`recompute_previews --stale`): a task is
re-run from the start, never resumed half way, and each claims its work once."""
from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务（重算积分预览等）：数据库队列或 Redis（RQ）队列，按配置。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="运行完队列中的任务后退出")

    def handle(self, *args, batch: bool = False, **options):
        call_command("recompute_previews", stale=True, verbosity=0)
        if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):
            import django_rq
            from django_tasks_rq import Job

            django_rq.get_worker("default", job_class=Job).work(burst=batch, with_scheduler=False)
        else:
            call_command("db_worker", batch=batch, no_startup_delay=batch)
