"""光荣在党50年纪念章: 党龄 at the boundaries (leap day, month and year precision, the day before and on
the cut-off), who qualifies (living 中共党员 only), recording medals (scope, no double, nothing on a
refusal, audited), the export, the API and the annual summary's count."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from xuebi.audit.models import AuditEntry
from xuebi.core import dates
from xuebi.org import medals, party
from xuebi.org.models import MedalIssue
from xuebi.org.services import medals as services
from xuebi.testing.helpers import add_person

D = dt.date
JULY_1 = D(2026, 7, 1)


@pytest.mark.parametrize(
    "full_member, precision, cutoff, reaches",
    [
        (D(1976, 7, 1), dates.DAY, JULY_1, True),  # exactly 50 years on the cut-off
        (D(1976, 7, 2), dates.DAY, JULY_1, False),  # one day short
        (D(1976, 2, 29), dates.DAY, D(2026, 2, 28), False),  # leap day: not yet on 28 February
        (D(1976, 2, 29), dates.DAY, D(2026, 3, 1), True),  # …full on 1 March
        (D(1976, 6, 1), dates.MONTH, D(2026, 6, 29), False),  # 1976年6月 counts from 30 June
        (D(1976, 6, 1), dates.MONTH, D(2026, 6, 30), True),
        (D(1976, 2, 1), dates.MONTH, D(2026, 2, 28), False),  # 1976年2月 ends on the 29th (a leap year)
        (D(1976, 2, 1), dates.MONTH, D(2026, 3, 1), True),
        (D(1975, 1, 1), dates.YEAR, D(2025, 12, 30), False),  # 1975年 counts from 31 December
        (D(1975, 1, 1), dates.YEAR, D(2025, 12, 31), True),
    ],
)
def test_party_age_reaches_fifty_years(full_member, precision, cutoff, reaches):
    assert party.reaches(full_member, cutoff, precision) is reaches
    assert (party.party_years(full_member, cutoff, precision) >= 50) is reaches
    assert party.latest_qualifying(cutoff) >= party.counted_from(full_member, precision) or not reaches


def test_the_cut_off_defaults_to_the_first_of_july():
    assert party.default_cutoff(D(2026, 11, 25)) == JULY_1


@pytest.fixture
def veterans(org):
    """阿巴嘎旗: a retired member of 1970 (qualifies), one of 1976-07-02 (a day short), a deceased one,
    a 群众 with a 1960 date, a month-precise 1976年6月; 锡林浩特市: one of 1972."""

    def veteran(unit, name, seq, full_member, precision=dates.DAY, **extra):
        person = add_person(
            unit, name, seq, birth=D(1948, 1, 1), political_status=extra.pop("political_status", "member"), full_member_date=full_member,
            joined_party_date=full_member - dt.timedelta(days=366), status=extra.pop("status", "retired"), **extra,
        )  # fmt: skip
        if precision != dates.DAY:
            person.date_precision = {"full_member_date": precision}
            person.save()
        return person

    return {
        "old": veteran(org.abag_section, "乌力吉", 101, D(1970, 5, 4)),
        "short": veteran(org.abag_section, "孟和", 102, D(1976, 7, 2)),
        "gone": veteran(org.abag_section, "巴特尔", 103, D(1965, 1, 1), status="deceased"),
        "masses": veteran(org.abag_section, "其木格", 104, D(1960, 1, 1), political_status="masses"),
        "month": veteran(org.abag_section, "萨仁", 105, D(1976, 6, 1), precision=dates.MONTH),
        "xilin": veteran(org.xilin_section, "图雅", 106, D(1972, 3, 1), status="active"),
    }


def test_the_list_holds_living_members_of_fifty_years_in_the_admins_reach(users, veterans):
    league = [c.person.name for c in medals.candidates(users.league_admin, JULY_1)]
    assert league == ["乌力吉", "图雅", "萨仁"]  # earliest 转正 first
    abag = medals.candidates(users.abag_admin, JULY_1)
    assert [c.person.name for c in abag] == ["乌力吉", "萨仁"]
    assert abag[1].full_member_text == "1976年6月" and abag[1].years == 50
    assert [c.person.name for c in medals.candidates(users.abag_admin, D(2026, 6, 29))] == ["乌力吉"]


def test_recording_medals_is_scoped_refuses_doubles_and_writes_nothing_on_a_refusal(users, veterans, org):
    old, month, xilin = veterans["old"], veterans["month"], veterans["xilin"]
    with pytest.raises(Exception, match="不存在或不在您的管理范围内"):
        services.medals_issue(
            actor=users.abag_admin, person_ids=[old.pk, xilin.pk], issued_on=JULY_1, unit=org.abag, cutoff=JULY_1
        )
    with pytest.raises(Exception, match="孟和截至2026年7月1日党龄不满50年"):
        services.medals_issue(
            actor=users.abag_admin, person_ids=[old.pk, veterans["short"].pk], issued_on=JULY_1, unit=org.abag, cutoff=JULY_1
        )
    assert not MedalIssue.objects.exists()
    services.medals_issue(actor=users.abag_admin, person_ids=[old.pk, month.pk], issued_on=JULY_1, unit=org.abag, cutoff=JULY_1)
    with pytest.raises(Exception, match="乌力吉已登记颁发"):
        services.medals_issue(actor=users.league_admin, person_ids=[old.pk], issued_on=JULY_1, unit=org.league, cutoff=JULY_1)
    assert MedalIssue.objects.count() == 2
    assert AuditEntry.objects.filter(action="org.medal.issue").count() == 2
    assert [c.person.name for c in medals.candidates(users.abag_admin, JULY_1, issued=False)] == []
    assert medals.medals_issued([org.abag.path], D(2026, 1, 1), D(2026, 12, 31)) == 2
    assert medals.medals_issued([org.xilin.path], D(2026, 1, 1), D(2026, 12, 31)) == 0
    assert medals.medals_issued(None, D(2025, 1, 1), D(2025, 12, 31)) == 0


def test_the_page_records_medals_and_exports_the_list(client_for, users, veterans, org):
    client = client_for(users.abag_admin)
    page = client.get("/org/medals/")
    assert page.status_code == 200 and "乌力吉" in page.content.decode() and "图雅" not in page.content.decode()
    response = client.post(
        "/org/medals/?cutoff=2026-07-01", {"person": [veterans["old"].pk], "issued_on": "2026年7月1日", "unit": org.abag.pk}
    )
    assert response.status_code == 302
    medal = MedalIssue.objects.get()
    assert (medal.person, medal.issued_on, medal.unit, medal.year) == (veterans["old"], JULY_1, org.abag, 2026)
    listed = client.get("/org/medals/?issued=yes").content.decode()
    assert "已颁发" in listed and "萨仁" not in listed
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/org/medals/export.xlsx").content)).active
    assert [sheet.cell(4, c).value for c in (2, 7, 8)] == ["乌力吉", "1970年5月4日", 56]
    assert client.post(f"/org/medals/{medal.pk}/undo/").status_code == 302
    assert not MedalIssue.objects.exists()
    assert client_for(users.xilin_admin).post(f"/org/medals/{medal.pk}/undo/").status_code == 404


def test_the_list_page_reads_a_bounded_number_of_queries(client_for, users, veterans, org, django_assert_max_num_queries):
    for i in range(10):
        add_person(
            org.abag_section,
            f"老党员{i}",
            200 + i,
            political_status="member",
            full_member_date=D(1960, 1, 1 + i),
            status="retired",
        )
    client = client_for(users.league_admin)
    client.get("/org/medals/")
    with django_assert_max_num_queries(14):
        assert client.get("/org/medals/").status_code == 200


def test_the_api_lists_and_records(api, users, veterans, org):
    listed = api.get(users.league_admin, "/medals?cutoff=2026-07-01")
    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()["items"]] == ["乌力吉", "图雅", "萨仁"]
    done = api.post(
        users.abag_admin,
        "/medals/issue",
        {"person_ids": [veterans["month"].pk], "issued_on": "2026-07-01", "unit_id": org.abag.pk},
    )
    assert done.status_code == 201 and done.json()[0]["issued_on"] == "2026-07-01"
    refused = api.post(
        users.abag_admin,
        "/medals/issue",
        {"person_ids": [veterans["xilin"].pk], "issued_on": "2026-07-01", "unit_id": org.abag.pk},
    )
    assert refused.status_code == 422 and "不在您的管理范围内" in refused.json()["detail"][0]["msg"]
    for cutoff in ("明年", "0001-01-01"):
        assert api.get(users.league_admin, f"/medals?cutoff={cutoff}").status_code == 422
    assert api.get(users.cadre, "/medals").status_code == 403
