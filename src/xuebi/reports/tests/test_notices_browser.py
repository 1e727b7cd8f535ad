"""A ranking notice in a real browser: drafted from the form's defaults, previewed as the page it will
print as, issued (a job, confirmed first), then downloaded as issued — and readable on a phone."""

from __future__ import annotations

import hashlib

import pytest

from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job
from xuebi.reports.models import Notice
from xuebi.testing.helpers import give, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_league_admin_drafts_previews_issues_and_downloads_a_notice(page, org, users, campaign, theory):
    give(org, org.bayi, 7, 1)
    give(org, org.xilin_person, 5, 2)
    sign_in(page, "league")
    page.goto("/reports/notices/")
    page.get_by_test_id("notice-new").click()
    page.get_by_label("通报期间").select_option("month:2026-11-01")
    page.get_by_test_id("notice-save").click()

    preview = page.get_by_test_id("notice-preview")
    preview.wait_for()
    assert "中共锡林郭勒盟委组织部" in preview.inner_text()
    assert "关于2026年双学双比11月积分排名情况的通报" in preview.inner_text()
    assert preview.locator("tbody tr").first.inner_text().split("\t")[:3] == ["1", "阿巴嘎旗委组织部", "7"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("notice-issue").click()
    page.wait_for_url("**/jobs/*/")
    jobs.run(Job.objects.get(kind="reports.notice_issue").pk)
    page.get_by_test_id("issued-notice").click()
    assert page.get_by_test_id("notice-number").inner_text() == "锡组通〔2026〕1号"
    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    content = open(download.value.path(), "rb").read()
    assert hashlib.sha256(content).hexdigest() == Notice.objects.get().digests["docx"]
    assert download.value.suggested_filename.startswith("锡组通〔2026〕1号")
    assert page.problems == []


def test_the_notice_preview_fits_a_phone(phone, org, users, campaign, theory):
    from datetime import date

    from xuebi.points import boards
    from xuebi.reports.selectors.notices import Question
    from xuebi.reports.services.notices import notice_create

    give(org, org.bayi, 7, 1)
    span = boards.span_for(campaign, "month", on=date(2026, 11, 1))
    notice = notice_create(
        actor=users.league_admin, issuer=org.league, question=Question(campaign, span, "month:2026-11-01", "units")
    )
    sign_in(phone, "league")
    phone.goto(f"/reports/notices/{notice.pk}/")
    phone.get_by_test_id("notice-preview").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert phone.problems == []
