"""Running the queue in a test, on whichever backend the suite runs (settings.TASKS): what
`xuebi worker` does, here in this process and until the queue is empty."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command

ON_RQ = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq")


def queued() -> int:
    """How many tasks wait in the queue."""
    if ON_RQ:
        import django_rq
        from django_tasks_rq import Job

        return django_rq.get_queue("default", job_class=Job).count
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY").count()


def drain() -> None:
    """Run every queued task (the database worker needs a test with real transactions)."""
    if ON_RQ:
        import django_rq
        from django_tasks_rq import Job
        from rq import SimpleWorker

        # What an RQ worker does with each job, without its fork (SimpleWorker) or its polling loop.
        queue = django_rq.get_queue("default", job_class=Job)
        worker = django_rq.get_worker("default", worker_class=SimpleWorker, job_class=Job)
        while queue.jobs:
            job = queue.jobs[0]
            queue.remove(job)
            worker.execute_job(job, queue)
    else:
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def empty_queue() -> None:
    if ON_RQ:
        import django_rq
        from django_tasks_rq import Job

        django_rq.get_queue("default", job_class=Job).empty()
