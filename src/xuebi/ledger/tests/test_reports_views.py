"""The report, requirement, 业务讲堂 and export pages and their API: who may open what, what they
see, what the forms do with good and bad input, and how many queries a page costs."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xuebi.audit.models import Action, AuditEntry
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job
from xuebi.ledger.services import lectures
from xuebi.ledger.models import (
    LectureSeries,
    LectureSession,
    MeetingRequirement,
    Record,
)
from xuebi.testing.helpers import TEST_NOW, add_person

from ._reports import add_branch, lecture_kind, make_record, meeting_kinds, study_kind

ROLES = [
    "league_admin",
    "abag_admin",
    "abag_reviewer",
    "cadre",
    "xilin_admin",
    "judge",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
]
EVERYONE = set(ROLES)
REVIEWERS = {"league_admin", "abag_admin", "abag_reviewer", "xilin_admin"}
EXPORTERS = REVIEWERS | {"cadre"}
ABAG_VIEW = {"league_admin", "abag_admin", "abag_reviewer", "cadre"}
ABAG_CHANGE = {"league_admin", "abag_admin", "abag_reviewer"}
LAST_YEAR = TEST_NOW.year - 1  # the suite's clock (conftest._clock), not the machine's


def past(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def world(org, users):
    """Meeting kinds with their requirements, a branch in each county, 业务讲堂 in 阿巴嘎's 组织股."""
    ns = type("World", (), {})()
    ns.meetings = meeting_kinds(users.league_admin)
    ns.lecture_kind = lecture_kind(users.league_admin)
    ns.abag_branch = add_branch(org.abag, "机关党支部")
    ns.xilin_branch = add_branch(org.xilin, "锡林浩特机关党支部")
    org.suhe = add_person(org.abag_section, "苏和", 31)
    ns.series = lectures.series_create(
        actor=users.abag_admin, unit=org.abag_section, title="组织股业务讲堂", members=[org.bayi, org.abag_other, org.suhe]
    )
    ns.session = lectures.session_plan(actor=users.abag_admin, series=ns.series, planned_on=past(2), topic="党员发展")
    ns.requirement = MeetingRequirement.objects.get(kind=ns.meetings.branch_committee)
    return ns


def _url(template: str, world) -> str:
    return template.format(series=world.series.pk, session=world.session.pk, req=world.requirement.pk)


PAGES = [
    ("/ledger/reports/", EXPORTERS, 403),
    ("/ledger/reports/compliance/", REVIEWERS, 403),
    (f"/ledger/reports/compliance/?year={LAST_YEAR}", REVIEWERS, 403),
    ("/ledger/reports/compliance/export.xlsx", REVIEWERS, 403),
    ("/ledger/reports/study-levels/", REVIEWERS, 403),
    ("/ledger/reports/study-levels/export.xlsx", REVIEWERS, 403),
    ("/ledger/reports/requirements/", REVIEWERS, 403),
    ("/ledger/reports/requirements/new/", {"league_admin"}, 403),
    ("/ledger/reports/requirements/{req}/", {"league_admin"}, 403),
    ("/ledger/reports/export/", EXPORTERS, 403),
    ("/ledger/lectures/", EXPORTERS, 403),
    ("/ledger/lectures/new/", REVIEWERS, 403),
    ("/ledger/lectures/{series}/", ABAG_VIEW, 404),
    ("/ledger/lectures/{series}/members/", ABAG_CHANGE, 404),
    ("/ledger/lectures/{series}/plan/", ABAG_CHANGE, 404),
    ("/ledger/lectures/sessions/{session}/absentees/", ABAG_CHANGE, 404),
    ("/ledger/lectures/sessions/{session}/held/", ABAG_CHANGE, 404),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(role, world, users, client):
    client.force_login(getattr(users, role))
    mismatches = []
    for template, allowed, refused in PAGES:
        expected = 200 if role in allowed else refused
        status = client.get(_url(template, world)).status_code
        if status != expected:
            mismatches.append(f"{template}: {status}, expected {expected}")
    assert mismatches == []


def test_signed_out_visitors_are_sent_to_the_login_page(world, client):
    for template, _allowed, _refused in PAGES:
        response = client.get(_url(template, world))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), template


@pytest.mark.parametrize("role", ["cadre", "xilin_admin", "judge", "auditor"])
def test_writes_outside_the_role_or_scope_change_nothing(role, world, org, users, client):
    client.force_login(getattr(users, role))
    client.post(_url("/ledger/lectures/{series}/plan/", world), {"planned_on": "2026-01-05"})
    client.post(_url("/ledger/lectures/sessions/{session}/absentees/", world), {"absentees": [org.bayi.pk]})
    client.post(_url("/ledger/lectures/sessions/{session}/held/", world), {"held_on": "2026-01-05", "topic": "x", "hours": "1"})
    client.post(_url("/ledger/lectures/sessions/{session}/cancel/", world))
    client.post(_url("/ledger/lectures/{series}/members/", world), {f"m_{org.bayi.pk}": "on", f"p_{org.bayi.pk}": "1"})
    client.post(_url("/ledger/reports/requirements/{req}/", world), {"frequency": "year", "min_count": "1"})
    client.post(_url("/ledger/lectures/{series}/active/", world))
    assert LectureSeries.objects.get(pk=world.series.pk).is_active
    session = LectureSession.objects.get(pk=world.session.pk)
    assert (session.status, session.presenter_id, session.absentees.count()) == ("planned", org.bayi.pk, 0)
    assert LectureSession.objects.count() == 1 and world.series.members.count() == 3
    assert MeetingRequirement.objects.get(pk=world.requirement.pk).frequency == "month"
    assert not Record.objects.exists()


# --- compliance page ------------------------------------------------------------------------------


def _committee_all_year_but_june(world, org) -> None:
    for month in range(1, 13):
        if month != 6:
            make_record(world.meetings.branch_committee, world.abag_branch, org.bayi, dt.date(LAST_YEAR, month, 3))


def test_the_compliance_page_marks_the_missing_meetings_of_each_branch(world, org, users, client):
    _committee_all_year_but_june(world, org)
    client.force_login(users.abag_admin)
    response = client.get(f"/ledger/reports/compliance/?year={LAST_YEAR}")
    page = response.content.decode()
    assert "机关党支部" in page and "锡林浩特机关党支部" not in page
    branch = response.context["report"].branches[0]
    assert {row.requirement.kind.code: row.missing for row in branch.rows}["branch_committee"] == 1
    assert branch.missing == 1 + 12 + 4 + 4 + 12  # 支委会 June; nothing else was held
    assert f'data-branch-missing="{world.abag_branch.pk}"><span class="badge text-bg-danger">缺 33 次' in page
    assert page.count('data-state="missing"') == 33
    assert 'class="table-responsive' in page


def test_the_compliance_page_can_be_narrowed_to_a_county(world, org, users, client):
    client.force_login(users.league_admin)
    page = client.get(f"/ledger/reports/compliance/?year={LAST_YEAR}&unit={org.xilin.pk}").content.decode()
    assert "锡林浩特机关党支部" in page and 'id="branch-%d"' % world.abag_branch.pk not in page


def test_a_unit_outside_ones_scope_is_not_a_valid_filter(world, org, users, client):
    client.force_login(users.abag_admin)
    response = client.get(f"/ledger/reports/compliance/?unit={org.xilin.pk}")
    assert response.status_code == 200
    assert "锡林浩特机关党支部" not in response.content.decode()
    assert "unit" in response.context["form"].errors


def test_the_compliance_page_costs_the_same_queries_for_more_branches(world, org, users, client, django_assert_max_num_queries):
    client.force_login(users.league_admin)
    client.get("/ledger/reports/compliance/")
    for i in range(10):
        unit = add_branch(org.abag_section, f"第{i}支部")
        make_record(world.meetings.theme_day, unit, org.bayi, dt.date(LAST_YEAR, 5, 1))
    with django_assert_max_num_queries(12):
        response = client.get(f"/ledger/reports/compliance/?year={LAST_YEAR}")
    assert len(response.context["report"].branches) == 12


def test_branches_are_paged(world, org, users, client):
    for i in range(25):
        add_branch(org.abag_section, f"第{i:02d}支部")
    client.force_login(users.abag_admin)
    first = client.get("/ledger/reports/compliance/")
    assert len(first.context["report"].branches) == 20
    second = client.get("/ledger/reports/compliance/?page=2")
    assert len(second.context["report"].branches) == 6
    assert "page=1" in second.content.decode()


# --- requirements pages ---------------------------------------------------------------------------


def test_a_league_admin_changes_a_frequency_on_the_page_and_it_is_audited(world, users, client):
    client.force_login(users.league_admin)
    response = client.post(
        _url("/ledger/reports/requirements/{req}/", world), {"frequency": "quarter", "min_count": "2", "is_active": "on"}
    )
    assert response.status_code == 302
    requirement = MeetingRequirement.objects.get(pk=world.requirement.pk)
    assert (requirement.frequency, requirement.min_count) == ("quarter", 2)
    assert AuditEntry.objects.filter(action=Action.REQUIREMENT_UPDATE, actor=users.league_admin).exists()
    assert "每季度" in client.get("/ledger/reports/requirements/").content.decode()


def test_a_requirement_for_another_kind_can_be_added(world, users, client):
    MeetingRequirement.objects.filter(kind=world.meetings.theme_day).delete()
    client.force_login(users.league_admin)
    form = client.get("/ledger/reports/requirements/new/").context["form"]
    assert [k.code for k in form.fields["kind"].queryset] == ["theme_day", "business_lecture"]
    client.post(
        "/ledger/reports/requirements/new/",
        {"kind": world.meetings.theme_day.pk, "frequency": "month", "min_count": "1", "is_active": "on"},
    )
    assert MeetingRequirement.objects.filter(kind=world.meetings.theme_day, frequency="month").exists()


def test_a_bad_minimum_count_is_named_in_chinese(world, users, client):
    client.force_login(users.league_admin)
    response = client.post(_url("/ledger/reports/requirements/{req}/", world), {"frequency": "month", "min_count": "0"})
    assert response.status_code == 200
    assert 'data-field="min_count"' in response.content.decode()
    assert MeetingRequirement.objects.get(pk=world.requirement.pk).min_count == 1


# --- 五学联动 page ---------------------------------------------------------------------------------


def test_the_study_level_page_counts_per_level_and_unit(world, org, users, client):
    kind = study_kind(users.league_admin)
    make_record(kind, org.abag_section, org.bayi, dt.date(LAST_YEAR, 4, 1), study_level="group")
    make_record(kind, org.xilin_section, org.xilin_person, dt.date(LAST_YEAR, 4, 1), study_level="group")
    client.force_login(users.league_admin)
    response = client.get(f"/ledger/reports/study-levels/?year={LAST_YEAR}&depth=2")
    page = response.content.decode()
    assert 'data-level-total="group">2<' in page
    assert f'data-unit-total="{org.abag.pk}:1"' in page and f'data-unit-total="{org.xilin.pk}:1"' in page
    client.force_login(users.abag_admin)
    page = client.get(f"/ledger/reports/study-levels/?year={LAST_YEAR}").content.decode()
    assert 'data-level-total="group">1<' in page and "锡林浩特" not in page


# --- exports and print ----------------------------------------------------------------------------


def _sheets(response) -> dict[str, list[tuple]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.content[:200]
    book = load_workbook(io.BytesIO(response.content))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_the_compliance_report_exports_every_branch_as_xlsx_and_prints(world, org, users, client):
    _committee_all_year_but_june(world, org)
    client.force_login(users.abag_admin)
    page = client.get(f"/ledger/reports/compliance/?year={LAST_YEAR}").content.decode()
    assert f'href="/ledger/reports/compliance/export.xlsx?year={LAST_YEAR}"' in page and "data-print" in page
    assert "xb-print-only" in page and "阿巴嘎旗委组织部 · 制表日期" in page
    sheets = _sheets(client.get(f"/ledger/reports/compliance/export.xlsx?year={LAST_YEAR}"))
    summary, grid = sheets["汇总"], sheets["明细"]
    assert summary[0][0] == f"阿巴嘎旗委组织部三会一课落实情况（{LAST_YEAR}年）" and "制表日期" in summary[1][0]
    assert [row[0] for row in summary[3:]] == ["阿巴嘎旗委组织部 · 机关党支部"] and summary[3][-1] == 33
    committee_row = next(row for row in grid[3:] if row[1].startswith("支委会"))
    assert committee_row[2:14] == ("✓",) * 5 + ("缺",) + ("✓",) * 6 and committee_row[14] == 1


def test_the_study_level_report_exports_as_xlsx(world, org, users, client):
    kind = study_kind(users.league_admin)
    make_record(kind, org.abag_section, org.bayi, dt.date(LAST_YEAR, 4, 1), study_level="group")
    make_record(kind, org.xilin_section, org.xilin_person, dt.date(LAST_YEAR, 4, 1), study_level="group")
    client.force_login(users.league_admin)
    page = client.get(f"/ledger/reports/study-levels/?year={LAST_YEAR}&depth=2").content.decode()
    assert "/ledger/reports/study-levels/export.xlsx?year=" in page and "data-print" in page
    sheets = _sheets(client.get(f"/ledger/reports/study-levels/export.xlsx?year={LAST_YEAR}&depth=2"))
    total = sheets["合计"][-1]
    assert total[0] == "合计" and total[4] == 2 and total[-1] == 2  # April, the year
    units = {row[0] for row in sheets["按单位"][3:]}
    assert {"阿巴嘎旗委组织部", "锡林浩特市委组织部"} <= units
    client.force_login(users.abag_admin)
    sheets = _sheets(client.get(f"/ledger/reports/study-levels/export.xlsx?year={LAST_YEAR}"))
    assert "锡林浩特" not in str(sheets)


# --- 业务讲堂 pages ---------------------------------------------------------------------------------


def test_a_reviewer_creates_a_series_with_the_units_people_and_reorders_them(world, org, users, client):
    client.force_login(users.abag_reviewer)
    form = client.get("/ledger/lectures/new/").context["form"]
    assert {u.name for u in form.fields["unit"].queryset} == {"阿巴嘎旗委组织部", "组织股", "机关党支部"}
    response = client.post("/ledger/lectures/new/", {"unit": org.abag_section.pk, "title": "第二期业务讲堂"})
    series = LectureSeries.objects.get(title="第二期业务讲堂")
    assert response["Location"] == f"/ledger/lectures/{series.pk}/"
    assert series.members.count() == 3
    data = {
        f"m_{org.suhe.pk}": "on",
        f"p_{org.suhe.pk}": "1",
        f"m_{org.bayi.pk}": "on",
        f"p_{org.bayi.pk}": "5",
        f"p_{org.abag_other.pk}": "2",
    }
    assert client.post(f"/ledger/lectures/{series.pk}/members/", data).status_code == 302
    assert [m.person.name for m in series.members.select_related("person")] == ["苏和", "巴依斯古楞"]


def test_a_series_in_another_county_cannot_be_created(world, org, users, client):
    client.force_login(users.abag_admin)
    response = client.post("/ledger/lectures/new/", {"unit": org.xilin_section.pk, "title": "讲堂"})
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert LectureSeries.objects.count() == 1


def test_members_need_an_order_number_and_at_least_one_member(world, org, users, client):
    client.force_login(users.abag_admin)
    url = _url("/ledger/lectures/{series}/members/", world)
    response = client.post(url, {f"m_{org.bayi.pk}": "on", f"p_{org.bayi.pk}": ""})
    assert "请填写“巴依斯古楞”的顺序号" in response.content.decode()
    response = client.post(url, {})
    assert "请至少选择一名成员" in response.content.decode()
    assert world.series.members.count() == 3


def test_the_detail_page_shows_the_rotation_and_a_cadre_cannot_act(world, org, users, client):
    client.force_login(users.cadre)
    response = client.get(_url("/ledger/lectures/{series}/", world))
    page = response.content.decode()
    assert 'data-testid="proposed">王芳<' in page
    assert "安排下一场" not in page and "登记举办" not in page
    client.force_login(users.abag_admin)
    page = client.get(_url("/ledger/lectures/{series}/", world)).content.decode()
    assert "安排下一场" in page and "登记举办" in page


def test_planning_absence_and_holding_through_the_pages(world, org, users, client):
    client.force_login(users.abag_admin)
    # the planned session's presenter (巴依斯古楞) will be away: 王芳 takes it
    response = client.post(_url("/ledger/lectures/sessions/{session}/absentees/", world), {"absentees": [org.bayi.pk]})
    assert response.status_code == 302
    session = LectureSession.objects.get(pk=world.session.pk)
    assert session.presenter == org.abag_other
    # next time, 巴依斯古楞 makes it up
    plan = client.get(_url("/ledger/lectures/{series}/plan/", world))
    assert "按轮换规则安排（巴依斯古楞）" in plan.content.decode()
    client.post(
        _url("/ledger/lectures/{series}/plan/", world), {"planned_on": past(1).strftime("%Y年%m月%d日"), "topic": "组织员队伍"}
    )
    assert LectureSession.objects.latest("pk").presenter == org.bayi
    # hold the first: the form asks for the kind's own fields but not topic or presenter again
    held_url = _url("/ledger/lectures/sessions/{session}/held/", world)
    form = client.get(held_url).context["form"]
    assert "f_summary" in form.fields and "f_topic" not in form.fields and "f_presenter" not in form.fields
    response = client.post(
        held_url, {"held_on": past(2).isoformat(), "topic": "党员发展", "hours": "1.5", "f_summary": "发展党员流程"}
    )
    assert response.status_code == 302, response.content.decode()
    record = Record.objects.get()
    assert record.data["presenter"]["name"] == "王芳" and record.data["summary"] == "发展党员流程"
    assert {p.person.name for p in record.participants.select_related("person")} == {"王芳", "苏和"}
    page = client.get(_url("/ledger/lectures/{series}/", world)).content.decode()
    assert f"/ledger/{record.pk}/" in page


def test_holding_with_bad_input_shows_chinese_messages_and_saves_nothing(world, users, client):
    client.force_login(users.abag_admin)
    url = _url("/ledger/lectures/sessions/{session}/held/", world)
    response = client.post(url, {"held_on": "明天", "topic": "", "hours": "30"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "无法识别的日期" in errors["held_on"][0] and "topic" in errors and "hours" in errors
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"held_on": future, "topic": "党员发展", "hours": "1"})
    assert "还没到" in response.content.decode()
    assert not Record.objects.exists()
    assert LectureSession.objects.get(pk=world.session.pk).status == "planned"


def test_ending_a_series_on_its_page(world, users, client):
    client.force_login(users.abag_reviewer)
    assert client.post(_url("/ledger/lectures/{series}/active/", world)).status_code == 302
    page = client.get(_url("/ledger/lectures/{series}/", world)).content.decode()
    assert "已结束" in page and "安排下一场" not in page and "恢复讲堂" in page


def test_cancelling_a_session(world, users, client):
    client.force_login(users.abag_admin)
    client.post(_url("/ledger/lectures/sessions/{session}/cancel/", world))
    assert LectureSession.objects.get(pk=world.session.pk).status == "cancelled"
    assert client.get(_url("/ledger/lectures/sessions/{session}/cancel/", world)).status_code == 405


def test_lecture_pages_cost_a_fixed_number_of_queries(world, org, users, client, django_assert_max_num_queries):
    for i in range(8):
        lectures.session_plan(actor=users.abag_admin, series=world.series, planned_on=past(30 - i), topic=f"第{i}讲")
        lectures.series_create(actor=users.abag_admin, unit=org.abag_section, title=f"讲堂{i}")
    client.force_login(users.abag_admin)
    client.get("/ledger/lectures/")
    with django_assert_max_num_queries(8):
        assert client.get("/ledger/lectures/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(_url("/ledger/lectures/{series}/", world)).status_code == 200


# --- export page ----------------------------------------------------------------------------------


def test_the_export_page_answers_a_file_for_typed_dates(world, org, users, client):
    make_record(world.meetings.theme_day, world.abag_branch, org.bayi, dt.date(LAST_YEAR, 7, 1))
    make_record(world.meetings.theme_day, world.abag_branch, org.bayi, dt.date(LAST_YEAR, 8, 1))
    client.force_login(users.abag_admin)
    response = client.get(
        "/ledger/reports/export/",
        {"kind": world.meetings.theme_day.pk, "date_from": f"{LAST_YEAR}年7月", "date_to": f"{LAST_YEAR}.7"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content))["主题党日"]
    assert ws["A1"].value.endswith(f"（{LAST_YEAR}年7月1日—{LAST_YEAR}年7月31日）")
    assert ws.max_row == 3


def test_the_export_page_names_a_bad_date_and_exports_nothing(world, users, client):
    client.force_login(users.abag_admin)
    response = client.get("/ledger/reports/export/", {"date_from": "2025-13-01"})
    assert response.status_code == 200 and 'data-field="date_from"' in response.content.decode()
    response = client.get("/ledger/reports/export/", {"date_from": "2025-06-01", "date_to": "2025-01-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.LEDGER_EXPORT).exists()


def test_the_export_page_offers_only_units_in_scope(world, org, users, client):
    client.force_login(users.abag_admin)
    response = client.get("/ledger/reports/export/", {"unit": org.xilin.pk})
    assert response.status_code == 200 and "unit" in response.context["form"].errors


# --- API (the api fixture is in xuebi/conftest.py) ---------------------------------------------------

ENDPOINTS = [
    ("/ledger/reports/compliance", REVIEWERS, 403),
    ("/ledger/reports/study-levels", REVIEWERS, 403),
    ("/ledger/requirements", REVIEWERS, 403),
    ("/ledger/lectures", EXPORTERS, 403),
    ("/ledger/lectures/{series}", ABAG_VIEW, 404),
    ("/ledger/export", EXPORTERS, 403),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_for_every_role(role, world, users, api):
    user = getattr(users, role)
    mismatches = []
    for template, allowed, refused in ENDPOINTS:
        expected = 200 if role in allowed else refused
        status = api.get(user, _url(template, world)).status_code
        if status != expected:
            mismatches.append(f"{template}: {status}, expected {expected}")
    assert mismatches == []


def test_the_api_needs_a_token(world, client):
    assert client.get("/api/v1/ledger/reports/compliance").status_code == 401


def test_compliance_as_json(world, org, users, api):
    make_record(world.meetings.branch_congress, world.abag_branch, org.bayi, dt.date(LAST_YEAR, 2, 1))
    body = api.get(users.abag_reviewer, "/ledger/reports/compliance", year=LAST_YEAR).json()
    assert body["count"] == 1 and body["year"] == LAST_YEAR
    branch = body["branches"][0]
    assert branch["unit_name"] == "机关党支部" and branch["missing"] == 3 + 12 + 12 + 4 + 12
    congress = next(r for r in branch["requirements"] if r["kind"] == "branch_congress")
    assert [p["state"] for p in congress["periods"]] == ["ok", "missing", "missing", "missing"]
    assert congress["periods"][0] == {
        "label": "第一季度",
        "start": f"{LAST_YEAR}-01-01",
        "end": f"{LAST_YEAR}-03-31",
        "count": 1,
        "required": 1,
        "state": "ok",
    }
    assert api.get(users.abag_admin, "/ledger/reports/compliance", year=1999).status_code == 422
    assert api.get(users.abag_admin, "/ledger/reports/compliance", unit_id=org.xilin.pk).status_code == 404


def test_study_levels_as_json(world, org, users, api):
    kind = study_kind(users.league_admin)
    make_record(kind, org.abag_section, org.bayi, dt.date(LAST_YEAR, 4, 1), study_level="member")
    body = api.get(users.league_admin, "/ledger/reports/study-levels", year=LAST_YEAR, depth=2).json()
    abag = next(u for u in body["units"] if u["unit_id"] == org.abag.pk)
    member = next(line for line in abag["levels"] if line["level"] == "member")
    assert member["months"][3] == 1 and member["total"] == 1 and member["label"] == "党员研学"
    assert api.get(users.league_admin, "/ledger/reports/study-levels", depth=9).status_code == 422


def test_requirements_through_the_api(world, users, api):
    assert len(api.get(users.abag_reviewer, "/ledger/requirements").json()) == 5
    response = api.put(users.league_admin, "/ledger/requirements/party_lecture", {"frequency": "half", "min_count": 2})
    assert response.status_code == 200 and response.json()["frequency_display"] == "每半年"
    assert api.put(users.abag_admin, "/ledger/requirements/party_lecture", {"frequency": "year"}).status_code == 403
    bad = api.put(users.league_admin, "/ledger/requirements/party_lecture", {"frequency": "week"})
    assert bad.status_code == 422 and "频次" in bad.json()["detail"][0]["msg"]


def test_lectures_through_the_api(world, org, users, api):
    admin = users.abag_admin
    listing = api.get(users.cadre, "/ledger/lectures").json()
    assert [s["title"] for s in listing["items"]] == ["组织股业务讲堂"]
    detail = api.get(admin, f"/ledger/lectures/{world.series.pk}").json()
    assert detail["next_presenter_name"] == "王芳"
    assert [(m["name"], m["planned"]) for m in detail["members"]] == [("巴依斯古楞", 1), ("王芳", 0), ("苏和", 0)]
    planned = api.post(admin, f"/ledger/lectures/{world.series.pk}/sessions", {"planned_on": past(1).strftime("%Y.%m.%d")})
    assert planned.status_code == 201 and planned.json()["presenter_name"] == "王芳"
    absent = api.post(admin, f"/ledger/lectures/sessions/{planned.json()['id']}/absentees", {"person_ids": [org.abag_other.pk]})
    assert absent.json()["presenter_name"] == "苏和"
    held = api.post(admin, f"/ledger/lectures/sessions/{world.session.pk}/held", {"hours": "2", "data": {"summary": "要点"}})
    assert held.status_code == 200, held.content.decode()
    record = Record.objects.get(pk=held.json()["record_id"])
    assert record.data["topic"] == "党员发展" and held.json()["session"]["status"] == "held"
    assert api.post(users.cadre, f"/ledger/lectures/{world.series.pk}/sessions", {"planned_on": "2026-01-01"}).status_code == 404
    assert api.post(users.xilin_admin, f"/ledger/lectures/sessions/{world.session.pk}/cancel").status_code == 404


def test_bad_lecture_input_through_the_api_is_named(world, org, users, api):
    admin = users.abag_admin
    response = api.post(admin, f"/ledger/lectures/{world.series.pk}/sessions", {"planned_on": "下周"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "planned_on"]
    response = api.post(admin, f"/ledger/lectures/sessions/{world.session.pk}/held", {"hours": "1", "data": {"nope": 1}})
    assert response.status_code == 422 and "nope" in response.json()["detail"][0]["msg"]
    response = api.post(admin, f"/ledger/lectures/sessions/{world.session.pk}/held", {})
    assert response.status_code == 422 and any("学时" in d["msg"] for d in response.json()["detail"])
    response = api.post(
        admin, "/ledger/lectures", {"unit_id": org.abag_section.pk, "title": "讲堂", "member_ids": [org.xilin_person.pk]}
    )
    assert response.status_code == 422
    assert not Record.objects.exists() and LectureSeries.objects.count() == 1


def test_a_kind_that_needs_evidence_asks_for_a_photo_on_the_page_and_drafts_through_the_api(
    world, org, users, client, api, settings, tmp_path
):
    from xuebi.ledger.services.kinds import kind_update

    settings.MEDIA_ROOT = tmp_path / "media"
    kind_update(actor=users.league_admin, kind=world.lecture_kind, evidence_required=True)
    client.force_login(users.abag_admin)
    url = _url("/ledger/lectures/sessions/{session}/held/", world)
    response = client.post(url, {"held_on": past(2).isoformat(), "topic": "党员发展", "hours": "1"})
    assert "“业务讲堂”须上传佐证材料" in response.content.decode()
    assert not Record.objects.exists()
    held = api.post(users.abag_admin, f"/ledger/lectures/sessions/{world.session.pk}/held", {"hours": "1"})
    assert held.status_code == 200 and held.json()["record_status"] == "draft"
    record_id = held.json()["record_id"]
    from xuebi.testing.helpers import photo

    upload = client.post(
        f"/api/v1/records/{record_id}/evidence",
        {"file": photo()},
        HTTP_AUTHORIZATION=api._headers(users.abag_admin)["HTTP_AUTHORIZATION"],
    )
    assert upload.status_code == 201, upload.content.decode()
    assert api.post(users.abag_admin, f"/records/{record_id}/submit").json()["status"] == "submitted"


def test_a_series_created_through_the_api(world, org, users, api):
    response = api.post(
        users.abag_admin,
        "/ledger/lectures",
        {"unit_id": org.abag_section.pk, "title": "API讲堂", "member_ids": [org.suhe.pk, org.bayi.pk]},
    )
    assert response.status_code == 201
    assert [m["name"] for m in response.json()["members"]] == ["苏和", "巴依斯古楞"]


def test_the_export_through_the_api(world, org, users, api):
    make_record(world.meetings.theme_day, world.abag_branch, org.bayi, dt.date(LAST_YEAR, 7, 1))
    make_record(world.meetings.theme_day, world.xilin_branch, org.xilin_person, dt.date(LAST_YEAR, 7, 1))
    response = api.get(users.abag_admin, "/ledger/export", kind="theme_day", date_from=f"{LAST_YEAR}年", date_to=f"{LAST_YEAR}年")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["主题党日"]
    assert ws.max_row == 3 and ws["C3"].value == "机关党支部"
    assert AuditEntry.objects.get(action=Action.LEDGER_EXPORT).actor == users.abag_admin
    assert api.get(users.abag_admin, "/ledger/export", date_from="昨天").status_code == 422
    assert api.get(users.abag_admin, "/ledger/export", unit_id=org.xilin.pk).status_code == 404


def test_the_list_counts_held_sessions_and_members(world, org, users, client, api):
    admin = users.abag_admin
    lectures.session_hold(actor=admin, session=world.session, hours=Decimal(1))
    second = lectures.session_plan(actor=admin, series=world.series, planned_on=past(1), topic="组织员培训")
    lectures.session_hold(actor=admin, session=second, hours=Decimal(1))
    lectures.session_plan(actor=admin, series=world.series, planned_on=past(0))
    client.force_login(users.cadre)
    assert "成员3人 · 已举办2场" in client.get("/ledger/lectures/").content.decode()
    item = api.get(users.cadre, "/ledger/lectures").json()["items"][0]
    assert (item["held"], item["member_count"]) == (2, 3)


# --- in the browser, on a phone ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reports_and_lectures_fit_a_phone_and_break_no_content_policy(phone, world, org, users):
    from xuebi.testing.helpers import sign_in

    problems = []
    phone.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    phone.on("pageerror", lambda exc: problems.append(str(exc)))
    for month in (1, 2, 4):
        make_record(world.meetings.branch_committee, world.abag_branch, org.bayi, dt.date(LAST_YEAR, month, 3))
    sign_in(phone, "abag")
    widths = {}
    for path in (
        f"/ledger/reports/compliance/?year={LAST_YEAR}",
        "/ledger/reports/study-levels/",
        "/ledger/reports/",
        f"/ledger/lectures/{world.series.pk}/",
        f"/ledger/lectures/{world.series.pk}/members/",
        f"/ledger/lectures/sessions/{world.session.pk}/held/",
        "/ledger/reports/export/",
    ):
        phone.goto(path)
        widths[path] = phone.evaluate("document.documentElement.scrollWidth")
    assert {p: w for p, w in widths.items() if w > 375} == {}
    phone.goto(f"/ledger/reports/compliance/?year={LAST_YEAR}")
    assert phone.get_by_text("缺 41 次").first.is_visible()  # 支委会 9 + 党员大会 4 + 党小组会 12 + 党课 4 + 主题党日 12
    assert problems == []


def test_api_reports_cost_a_fixed_number_of_queries(world, org, users, api, django_assert_max_num_queries):
    for i in range(10):
        unit = add_branch(org.abag_section, f"第{i}支部")
        make_record(world.meetings.theme_day, unit, org.bayi, dt.date(LAST_YEAR, 5, 1))
        lectures.session_plan(actor=users.abag_admin, series=world.series, planned_on=past(40 - i))
    user = users.league_admin
    api.get(user, "/ledger/reports/compliance")  # the token, made on first use
    with django_assert_max_num_queries(8):
        assert len(api.get(user, "/ledger/reports/compliance", year=LAST_YEAR).json()["branches"]) == 12
    with django_assert_max_num_queries(8):
        assert api.get(user, "/ledger/reports/study-levels", year=LAST_YEAR).status_code == 200
    with django_assert_max_num_queries(10):
        assert len(api.get(user, f"/ledger/lectures/{world.series.pk}").json()["sessions"]) == 11


def test_a_large_export_is_written_by_a_job_and_downloaded_from_its_page(world, org, users, client, api, settings):
    """Past XUEBI_EXPORT_INLINE_ROWS records the page (and the API, with 202) hands the export to a job:
    the same file, audited as the owner's export, downloaded by the owner alone."""
    for month in (7, 8):
        make_record(world.meetings.theme_day, world.abag_branch, org.bayi, dt.date(LAST_YEAR, month, 1))
    settings.XUEBI_EXPORT_INLINE_ROWS = 1
    client.force_login(users.abag_admin)
    response = client.get(
        "/ledger/reports/export/",
        {"kind": world.meetings.theme_day.pk, "date_from": f"{LAST_YEAR}年", "date_to": f"{LAST_YEAR}年"},
    )
    job = Job.objects.get(kind="ledger.export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert not AuditEntry.objects.filter(action=Action.LEDGER_EXPORT).exists()  # nothing written yet
    jobs.run(job.pk)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已导出2条台账记录。" in page
    download = client.get(f"/jobs/{job.pk}/download")
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content)))["主题党日"]
    assert ws.max_row == 4  # title, header, two records
    entry = AuditEntry.objects.get(action=Action.LEDGER_EXPORT)
    assert entry.actor == users.abag_admin and entry.changes["rows"] == 2
    client.force_login(users.xilin_admin)
    assert client.get(f"/jobs/{job.pk}/download").status_code == 404
    started = api.get(users.abag_admin, "/ledger/export", kind="theme_day", date_from=f"{LAST_YEAR}年", date_to=f"{LAST_YEAR}年")
    assert started.status_code == 202
    assert started.json()["status_url"] == f"/api/v1/jobs/{Job.objects.latest('pk').pk}"
