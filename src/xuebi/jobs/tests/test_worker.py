"""The queue under the jobs, on both backends (the database queue here; RQ over Redis when
XUEBI_REDIS_URL is set, as the CI's second run does): a job enqueued at commit and run by the
worker, a job a stopped worker left "running" run again when a worker starts, and the periodic
tasks enqueued once a period however many workers claim them."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess

import pytest
from django.core.management import call_command

from xuebi.jobs import schedule
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job, PeriodicRun
from xuebi.points.models import StandingSnapshot
from xuebi.testing.helpers import give

from .helpers import ON_RQ, drain, empty_queue, queued

# Real transactions: tasks are enqueued when the request commits, and the database worker closes
# and reopens connections between tasks, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_queue():
    empty_queue()
    yield
    empty_queue()


def test_a_large_export_is_queued_at_commit_and_run_by_the_worker(users, org, client_for, settings):
    settings.XUEBI_EXPORT_INLINE_ROWS = 1
    client = client_for(users.abag_admin)
    client.get("/org/people/export.xlsx")
    job = Job.objects.get()
    assert job.status == "waiting" and queued() == 1
    drain()
    job.refresh_from_db()
    assert job.status == "done" and job.file and queued() == 0
    assert client.get(f"/jobs/{job.pk}/download").status_code == 200


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_a_job_left_running_by_a_stopped_worker_is_run_again_when_a_worker_starts(users, org):
    job = jobs.start("org.roster_export", owner=users.abag_admin, params={"query": ""})
    empty_queue()  # the queue lost it with the worker (RQ); on the database it is claimed once anyway
    # The worker took it, then its process ended half way: nothing of its work was committed.
    Job.objects.filter(pk=job.pk).update(status="running", claimed_by=f"{socket.gethostname()}:{_dead_pid()}")
    alive = jobs.start("org.roster_export", owner=users.abag_admin, params={"query": ""})
    Job.objects.filter(pk=alive.pk).update(status="running", claimed_by=jobs._claimer())  # still running here
    elsewhere = jobs.start("org.roster_export", owner=users.abag_admin, params={"query": ""})
    Job.objects.filter(pk=elsewhere.pk).update(status="running", claimed_by="another-machine:1")
    if ON_RQ:
        call_command("requeue_jobs", verbosity=0)  # the first thing `xuebi worker` does
        drain()
    else:
        call_command("worker", batch=True, verbosity=0)
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {job.pk: "done", alive.pk: "running", elsewhere.pk: "running"}


def test_a_periodic_task_is_enqueued_once_a_period_however_many_workers_claim_it(org, users, theory, campaign):
    give(org, org.bayi, 3, 1)  # points in November
    november, december = dt.date(2026, 11, 25), dt.date(2026, 12, 1)
    assert schedule.SCHEDULE["month_end_snapshots"].period == "monthly"  # registered by points
    monthly = sorted(name for name, task in schedule.SCHEDULE.items() if task.period == "monthly")
    assert "month_end_snapshots" in monthly and "monthly_notice_drafts" in monthly  # points' and reports'
    every = sorted(schedule.SCHEDULE)  # the first minute of a day and of a month: the daily ones too
    assert "checklists.reminders" in every
    assert sorted(schedule.enqueue_due(november)) == every
    assert schedule.enqueue_due(november) == []  # a second worker, or the same one a minute later
    assert PeriodicRun.objects.filter(name="month_end_snapshots").count() == 1 and queued() == len(every)
    drain()
    run = PeriodicRun.objects.get(name="month_end_snapshots")
    assert run.period == "2026-11" and run.finished_at is not None
    assert StandingSnapshot.objects.get(campaign=campaign).month == dt.date(2026, 10, 1)  # October has ended
    assert sorted(schedule.enqueue_due(december)) == every and schedule.enqueue_due(december) == []
    runs = PeriodicRun.objects.filter(name="month_end_snapshots").order_by("period")
    assert list(runs.values_list("period", flat=True)) == ["2026-11", "2026-12"]


@pytest.mark.skipif(ON_RQ, reason="the RQ worker forks; test_a_job_left_running… runs its steps on RQ")
def test_the_worker_in_batch_mode_enqueues_what_is_due_and_runs_it(org, users, theory, campaign):
    call_command("worker", batch=True, verbosity=0)
    assert PeriodicRun.objects.get(name="month_end_snapshots").finished_at is not None
    assert queued() == 0
