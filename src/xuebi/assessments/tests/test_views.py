"""The pages: the cadre's sheet with the 小结 form and the evidence, the leader's round page (grades, tally,
refusal over the cap), and the query count of a round's page, whatever the number of people."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xuebi.assessments import evidence, services
from xuebi.assessments.models import Status
from xuebi.ledger.services.records import record_approve
from xuebi.testing.helpers import add_person, give, log, self_study

from .conftest import grade_all, open_quarter


@pytest.fixture
def evidence_data(section, org, users, kinds, theory, study):
    record = self_study(users.cadre, kinds)
    record_approve(actor=users.abag_reviewer, record=record)
    give(org, org.bayi, 5, 1)
    log(users.cadre, study.abag_item, "1")
    return record


def test_the_cadre_writes_the_summary_and_sees_the_evidence(evidence_data, section, users, client_for):
    assessment = open_quarter(users.abag_admin, section, quarter=4)
    sheet = assessment.sheets.get(person=users.cadre.person)
    client = client_for(users.cadre)
    page = client.get(f"/assessments/sheets/{sheet.pk}/").content.decode()
    assert "提交小结" in page
    assert "个人自学" in page and "已通过 1 条" in page  # the approved record
    assert "合计" in page and "学习 1 项内容" in page
    answer = client.post(f"/assessments/sheets/{sheet.pk}/", {"summary": ""})
    assert answer.status_code == 200 and "请填写个人小结" in answer.content.decode()
    answer = client.post(f"/assessments/sheets/{sheet.pk}/", {"summary": "本季度完成了组织股的日常工作。"})
    assert answer.status_code == 302
    sheet.refresh_from_db()
    assert sheet.summary == "本季度完成了组织股的日常工作。"
    listing = client.get("/assessments/").content.decode()
    assert "小结已提交" in listing


def test_the_leader_grades_on_the_round_page_and_the_cap_is_enforced(section, users, client_for):
    assessment = open_quarter(users.abag_admin, section)
    client = client_for(users.abag_admin)
    sheets = {s.person.name: s.pk for s in assessment.sheets.select_related("person")}
    three_good = {f"grade-{pk}": ("good" if name in ("巴依斯古楞", "王芳", "张伟") else "fair") for name, pk in sheets.items()}
    client.post(f"/assessments/{assessment.pk}/grades/", three_good)
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "好 最多 2 人，现为 3 人" in page
    answer = client.post(f"/assessments/{assessment.pk}/finalise/", follow=True)
    assert "好 最多 2 人，现为 3 人" in answer.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Status.OPEN
    client.post(f"/assessments/{assessment.pk}/grades/", {f"grade-{sheets['张伟']}": "fairly_good"})
    answer = client.post(f"/assessments/{assessment.pk}/finalise/", follow=True)
    assert "考核结果已确定" in answer.content.decode()


def test_bad_grade_input_is_a_message_not_a_500(section, users, client_for):
    assessment = open_quarter(users.abag_admin, section)
    client = client_for(users.abag_admin)
    sheet = assessment.sheets.first()
    answer = client.post(f"/assessments/{assessment.pk}/grades/", {f"grade-{sheet.pk}": "best", "grade-x": "good"}, follow=True)
    assert answer.status_code == 200 and "等次应为好、较好、一般、较差之一" in answer.content.decode()
    answer = client.post(f"/assessments/{assessment.pk}/publicise/", {"start": "明天", "end": ""}, follow=True)
    assert answer.status_code == 200 and "公示开始" in answer.content.decode()
    answer = client.post("/assessments/new/", {"unit": section.pk, "kind": "quarterly", "year": "2026", "quarter": "9"})
    assert answer.status_code == 200 and "季度" in answer.content.decode()
    assert not assessment.sheets.exclude(proposed="").exists()


def test_the_publicity_is_shown_to_the_people_of_the_round(section, users, client_for, today):
    assessment = open_quarter(users.abag_admin, section)
    grade_all(
        users.abag_admin, assessment, {"巴依斯古楞": "good", "王芳": "good", "张伟": "fair", "刘洋": "fair", "陈静": "poor"}
    )
    client = client_for(users.cadre)
    before = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "考核进行中" in before and "陈静" not in before
    services.assessment_publicise(
        actor=users.abag_admin,
        assessment=assessment,
        start=today,
        end=today + dt.timedelta(days=5),
    )
    after = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "考核结果公示" in after and "陈静" in after and "较差" in after
    answer = client.post(f"/assessments/{assessment.pk}/objections/", {"text": "请复核陈静同志的等次。"}, follow=True)
    assert "异议已提交" in answer.content.decode()
    assert assessment.objections.count() == 1


def test_a_rounds_page_asks_a_fixed_number_of_queries(section, org, users, client_for, kinds, theory):
    assessment = open_quarter(users.abag_admin, section, quarter=4)
    client = client_for(users.abag_admin)
    client.get(f"/assessments/{assessment.pk}/")  # warm the session and the user's grants
    with CaptureQueriesContext(connection) as five:
        assert client.get(f"/assessments/{assessment.pk}/").status_code == 200
    for i in range(10):
        add_person(org.abag_section, f"新人{i}", 100 + i)
    bigger = services.assessment_open(actor=users.abag_admin, unit=org.abag, kind="quarterly", year=2026, quarter=4)
    assert bigger.sheets.count() == 15
    for sheet in bigger.sheets.all()[:10]:
        give(org, sheet.person, 1, sheet.pk)
    client.get(f"/assessments/{bigger.pk}/")
    with CaptureQueriesContext(connection) as fifteen:
        assert client.get(f"/assessments/{bigger.pk}/").status_code == 200
    assert len(fifteen) == len(five)
    # the providers: one or two queries each, not one a person
    assert len(five) <= 12 + len(evidence.providers()) * 2


def test_the_annual_page_suggests_and_records_an_approval(section, users, client_for):
    annual = services.assessment_open(actor=users.abag_admin, unit=section, kind="annual", year=2026)
    client = client_for(users.abag_admin)
    page = client.get(f"/assessments/{annual.pk}/").content.decode()
    assert "系统建议" in page and "本年度没有平时考核结果" in page and "批准文号" in page
    answer = client.post(f"/assessments/{annual.pk}/approval/", {"share": "30%", "approved_by": "盟委组织部", "document": "1号"})
    assert "批准的比例应高于 20%，且不超过 25%" in client.get(answer["Location"]).content.decode()
    answer = client.post(f"/assessments/{annual.pk}/approval/", {"share": "abc", "approved_by": "", "document": ""}, follow=True)
    assert answer.status_code == 200 and "请填写百分比" in answer.content.decode()
    client.post(
        f"/assessments/{annual.pk}/approval/",
        {"share": "25%", "approved_by": "锡林郭勒盟委组织部", "document": "锡组字〔2026〕45号"},
    )
    page = client.get(f"/assessments/{annual.pk}/").content.decode()
    assert "经锡林郭勒盟委组织部批准（锡组字〔2026〕45号），优秀比例提高至25%" in page


def test_a_leader_on_the_roster_gets_no_select_for_their_own_row(section, org, users, client_for, password_hash):
    from xuebi.org.choices import Role
    from xuebi.testing.helpers import make_user

    leader = make_user("leader", Role.UNIT_ADMIN, org.abag, password_hash, person=org.abag_other)
    assessment = open_quarter(users.abag_admin, section)
    page = client_for(leader).get(f"/assessments/{assessment.pk}/").content.decode()
    assert "本人等次由其他领导拟定" in page
    assert 'data-testid="grade-王芳"' not in page and 'data-testid="grade-张伟"' in page


def test_the_sheet_shows_the_quarters_checklist_items_and_pledges(section, org, users, client_for):
    import datetime as dt

    from xuebi.checklists import services as checklists
    from xuebi.checklists.models import Move

    item = checklists.save_item(
        actor=users.abag_admin,
        data=checklists.ItemData(
            kind="task",
            unit=org.abag,
            title="整理党员档案",
            responsible_unit=org.abag_section,
            responsible_person=org.bayi,
            due_date=dt.date(2026, 11, 30),
        ),
    )
    checklists.move(actor=users.cadre, item=item, move=Move.SUBMIT)
    checklists.move(actor=users.abag_admin, item=item, move=Move.ACCEPT)
    checklists.save_pledge(actor=users.cadre, title="全年撰写调研报告 2 篇", year=2026)
    assessment = open_quarter(users.abag_admin, section, quarter=4)
    sheet = assessment.sheets.get(person=org.bayi)
    page = client_for(users.cadre).get(f"/assessments/sheets/{sheet.pk}/").content.decode()
    assert "清单事项" in page and "按时销号 1 项，逾期完成 0 项，逾期未完成 0 项" in page
    assert "承诺：全年撰写调研报告 2 篇（未评价）" in page
