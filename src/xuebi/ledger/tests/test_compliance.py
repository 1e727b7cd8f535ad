"""三会一课 and 主题党日 compliance: which required meetings each 党支部 recorded in each period,
which are missing, and the requirements behind it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.audit.models import Action, AuditEntry
from xuebi.ledger.selectors import reports
from xuebi.ledger.models import MeetingRequirement
from xuebi.ledger.demo.requirements import load_demo_requirements
from xuebi.ledger.services.requirements import requirement_save

from ._reports import add_branch, make_record, meeting_kinds

YEAR = 2025
YEAR_END = dt.date(YEAR, 12, 31)
AFTER = dt.date(YEAR + 1, 1, 10)  # "today" once the year is over: every period has ended


@pytest.fixture
def meetings(users):
    return meeting_kinds(users.league_admin)


@pytest.fixture
def branches(org):
    ns = type("Branches", (), {})()
    ns.organ = add_branch(org.abag, "机关第一党支部")
    ns.second = add_branch(org.abag, "机关第二党支部")
    ns.xilin = add_branch(org.xilin, "机关党支部")
    return ns


def _report(user, branches, *, today=AFTER, year=YEAR):
    return reports.compliance(user=user, year=year, branches=branches, today=today)


def _rows(branch_report):
    return {row.requirement.kind.code: row for row in branch_report.rows}


def _states(row):
    return [c.state for c in row.cells]


def _hold_everything(meetings, unit, author, year=YEAR):
    """Every required meeting, once in every period: a branch that misses nothing."""
    for month in range(1, 13):
        for kind in (meetings.branch_committee, meetings.party_group_meeting, meetings.theme_day):
            make_record(kind, unit, author, dt.date(year, month, 10))
        if month % 3 == 0:
            for kind in (meetings.branch_congress, meetings.party_lecture):
                make_record(kind, unit, author, dt.date(year, month, 20))


def test_a_branch_with_deliberately_missing_meetings_shows_each_gap(meetings, branches, org, users):
    bayi = org.bayi
    # 支部党员大会 (quarterly): Q1, Q2, Q4 — the third quarter is missing.
    for day in (dt.date(YEAR, 2, 14), dt.date(YEAR, 4, 3), dt.date(YEAR, 12, 1)):
        make_record(meetings.branch_congress, branches.organ, bayi, day)
    # 支委会 (monthly): every month but March and August.
    for month in set(range(1, 13)) - {3, 8}:
        make_record(meetings.branch_committee, branches.organ, bayi, dt.date(YEAR, month, 5))
    # 党小组会 (monthly): every month, some submitted and not yet reviewed (they count).
    for month in range(1, 13):
        make_record(
            meetings.party_group_meeting,
            branches.organ,
            bayi,
            dt.date(YEAR, month, 8),
            status="submitted" if month % 2 else "approved",
        )
    # 党课 (quarterly): every quarter, twice in the first.
    for day in (dt.date(YEAR, 1, 9), dt.date(YEAR, 3, 9), dt.date(YEAR, 5, 9), dt.date(YEAR, 9, 9), dt.date(YEAR, 11, 9)):
        make_record(meetings.party_lecture, branches.organ, bayi, day)
    # 主题党日 (monthly): January to October; November's was returned and December's is a draft.
    for month in range(1, 11):
        make_record(meetings.theme_day, branches.organ, bayi, dt.date(YEAR, month, 1))
    make_record(meetings.theme_day, branches.organ, bayi, dt.date(YEAR, 11, 1), status="returned")
    make_record(meetings.theme_day, branches.organ, bayi, dt.date(YEAR, 12, 1), status="draft")
    _hold_everything(meetings, branches.second, bayi)

    report = _report(users.abag_admin, [branches.organ, branches.second])

    organ, second = report.branches
    rows = _rows(organ)
    assert _states(rows["branch_congress"]) == ["ok", "ok", "missing", "ok"]
    assert [c.period.label for c in rows["branch_congress"].cells] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    committee = _states(rows["branch_committee"])
    assert [i + 1 for i, s in enumerate(committee) if s == "missing"] == [3, 8]
    assert set(_states(rows["party_group_meeting"])) == {"ok"}
    assert [c.count for c in rows["party_lecture"].cells] == [2, 1, 1, 1]
    assert set(_states(rows["party_lecture"])) == {"ok"}
    assert _states(rows["theme_day"])[-2:] == ["missing", "missing"]
    assert {code: row.missing for code, row in rows.items()} == {
        "branch_congress": 1,
        "branch_committee": 2,
        "party_group_meeting": 0,
        "party_lecture": 0,
        "theme_day": 2,
    }
    assert organ.missing == 5
    assert second.missing == 0
    assert organ.parent_name == "阿巴嘎旗委组织部"


def test_period_boundaries_put_each_day_in_its_own_month_and_year(meetings, branches, org, users):
    committee = meetings.branch_committee
    for day in (
        dt.date(YEAR - 1, 12, 31),
        dt.date(YEAR, 3, 31),
        dt.date(YEAR, 4, 1),
        dt.date(YEAR, 12, 31),
        dt.date(YEAR + 1, 1, 1),
    ):
        make_record(committee, branches.organ, org.bayi, day)

    row = _rows(_report(users.abag_admin, [branches.organ]).branches[0])["branch_committee"]

    counts = [c.count for c in row.cells]
    assert counts == [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert row.cells[11].period.end == dt.date(YEAR, 12, 31)
    assert row.cells[1].period.end == dt.date(YEAR, 2, 28)


def test_a_leap_february_ends_on_the_29th():
    feb = reports.periods(2024, "month", dt.date(2024, 12, 31))[1]
    assert (feb.start, feb.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


@pytest.mark.parametrize(
    "frequency, labels, spans",
    [
        ("month", [f"{m}月" for m in range(1, 13)], [1] * 12),
        ("quarter", ["第一季度", "第二季度", "第三季度", "第四季度"], [3] * 4),
        ("half", ["上半年", "下半年"], [6, 6]),
        ("year", ["全年"], [12]),
    ],
)
def test_each_frequency_divides_the_year_into_its_periods(frequency, labels, spans):
    result = reports.periods(YEAR, frequency, YEAR_END)
    assert [p.label for p in result] == labels
    assert [p.span for p in result] == spans
    assert result[0].start == dt.date(YEAR, 1, 1) and result[-1].end == YEAR_END


def test_frequencies_and_minimum_counts_are_configurable(meetings, branches, org, users):
    # 党课 twice each half year instead of once a quarter (DOMAIN.md: some units).
    requirement_save(actor=users.league_admin, kind=meetings.party_lecture, frequency="half", min_count=2)
    for day in (dt.date(YEAR, 2, 1), dt.date(YEAR, 6, 30), dt.date(YEAR, 9, 1)):
        make_record(meetings.party_lecture, branches.organ, org.bayi, day)
    # 支部党员大会 once a year is enough.
    requirement_save(actor=users.league_admin, kind=meetings.branch_congress, frequency="year", min_count=1)
    make_record(meetings.branch_congress, branches.organ, org.bayi, dt.date(YEAR, 7, 1))

    rows = _rows(_report(users.abag_admin, [branches.organ]).branches[0])

    lecture = rows["party_lecture"]
    assert [(c.period.label, c.count, c.state) for c in lecture.cells] == [("上半年", 2, "ok"), ("下半年", 1, "missing")]
    assert lecture.missing == 1  # one meeting short
    assert [(c.period.label, c.state) for c in rows["branch_congress"].cells] == [("全年", "ok")]


def test_an_inactive_requirement_is_not_reported(meetings, branches, users):
    requirement_save(actor=users.league_admin, kind=meetings.theme_day, frequency="month", is_active=False)
    rows = _rows(_report(users.abag_admin, [branches.organ]).branches[0])
    assert "theme_day" not in rows and "branch_committee" in rows


def test_periods_not_yet_over_are_open_and_future_ones_blank(meetings, branches, org, users):
    today = dt.date(YEAR, 5, 15)
    make_record(meetings.branch_committee, branches.organ, org.bayi, dt.date(YEAR, 1, 5))
    make_record(meetings.branch_congress, branches.organ, org.bayi, dt.date(YEAR, 5, 5))

    rows = _rows(_report(users.abag_admin, [branches.organ], today=today).branches[0])

    committee = _states(rows["branch_committee"])
    assert committee[:5] == ["ok", "missing", "missing", "missing", "open"]
    assert set(committee[5:]) == {"future"}
    assert _states(rows["branch_congress"]) == ["missing", "ok", "future", "future"]
    # The month that is still running is not yet a gap.
    assert rows["branch_committee"].missing == 3


def test_a_future_year_is_all_blank_and_a_past_one_all_closed(meetings, branches, users):
    early = _rows(_report(users.abag_admin, [branches.organ], today=dt.date(YEAR - 1, 6, 1)).branches[0])
    assert set(_states(early["branch_committee"])) == {"future"} and early["branch_committee"].missing == 0
    late = _rows(_report(users.abag_admin, [branches.organ], today=dt.date(YEAR + 1, 1, 2)).branches[0])
    assert set(_states(late["branch_committee"])) == {"missing"} and late["branch_committee"].missing == 12


def test_records_of_another_unit_or_kind_do_not_count(meetings, branches, org, users):
    make_record(meetings.branch_committee, branches.second, org.bayi, dt.date(YEAR, 1, 5))
    make_record(meetings.theme_day, branches.organ, org.bayi, dt.date(YEAR, 1, 5))
    rows = _rows(_report(users.abag_admin, [branches.organ]).branches[0])
    assert rows["branch_committee"].cells[0].count == 0
    assert rows["theme_day"].cells[0].count == 1


@pytest.mark.parametrize(
    "role, visible",
    [
        ("league_admin", {"机关第一党支部", "机关第二党支部", "机关党支部"}),
        ("abag_admin", {"机关第一党支部", "机关第二党支部"}),
        ("abag_reviewer", {"机关第一党支部", "机关第二党支部"}),
        ("xilin_admin", {"机关党支部"}),
        ("auditor", set()),
    ],
)
def test_each_viewer_sees_the_branches_of_their_own_subtree(role, visible, branches, users):
    assert {u.name for u in reports.branches_for(getattr(users, role))} == visible


def test_a_county_admin_cannot_count_another_countys_records(meetings, branches, org, users):
    make_record(meetings.branch_committee, branches.xilin, org.xilin_person, dt.date(YEAR, 1, 5))
    # Even handed a branch outside their scope, the counts come only from records they may see.
    row = _rows(_report(users.abag_admin, [branches.xilin]).branches[0])["branch_committee"]
    assert row.cells[0].count == 0
    row = _rows(_report(users.xilin_admin, [branches.xilin]).branches[0])["branch_committee"]
    assert row.cells[0].count == 1


def test_branches_can_be_narrowed_to_a_county(branches, org, users):
    assert {u.name for u in reports.branches_for(users.league_admin, within=org.xilin)} == {"机关党支部"}


def test_the_report_is_a_fixed_number_of_queries_whatever_the_number_of_branches(
    meetings, branches, org, users, django_assert_max_num_queries
):
    more = [add_branch(org.abag_section, f"第{i}党小组支部") for i in range(6)]
    for unit in [branches.organ, *more]:
        _hold_everything(meetings, unit, org.bayi)
    user = users.abag_admin
    list(reports.branches_for(user))  # loads the user's grants once, as the request would
    with django_assert_max_num_queries(3):
        report = _report(user, [branches.organ, branches.second, *more])
    assert len(report.branches) == 8
    assert [b.missing for b in report.branches] == [0, 44, 0, 0, 0, 0, 0, 0]  # 12 × 3 monthly + 4 × 2 quarterly


# --- requirements ---------------------------------------------------------------------------------


def test_demo_requirements_follow_the_branch_work_regulations_and_load_once(meetings):
    frequencies = {r.kind.code: (r.frequency, r.min_count) for r in MeetingRequirement.objects.select_related("kind")}
    assert frequencies == {
        "branch_congress": ("quarter", 1),
        "branch_committee": ("month", 1),
        "party_group_meeting": ("month", 1),
        "party_lecture": ("quarter", 1),
        "theme_day": ("month", 1),
    }
    assert load_demo_requirements() == 0
    assert MeetingRequirement.objects.count() == 5


def test_demo_requirements_skip_missing_kinds_and_keep_an_admins_change(meetings, users):
    requirement_save(actor=users.league_admin, kind=meetings.party_lecture, frequency="half", min_count=1)
    meetings.theme_day.delete()  # no such kind any more: nothing to require
    assert load_demo_requirements() == 0
    assert not MeetingRequirement.objects.filter(kind__code="theme_day").exists()
    assert MeetingRequirement.objects.get(kind=meetings.party_lecture).frequency == "half"


def test_changing_a_requirement_is_audited(meetings, users):
    requirement_save(actor=users.league_admin, kind=meetings.party_lecture, frequency="half", min_count=2)
    entry = AuditEntry.objects.filter(action=Action.REQUIREMENT_UPDATE).latest("pk")
    assert entry.changes["frequency"] == ["每季度", "每半年"]
    assert entry.changes["min_count"] == [1, 2]


@pytest.mark.parametrize("role", ["abag_admin", "abag_reviewer", "cadre", "xilin_admin", "sysadmin"])
def test_only_a_league_admin_sets_requirements(role, meetings, users):
    with pytest.raises(PermissionDenied):
        requirement_save(actor=getattr(users, role), kind=meetings.party_lecture, frequency="month")
    assert MeetingRequirement.objects.get(kind=meetings.party_lecture).frequency == "quarter"


@pytest.mark.parametrize(
    "values, field",
    [
        ({"frequency": "week"}, "frequency"),
        ({"frequency": "month", "min_count": 0}, "min_count"),
        ({"frequency": "month", "min_count": 40}, "min_count"),
    ],
)
def test_bad_requirement_values_are_refused_in_chinese(values, field, meetings, users):
    with pytest.raises(ValidationError) as exc:
        requirement_save(actor=users.league_admin, kind=meetings.party_lecture, **values)
    assert field in exc.value.error_dict
    assert MeetingRequirement.objects.get(kind=meetings.party_lecture).frequency == "quarter"
