"""The assessment services: opening a round, the 小结, grading (never one's own), the cap at finalisation, the
annual proposal from the quarters, the approval of a higher 优秀 share, 公示 with objections, and freezing."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.assessments import services
from xuebi.assessments.models import Assessment, FrozenError, Sheet, Status
from xuebi.audit.models import AuditEntry
from xuebi.org.choices import Role
from xuebi.testing.helpers import make_user

from .conftest import grade_all, open_quarter

FIVE = {"巴依斯古楞": "good", "王芳": "good", "张伟": "fairly_good", "刘洋": "fairly_good", "陈静": "fair"}


def test_opening_a_quarter_makes_a_sheet_per_active_person(section, users):
    assessment = open_quarter(users.abag_admin, section)
    assert assessment.start_date == dt.date(2026, 7, 1) and assessment.end_date == dt.date(2026, 9, 30)
    assert assessment.sheets.count() == 5
    assert assessment.top_share == Decimal("0.4")
    assert AuditEntry.objects.filter(action="assessments.open").count() == 1
    with pytest.raises(ValidationError) as refused:
        open_quarter(users.abag_admin, section)
    assert "已经发起" in str(refused.value)


@pytest.mark.parametrize(
    ("unit", "kind", "year", "quarter", "field"),
    [
        ("xilin", "quarterly", 2026, 3, "unit"),  # outside the admin's subtree
        ("abag_section", "quarterly", 2026, 5, "quarter"),
        ("abag_section", "quarterly", 2027, 1, "year"),
        ("abag_section", "monthly", 2026, 1, "kind"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(section, org, users, unit, kind, year, quarter, field):
    with pytest.raises(ValidationError) as refused:
        services.assessment_open(actor=users.abag_admin, unit=getattr(org, unit), kind=kind, year=year, quarter=quarter)
    assert field in refused.value.error_dict
    assert not Assessment.objects.exists()


def test_the_summary_is_the_persons_own(section, users):
    assessment = open_quarter(users.abag_admin, section)
    mine = assessment.sheets.get(person=users.cadre.person)
    other = assessment.sheets.exclude(person=users.cadre.person).first()
    services.sheet_summary(actor=users.cadre, sheet=mine, summary="本季度完成组织股日常工作。")
    mine.refresh_from_db()
    assert mine.summary == "本季度完成组织股日常工作。" and mine.summary_at
    with pytest.raises(PermissionDenied):
        services.sheet_summary(actor=users.cadre, sheet=other, summary="代写")
    with pytest.raises(PermissionDenied):
        services.sheet_summary(actor=users.abag_admin, sheet=mine, summary="代写")
    with pytest.raises(ValidationError) as refused:
        services.sheet_summary(actor=users.cadre, sheet=mine, summary="  ")
    assert "summary" in refused.value.error_dict
    with pytest.raises(ValidationError):
        services.sheet_summary(actor=users.cadre, sheet=mine, summary="字" * (services.SUMMARY_MAX + 1))
    mine.refresh_from_db()
    assert mine.summary == "本季度完成组织股日常工作。"


def test_finalising_over_the_cap_is_refused_with_the_number_of_places(section, users):
    assessment = open_quarter(users.abag_admin, section)
    grade_all(users.abag_admin, assessment, {**FIVE, "张伟": "good"})  # 3 好 of 5: 40% of 5 is 2
    with pytest.raises(ValidationError) as refused:
        services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    assert "好 最多 2 人，现为 3 人" in str(refused.value)
    assessment.refresh_from_db()
    assert assessment.status == Status.OPEN and not assessment.sheets.exclude(grade="").exists()
    grade_all(users.abag_admin, assessment, {"张伟": "fairly_good"})
    services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == Status.FINAL
    assert sorted(assessment.sheets.values_list("grade", flat=True)) == sorted(FIVE.values())


def test_finalising_with_someone_ungraded_is_refused(section, users):
    assessment = open_quarter(users.abag_admin, section)
    grade_all(users.abag_admin, assessment, {"王芳": "good"})
    with pytest.raises(ValidationError) as refused:
        services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    assert "还有 4 人未拟定等次" in str(refused.value)


def test_nobody_grades_themselves(section, org, users, password_hash):
    leader = make_user("leader", Role.UNIT_ADMIN, org.abag, password_hash, person=org.abag_other)
    assessment = open_quarter(users.abag_admin, section)
    with pytest.raises(ValidationError) as refused:
        grade_all(leader, assessment, {"王芳": "good"})
    assert "不能为本人拟定等次" in str(refused.value)
    own = assessment.sheets.get(person=org.abag_other)
    with pytest.raises(ValidationError):  # nor a comment on it
        services.grades_propose(actor=leader, assessment=assessment, grades={own.pk: ""}, comments={own.pk: "优秀"})
    grade_all(leader, assessment, {"巴依斯古楞": "good"})  # the others, yes
    grade_all(users.abag_admin, assessment, {"王芳": "good"})  # and another leader grades the leader
    assert assessment.sheets.get(person=org.abag_other).proposed == "good"


def test_grades_are_checked_all_or_nothing(section, users):
    assessment = open_quarter(users.abag_admin, section)
    with pytest.raises(ValidationError) as refused:
        grade_all(users.abag_admin, assessment, {"王芳": "good", "张伟": "excellent"})
    assert "张伟：等次应为好、较好、一般、较差之一" in str(refused.value)
    assert not assessment.sheets.exclude(proposed="").exists()
    with pytest.raises(PermissionDenied):
        grade_all(users.xilin_admin, assessment, {"王芳": "good"})
    with pytest.raises(PermissionDenied):
        grade_all(users.cadre, assessment, {"王芳": "good"})


def test_final_grades_are_frozen(section, users):
    assessment = open_quarter(users.abag_admin, section)
    grade_all(users.abag_admin, assessment, FIVE)
    services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    sheet = Sheet.objects.get(assessment=assessment, person=users.cadre.person)
    with pytest.raises(ValidationError):
        grade_all(users.abag_admin, assessment, {"巴依斯古楞": "poor"})
    with pytest.raises(ValidationError):
        services.sheet_summary(actor=users.cadre, sheet=sheet, summary="改一改")
    with pytest.raises(ValidationError):
        services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    sheet.grade = "poor"  # the model refuses too, whoever calls save()
    with pytest.raises(FrozenError):
        sheet.save()
    with pytest.raises(FrozenError):
        Sheet.objects.get(pk=sheet.pk).delete()
    round_ = Assessment.objects.get(pk=assessment.pk)
    round_.status = Status.OPEN
    with pytest.raises(FrozenError):
        round_.save()
    with pytest.raises(FrozenError):
        Assessment.objects.get(pk=assessment.pk).delete()
    assert Sheet.objects.get(pk=sheet.pk).grade == "good"
    assert AuditEntry.objects.filter(action="assessments.finalise", target_id=str(assessment.pk)).exists()
    assert AuditEntry.objects.filter(action="assessments.sheet.grade").count() == 5


def _year_of_quarters(users, section, grades_by_quarter):
    for quarter, grades in grades_by_quarter.items():
        assessment = open_quarter(users.abag_admin, section, quarter=quarter)
        grade_all(users.abag_admin, assessment, grades)
        services.assessment_finalise(actor=users.abag_admin, assessment=assessment)


def test_the_annual_round_proposes_from_the_quarters(section, users):
    base = {"巴依斯古楞": "good", "王芳": "fairly_good", "张伟": "fairly_good", "刘洋": "fairly_good", "陈静": "fairly_good"}
    _year_of_quarters(
        users,
        section,
        {
            1: {**base, "张伟": "good"},
            2: {**base, "王芳": "good"},
            3: {**base, "王芳": "good", "张伟": "fair"},  # 张伟: a 一般
            4: {**base, "刘洋": "good", "陈静": "poor"},
        },
    )
    annual = services.assessment_open(actor=users.abag_admin, unit=section, kind="annual", year=2026)
    suggested = {s.person.name: (s.suggested, s.suggested_reason) for s in annual.sheets.select_related("person")}
    assert suggested["巴依斯古楞"][0] == "excellent"  # 4 of 4
    assert suggested["王芳"][0] == "competent" and "未超过半数" in suggested["王芳"][1]  # 2 of 4
    assert suggested["张伟"][0] == "competent" and "一般" in suggested["张伟"][1]
    assert suggested["陈静"][0] == "basic"
    assert annual.top_share == Decimal("0.2")


def test_the_annual_cap_and_an_approved_higher_share(section, org, users):
    for i, name in enumerate(["赵一", "钱二", "孙三"]):  # 8 people: 20% → 1 place, 25% → 2
        from xuebi.testing.helpers import add_person

        add_person(org.abag_section, name, 80 + i)
    annual = services.assessment_open(actor=users.abag_admin, unit=section, kind="annual", year=2026)
    sheets = list(annual.sheets.select_related("person"))
    services.grades_propose(
        actor=users.abag_admin,
        assessment=annual,
        grades={s.pk: ("excellent" if s.person.name in ("王芳", "张伟") else "competent") for s in sheets},
    )
    start = dt.date(2026, 11, 26)
    with pytest.raises(ValidationError) as refused:
        services.assessment_publicise(actor=users.abag_admin, assessment=annual, start=start, end=start + dt.timedelta(days=4))
    assert "优秀 最多 1 人，现为 2 人" in str(refused.value)
    with pytest.raises(ValidationError) as bad:
        services.approval_record(actor=users.abag_admin, assessment=annual, share=Decimal("0.30"), approved_by="", document="")
    assert set(bad.value.error_dict) == {"share", "approved_by", "document"}
    services.approval_record(
        actor=users.abag_admin,
        assessment=annual,
        share=Decimal("0.25"),
        approved_by="锡林郭勒盟委组织部",
        document="锡组字〔2026〕45号",
    )
    annual.refresh_from_db()
    assert annual.approved_by == "锡林郭勒盟委组织部" and annual.approval_recorded_by == users.abag_admin
    assert services.top_cap(annual) == 2
    with pytest.raises(ValidationError) as refused:
        services.assessment_finalise(actor=users.abag_admin, assessment=annual)
    assert "须先公示" in str(refused.value)
    services.assessment_publicise(actor=users.abag_admin, assessment=annual, start=start, end=start + dt.timedelta(days=4))
    assert AuditEntry.objects.filter(action="assessments.approve").exists()


def test_publicity_objections_then_final(section, users):
    assessment = open_quarter(users.abag_admin, section)
    grade_all(users.abag_admin, assessment, FIVE)
    today = dt.date(2026, 11, 25)
    with pytest.raises(ValidationError) as bad:
        services.assessment_publicise(actor=users.abag_admin, assessment=assessment, start=today, end=today - dt.timedelta(1))
    assert "end" in bad.value.error_dict
    services.assessment_publicise(actor=users.abag_admin, assessment=assessment, start=today, end=today + dt.timedelta(4))
    with pytest.raises(ValidationError):  # grades are fixed while they are shown
        grade_all(users.abag_admin, assessment, {"陈静": "good"})
    objection = services.objection_raise(actor=users.cadre, assessment=assessment, text="陈静同志本季度承担了大量工作。")
    with pytest.raises(PermissionDenied):
        services.objection_raise(actor=users.xilin_admin, assessment=assessment, text="外单位")
    with pytest.raises(ValidationError) as refused:
        services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    assert "公示期至2026年11月29日" in str(refused.value)
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        with pytest.raises(ValidationError) as refused:
            services.objection_raise(actor=users.cadre, assessment=assessment, text="晚了")
        assert "不在公示期内" in str(refused.value)
        with pytest.raises(ValidationError) as refused:
            services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
        assert "1 条公示异议未答复" in str(refused.value)
        with pytest.raises(PermissionDenied):
            services.objection_reply(actor=users.cadre, objection=objection, reply="自己答复")
        services.objection_reply(actor=users.abag_admin, objection=objection, reply="经核实，等次不变。")
        services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == Status.FINAL
    assert {e.action for e in AuditEntry.objects.filter(action__startswith="assessments.")} >= {
        "assessments.publicise",
        "assessments.objection",
        "assessments.objection.reply",
        "assessments.finalise",
    }
