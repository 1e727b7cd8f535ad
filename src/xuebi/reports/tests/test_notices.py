"""Ranking notices (通报): drafting from the boards, the text's placeholders, issuing (numbers per
issuer and year without gaps, the three files kept byte for byte), what changed since the issued
one, scope, and the scheduler's monthly drafts."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import zipfile

import openpyxl
import pytest
import time_machine

from xuebi.audit.models import AuditEntry
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job
from xuebi.reports.models import Notice, NoticeStatus
from xuebi.reports.selectors import notices as selectors
from xuebi.reports.services import notices as services
from xuebi.reports import tasks
from xuebi.testing.helpers import give

pytestmark = pytest.mark.django_db

NOVEMBER = "month:2026-11-01"


@pytest.fixture
def points(org, theory):
    """阿巴嘎旗 ahead of 锡林浩特市 in November (12 against 5 points)."""
    give(org, org.bayi, 7, 1)
    give(org, org.abag_other, 5, 2)
    give(org, org.xilin_person, 5, 3)
    return org


def _create(client, data, campaign):
    return client.post(f"/reports/notices/new/?campaign={campaign.pk}", {"campaign": campaign.pk, **data})


def _form(issuer, **extra):
    return {
        "issuer": issuer.pk,
        "period": NOVEMBER,
        "category": "total",
        "ranking": "units",
        **selectors.default_texts(issuer, "units"),
        **extra,
    }


def _issue(user, notice) -> Job:
    job = jobs.start(tasks.ISSUE, owner=user, params={"notice": notice.pk}, total=4)
    jobs.run(job.pk)
    job.refresh_from_db()
    return job


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_league_admin_drafts_a_notice_that_ranks_the_counties_and_names_the_first(client_for, users, points, campaign):
    client = client_for(users.league_admin)
    response = _create(client, _form(points.league), campaign)
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/notices/{notice.pk}/"
    assert notice.status == NoticeStatus.DRAFT and notice.number is None
    assert [row[1] for row in notice.data["rows"]] == ["阿巴嘎旗委组织部", "锡林浩特市委组织部"]
    assert notice.data["rows"][0][:3] == ["1", "阿巴嘎旗委组织部", "12"]
    page = client.get(f"/reports/notices/{notice.pk}/").content.decode()
    assert "关于2026年双学双比11月积分排名情况的通报" in page
    assert "阿巴嘎旗委组织部、锡林浩特市委组织部积分位居前列，予以通报表扬" in page
    assert "为深入推进“双学双比”活动，激励全盟组织系统干部" in page
    assert AuditEntry.objects.filter(action="reports.notice.create").count() == 1


def test_an_unknown_placeholder_is_refused_naming_the_field_and_nothing_is_made(client_for, users, points, campaign):
    client = client_for(users.league_admin)
    response = _create(client, _form(points.league, praise="{第一名}和{倒数第一}"), campaign)
    assert response.status_code == 200
    assert "不认识的占位符：{倒数第一}" in response.content.decode()
    assert not Notice.objects.exists()


def test_issuing_numbers_per_issuer_and_year_and_keeps_the_files_byte_for_byte(client_for, users, points, campaign, tmp_path):
    league = services.notice_create(actor=users.league_admin, issuer=points.league, question=_question(points, campaign))
    job = _issue(users.league_admin, league)
    assert job.status == "done", job.error
    league.refresh_from_db()
    assert league.status == NoticeStatus.ISSUED and league.number_text == "锡组通〔2026〕1号"
    assert league.issued_on == dt.date(2026, 11, 25)

    client = client_for(users.league_admin)
    for kind in ("docx", "pdf", "xlsx"):
        first = b"".join(client.get(f"/reports/notices/{league.pk}/{kind}/").streaming_content)
        again = b"".join(client.get(f"/reports/notices/{league.pk}/{kind}/").streaming_content)
        assert first == again and hashlib.sha256(first).hexdigest() == league.digests[kind]
    docx = b"".join(client.get(f"/reports/notices/{league.pk}/docx/").streaming_content)
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx)).namelist()
    text = _pdf_text(b"".join(client.get(f"/reports/notices/{league.pk}/pdf/").streaming_content), tmp_path)
    for words in (
        "中共锡林郭勒盟委组织部",
        "锡组通〔2026〕1号",
        "阿巴嘎旗委组织部",
        "二〇二六年十一月二十五日",
        "积分排名情况的通报",
    ):
        assert words in "".join(text.split()), words
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/reports/notices/{league.pk}/xlsx/").streaming_content))
    ).active
    assert [sheet.cell(4, c).value for c in (1, 2, 3)] == ["1", "阿巴嘎旗委组织部", "12"]

    second = services.notice_create(actor=users.league_admin, issuer=points.league, question=_question(points, campaign))
    county = services.notice_create(actor=users.abag_admin, issuer=points.abag, question=_question(points, campaign))
    _issue(users.league_admin, second)
    _issue(users.abag_admin, county)
    second.refresh_from_db(), county.refresh_from_db()
    assert second.number_text == "锡组通〔2026〕2号"
    assert county.number_text == "阿组通〔2026〕1号"
    assert AuditEntry.objects.filter(action="reports.notice.issue").count() == 3


def test_a_failed_issue_leaves_the_draft_and_the_number_unused(users, points, campaign, monkeypatch):
    notice = services.notice_create(actor=users.league_admin, issuer=points.league, question=_question(points, campaign))

    def broken(content):
        raise ValueError("LibreOffice 无法转换该文件。")

    monkeypatch.setattr("xuebi.core.officialdoc.docx_to_pdf", broken)
    job = _issue(users.league_admin, notice)
    assert job.status == "failed"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and notice.number is None
    monkeypatch.undo()
    assert _issue(users.league_admin, notice).status == "done"
    notice.refresh_from_db()
    assert notice.number_text == "锡组通〔2026〕1号"


def test_an_issued_notice_cannot_change_and_a_new_draft_shows_what_moved_since(client_for, users, points, campaign, org):
    issued = services.notice_create(actor=users.league_admin, issuer=points.league, question=_question(points, campaign))
    _issue(users.league_admin, issued)
    issued.refresh_from_db()
    client = client_for(users.league_admin)
    response = client.post(f"/reports/notices/{issued.pk}/edit/", _form(points.league, title="改标题"))
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.title != "改标题"

    give(org, org.xilin_person, 9, 4)  # 锡林浩特市 14 — now first
    draft = services.notice_create(actor=users.league_admin, issuer=points.league, question=_question(points, campaign))
    page = client.get(f"/reports/notices/{draft.pk}/").content.decode()
    assert "与已印发的" in page and "锡组通〔2026〕1号" in page
    assert "锡林浩特市委组织部：名次 第2名 → 第1名，积分 5 → 14" in page
    assert "阿巴嘎旗委组织部：名次 第1名 → 第2名" in selectors.changes(issued.data, draft.data)


def test_regenerate_refreshes_a_draft_and_says_what_changed(client_for, users, points, campaign, org):
    draft = services.notice_create(actor=users.league_admin, issuer=points.league, question=_question(points, campaign))
    give(org, org.xilin_person, 9, 4)
    response = client_for(users.league_admin).post(f"/reports/notices/{draft.pk}/regenerate/", follow=True)
    assert "锡林浩特市委组织部：名次 第2名 → 第1名" in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["rows"][0][1] == "锡林浩特市委组织部"


def test_a_county_admin_drafts_for_their_own_county_only(client_for, users, points, campaign):
    client = client_for(users.abag_admin)
    response = _create(client, _form(points.league), campaign)
    assert response.status_code == 200 and not Notice.objects.exists()  # the league is not a choice
    response = _create(client, _form(points.abag, ranking="people"), campaign)
    notice = Notice.objects.get()
    assert notice.issuer == points.abag
    assert [row[1] for row in notice.data["rows"]] == ["巴依斯古楞", points.abag_other.name]
    assert "全旗组织系统" in selectors.fill(notice.opening, notice, notice.data)


def test_scope_league_notices_are_hidden_from_counties_and_county_drafts_are_only_read_by_the_league(
    client_for, users, points, campaign
):
    league = services.notice_create(actor=users.league_admin, issuer=points.league, question=_question(points, campaign))
    county = services.notice_create(actor=users.abag_admin, issuer=points.abag, question=_question(points, campaign))
    assert client_for(users.abag_admin).get(f"/reports/notices/{league.pk}/").status_code == 404
    assert client_for(users.xilin_admin).get(f"/reports/notices/{county.pk}/").status_code == 404
    league_client = client_for(users.league_admin)
    assert league_client.get(f"/reports/notices/{county.pk}/").status_code == 200
    assert league_client.post(f"/reports/notices/{county.pk}/issue/").status_code == 404
    assert not Job.objects.exists()


def test_the_monthly_task_drafts_last_month_for_every_issuing_unit_once(users, points, campaign, client_for):
    with time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        made = tasks.monthly_drafts()
        assert tasks.monthly_drafts() == []
    assert sorted(n.issuer.name for n in made) == ["锡林浩特市委组织部", "锡林郭勒盟委组织部", "阿巴嘎旗委组织部"]
    assert {(n.start, n.end, n.status, n.scheduled) for n in made} == {
        (dt.date(2026, 11, 1), dt.date(2026, 11, 30), NoticeStatus.DRAFT, True)
    }
    home = client_for(users.league_admin).get("/").content.decode()
    assert "通报草稿 1 份待印发" in home
    assert AuditEntry.objects.filter(action="reports.notice.create", actor=None).count() == 3


def test_the_api_drafts_edits_and_issues(api, users, points, campaign):
    created = api.post(
        users.league_admin, "/reports/notices", {"campaign_id": campaign.pk, "period": NOVEMBER, "ranking": "units_per_head"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["data"]["rows"][0][1] == "阿巴嘎旗委组织部" and body["number_text"] == ""
    patched = api.patch(users.league_admin, f"/reports/notices/{body['id']}", {"remind": "{靠后}要加油"})
    assert patched.status_code == 200 and patched.json()["remind"] == "{靠后}要加油"
    bad = api.patch(users.league_admin, f"/reports/notices/{body['id']}", {"title": "{无此项}"})
    assert bad.status_code == 422 and "不认识的占位符" in bad.json()["detail"][0]["msg"]
    started = api.post(users.league_admin, f"/reports/notices/{body['id']}/issue", {})
    assert started.status_code == 202
    jobs.run(started.json()["job"])
    issued = api.get(users.league_admin, f"/reports/notices/{body['id']}").json()
    assert issued["number_text"] == "锡组通〔2026〕1号" and issued["status"] == "issued"
    again = api.post(users.league_admin, f"/reports/notices/{body['id']}/issue", {})
    assert again.status_code == 422
    county = api.post(users.abag_admin, "/reports/notices", {"campaign_id": campaign.pk, "issuer_id": points.league.pk})
    assert county.status_code == 422 and county.json()["detail"][0]["loc"] == ["body", "issuer_id"]
    listed = api.get(users.abag_admin, "/reports/notices").json()
    assert listed["count"] == 0


def _question(org, campaign):
    from xuebi.points import boards

    span = boards.span_for(campaign, "month", on=dt.date(2026, 11, 1))
    return selectors.Question(campaign, span, NOVEMBER, "units")
