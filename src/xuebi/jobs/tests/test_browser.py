"""A large roster import in a real browser: confirmed, it becomes a job; the person lands on its
page, where the bar (polled with HTMX, no inline script) fills while the worker runs it and the
summary says what was imported."""

from __future__ import annotations

import pytest

from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job
from xuebi.org.models import Person
from xuebi.org.tests.test_roster_browser import upload_county_file
from xuebi.org.tests.test_roster_files import ZHANG_X

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_large_roster_import_ends_on_the_job_page_with_the_bar_full_and_the_summary(page, org, users, tmp_path, settings):
    settings.XUEBI_IMPORT_INLINE_ROWS = 1  # the county's two people are "large" here
    upload_county_file(page, tmp_path)
    page.get_by_test_id("import-confirm").click()

    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get(kind="org.roster_import")
    assert page.get_by_test_id("job").get_attribute("data-status") == "waiting"
    assert not Person.objects.filter(id_number_hash=Person.hash_id_number(ZHANG_X)).exists()
    jobs.run(job.pk)  # the worker's task; the page notices on its next poll
    page.get_by_test_id("job-summary").wait_for()
    assert "导入成功：新增2人，更新0人，未变化0人。" in page.get_by_test_id("job-summary").inner_text()
    bar = page.get_by_test_id("job-progress")
    assert bar.get_attribute("value") == "100" and bar.get_attribute("max") == "100"
    assert Person.objects.get(id_number_hash=Person.hash_id_number(ZHANG_X)).unit == org.abag_section
    assert page.problems == []
