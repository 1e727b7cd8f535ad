"""The 重算积分 preview as a background job on a real queue: the database backend run by
`xuebi db_worker`, and RQ over Redis when XUEBI_REDIS_URL is set."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from xuebi.jobs.models import Job as XuebiJob
from xuebi.ledger.services import records as services
from xuebi.testing.helpers import self_study

ON_RQ = django_settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq")


# Real transactions (not the test's one rolled back at the end): the task is enqueued when the
# request commits, and the worker, as in production, closes and reopens connections between tasks.
@pytest.mark.django_db(transaction=True)
def test_a_large_preview_is_queued_at_commit_and_run_by_the_worker(users, kinds, theory, campaign, client_for, settings):
    settings.XUEBI_RECOMPUTE_INLINE = 0  # every preview is "large"
    services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    client = client_for(users.league_admin)
    client.post("/points/recompute/", {"preview": ""})
    job = XuebiJob.objects.get()
    assert job.kind == "points.recompute_preview" and job.status == "waiting"
    if ON_RQ:
        import django_rq
        from django_tasks_rq import Job
        from rq import SimpleWorker

        queue = django_rq.get_queue("default", job_class=Job)
        assert queue.count == 1
        # What an RQ worker (`xuebi worker` with XUEBI_REDIS_URL) does with it, here in this process.
        worker = django_rq.get_worker("default", worker_class=SimpleWorker, job_class=Job)
        job_in_redis = queue.jobs[0]
        worker.execute_job(job_in_redis, queue)
        assert job_in_redis.get_status(refresh=True) == "finished"
    else:
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "xuebi.jobs.tasks.run_job" and queued.args_kwargs["args"] == [job.pk]
        # The worker, as `make demo` runs it beside the web server (here: until the queue is empty).
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == "done" and job.result == [] and job.finished_at is not None
    # Run again (a worker restarted mid-way re-runs it): the preview is claimed once, nothing changes.
    from xuebi.jobs import tasks

    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
