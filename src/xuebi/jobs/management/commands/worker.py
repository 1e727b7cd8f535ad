"""`xuebi worker`: run the background tasks (settings.TASKS), whichever queue the deployment has,
and start the periodic tasks when they are due.

With the database backend (the default) this is django-tasks-db's `db_worker`; with RQ over Redis
(XUEBI_REDIS_URL) it is an RQ worker of the default queue with django-tasks-rq's job class. Before it
starts, the jobs a stopped worker of this machine left "running" are queued again (`requeue_jobs`):
a job is re-run from the start, never resumed half way (its work was rolled back with it), and
each claims its work once. Beside the queue, a thread asks the schedule every
XUEBI_SCHEDULE_SECONDS which periodic tasks are due and enqueues them (once a period, however
many workers run); with --batch it asks once, before the queue is run to its end."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from xuebi.jobs import schedule


class Command(BaseCommand):
    help = "运行后台任务（导出、导入、重算积分等）和定时任务：数据库队列或 Redis（RQ）队列，按配置。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="运行到期的定时任务和队列中的任务后退出")

    def handle(self, *args, batch: bool = False, **options):
        call_command("requeue_jobs", verbosity=0)
        stop = threading.Event()
        if batch:
            schedule.enqueue_due()
        else:
            threading.Thread(target=self._schedule_loop, args=(stop,), name="xuebi-schedule", daemon=True).start()
        try:
            if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq"):
                import django_rq
                from django_tasks_rq import Job

                django_rq.get_worker("default", job_class=Job).work(burst=batch, with_scheduler=True)
            else:
                call_command("db_worker", batch=batch, no_startup_delay=batch)
        finally:
            stop.set()

    @staticmethod
    def _schedule_loop(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                schedule.enqueue_due()
            except Exception:  # noqa: BLE001 — a database hiccup must not end the loop; the next tick tries again
                import logging

                logging.getLogger(__name__).exception("the schedule could not be read")
            finally:
                close_old_connections()
                connection.close()
            stop.wait(settings.XUEBI_SCHEDULE_SECONDS)
