"""Background jobs: the owner follows one to its result, nobody else sees it, a job runs once
however often it is run, a failure is said in Chinese, and large imports, exports and
recomputations go through them (the pages and the API). The queue itself: test_worker.py."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.cache import caches
from openpyxl import load_workbook

from xuebi.audit.models import Action, AuditEntry, Outcome
from xuebi.campaign.models import Rule
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job
from xuebi.ledger.services import records as ledger
from xuebi.org.models import Person
from xuebi.org.tests.test_roster import IMPORT_URL, _preview, li, xlsx, zhang
from xuebi.points import recompute
from xuebi.points.models import PointEntry
from xuebi.testing.helpers import self_study

pytestmark = pytest.mark.django_db


def _large_import(client, settings) -> Job:
    settings.XUEBI_IMPORT_INLINE_ROWS = 1  # two rows are "large" here
    _page, token = _preview(client, xlsx(zhang(), li()))
    response = client.post(IMPORT_URL, {"confirm": token})
    job = Job.objects.get(kind="org.roster_import")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_the_owner_follows_a_large_roster_import_to_its_summary_and_nobody_else_sees_it(users, client_for, settings):
    client = client_for(users.abag_admin)
    job = _large_import(client, settings)
    assert job.status == "waiting" and job.total == 2 and not Person.objects.filter(name="张伟").exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "导入花名册" in page and 'data-testid="job-progress"' in page and 'hx-trigger="every 1s"' in page
    assert "<script" not in page.split('data-testid="job"')[1]  # the CSP forbids inline script: HTMX polls
    Job.objects.filter(pk=job.pk).update(status="running")
    caches["progress"].set(jobs.progress_key(job.pk), (1, 2))  # as the worker reports it
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "已完成 1 / 2" in fragment and 'value="50"' in fragment
    Job.objects.filter(pk=job.pk).update(status="waiting")

    assert jobs.run(job.pk)  # what the worker's task does
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and 'value="100"' in fragment  # done: the polling stops
    assert "导入成功：新增2人，更新0人，未变化0人。" in fragment
    assert Person.objects.filter(name="张伟").exists() and Person.objects.filter(name="李娜").exists()
    entry = AuditEntry.objects.get(action=Action.ROSTER_IMPORT)
    assert entry.actor == users.abag_admin and entry.changes["created"] == 2  # audited as the page does, as its owner
    assert {e.actor for e in AuditEntry.objects.filter(action__in=[Action.JOB_START, Action.JOB_FINISH])} == {users.abag_admin}
    assert AuditEntry.objects.filter(action=Action.JOB_FINISH, outcome=Outcome.SUCCESS).count() == 1

    for other in (users.xilin_admin, users.league_admin):  # not even a higher admin: a job is its owner's
        assert client_for(other).get(f"/jobs/{job.pk}/").status_code == 404
        assert client_for(other).get(f"/jobs/{job.pk}/download").status_code == 404
    assert client_for(users.abag_admin).get("/jobs/999999/").status_code == 404


def test_a_job_run_twice_applies_once(users, kinds, theory, campaign):
    ledger.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    Rule.objects.filter(source_kind="self_study").update(points=Decimal(4), cap_day=None)
    job = recompute.apply_start(actor=users.league_admin, campaign=campaign)
    generation = campaign.points_generation
    assert jobs.run(job.pk) is True
    assert jobs.run(job.pk) is False  # the task delivered twice, a worker restarted: claimed once
    campaign.refresh_from_db()
    job.refresh_from_db()
    assert campaign.points_generation == generation + 1 and job.status == "done"
    assert AuditEntry.objects.filter(action=Action.POINTS_RECOMPUTE, actor=users.league_admin).count() == 1
    assert PointEntry.objects.filter(entry_type="reversal").count() == 1
    assert recompute.shown(job.result)[0]["change"] == Decimal(3)


def test_a_failed_job_says_why_in_chinese_and_is_not_left_running(users, client_for, settings, monkeypatch):
    from xuebi.org.services import roster

    client = client_for(users.abag_admin)
    job = _large_import(client, settings)
    roster.upload_discard(job.params["token"])  # a day later, the kept upload is gone
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.error == "上传的文件已过期（保留一天），未导入任何数据。请重新上传并预览。"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-error"' in page and "上传的文件已过期" in page and "hx-trigger" not in page
    assert AuditEntry.objects.get(action=Action.JOB_FINISH).outcome == Outcome.FAILURE

    def broken(job, progress):
        progress(1, 3)
        Person.objects.filter(pk=Person.objects.first().pk).update(name="改了一半")
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.KINDS, "test.broken", jobs.Kind("test.broken", broken, "测试任务"))
    job = jobs.start("test.broken", owner=users.abag_admin)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error.startswith("任务运行出错，未完成任何更改")
    assert not Person.objects.filter(name="改了一半").exists()  # the work was rolled back with it
    assert caches["progress"].get(jobs.progress_key(job.pk)) is None


def test_a_large_roster_export_is_a_download_on_the_job_page(users, org, client_for, settings):
    settings.XUEBI_EXPORT_INLINE_ROWS = 1
    client = client_for(users.abag_admin)
    response = client.get("/org/people/export.xlsx")
    job = Job.objects.get(kind="org.roster_export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    jobs.run(job.pk)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-download"' in page and "已导出2人。" in page  # 阿巴嘎's two people
    download = client.get(f"/jobs/{job.pk}/download")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    names = [
        row[0]
        for row in load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(names) == ["巴依斯古楞", "王芳"]
    entry = AuditEntry.objects.get(action=Action.ROSTER_EXPORT)
    assert entry.actor == users.abag_admin and entry.changes["rows"] == 2
    assert client_for(users.xilin_admin).get(f"/jobs/{job.pk}/download").status_code == 404
    settings.XUEBI_EXPORT_INLINE_ROWS = 3000  # small: at once, as before
    assert client_for(users.abag_admin).get("/org/people/export.xlsx")["Content-Type"].startswith("application/vnd")


def test_a_large_audit_log_export_is_a_download_on_the_job_page(users, client_for, settings):
    from xuebi.audit.services import audit_record

    for user in (users.league_admin, users.abag_admin):
        audit_record(actor=user, action=Action.LOGIN)
    settings.XUEBI_EXPORT_INLINE_ROWS = 1
    client = client_for(users.auditor)
    response = client.get("/audit/export.xlsx")
    job = Job.objects.get(kind="audit.export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.summary.startswith("已导出") and job.file_name.startswith("audit-")
    rows = list(
        load_workbook(io.BytesIO(b"".join(client.get(f"/jobs/{job.pk}/download").streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "时间" and {"league", "abag"} <= {row[1] for row in rows[1:]}
    assert AuditEntry.objects.filter(action=Action.AUDIT_EXPORT, actor=users.auditor).exists()


def test_the_api_answers_202_with_a_status_url_for_a_large_recompute(users, kinds, theory, campaign, api, settings):
    ledger.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    Rule.objects.filter(source_kind="self_study").update(points=Decimal(4), cap_day=None)
    settings.XUEBI_RECOMPUTE_INLINE = 0  # one source is "large" here
    assert api.post(users.abag_admin, "/points/recompute/preview").status_code == 403
    response = api.post(users.league_admin, "/points/recompute/preview")
    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(pk=body["job"])
    assert body["status_url"] == f"/api/v1/jobs/{job.pk}" and job.kind == "points.recompute_preview"
    status = api.get(users.league_admin, f"/jobs/{job.pk}").json()
    assert status["status"] == "waiting" and status["total"] == 1 and status["download_url"] is None
    assert api.get(users.abag_admin, f"/jobs/{job.pk}").status_code == 404  # someone else's job
    jobs.run(job.pk)
    status = api.get(users.league_admin, f"/jobs/{job.pk}").json()
    assert status["status"] == "done" and status["result"][0]["change"] == "3.00"
    assert PointEntry.objects.filter(entry_type="reversal").count() == 0  # a preview writes nothing

    response = api.post(users.league_admin, "/points/recompute")
    assert response.status_code == 202
    jobs.run(response.json()["job"])
    assert api.get(users.cadre, "/points/me").json()["total"] == "4.00"
    settings.XUEBI_RECOMPUTE_INLINE = 100  # at or below: the changes at once, as before
    assert api.post(users.league_admin, "/points/recompute/preview").json() == []


def test_a_large_people_board_export_is_a_download_on_the_job_page(users, org, theory, campaign, client_for, settings):
    from xuebi.testing.helpers import give

    give(org, org.bayi, 5, 1)
    give(org, org.abag_other, 3, 2)
    settings.XUEBI_EXPORT_INLINE_ROWS = 1
    client = client_for(users.abag_admin)
    response = client.get("/points/board/export.xlsx?period=campaign&category=total")
    job = Job.objects.get(kind="points.board_export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.file_name.endswith(".xlsx") and "个人排行榜" in job.file_name
    sheet = load_workbook(io.BytesIO(b"".join(client.get(f"/jobs/{job.pk}/download").streaming_content))).active
    assert [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)] == ["巴依斯古楞", "王芳"]  # 阿巴嘎's only
    units = client.get("/points/board/export.xlsx?board=units")  # a units board is a few rows: at once
    assert units["Content-Type"].startswith("application/vnd.openxmlformats")
