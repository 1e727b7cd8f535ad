"""The 评优评先 basis: the pure ranking (scaling within the unit, weights, ties), and the page with its .xlsx and
.docx — formulas neutralised, a missing provider (checklists) left out and said so, a registered one counted."""

import io
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from xuebi.assessments import evidence, services
from xuebi.assessments.basis import Candidate, Component, rank
from xuebi.assessments.evidence import Row
from xuebi.testing.helpers import add_person, give

from .conftest import grade_all, open_quarter

D = Decimal


def test_rank_scales_within_the_unit_and_weighs():
    people = [
        Candidate(1, "甲", "股", {"points": D(200), "grades": D(100)}),
        Candidate(2, "乙", "股", {"points": D(100), "grades": D(100)}),
        Candidate(3, "丙", "股", {"points": D(200), "grades": D(85)}),
        Candidate(4, "丁", "股", {"points": None, "grades": None}),
    ]
    ranked = rank(people, [Component("points", "积分", D(40)), Component("grades", "等次", D(60))])
    assert [(r.rank, r.candidate.name, r.score) for r in ranked] == [
        (1, "甲", D("100.00")),  # 40×100 + 60×100
        (2, "丙", D("91.00")),  # 40×100 + 60×85
        (3, "乙", D("80.00")),  # 40×50 + 60×100
        (4, "丁", D("0.00")),
    ]


def test_ties_share_a_rank_and_a_zero_weight_is_left_out():
    people = [
        Candidate(i, n, "股", {"points": D(v), "contests": D(i)}) for i, (n, v) in enumerate([("甲", 5), ("乙", 5), ("丙", 1)])
    ]
    ranked = rank(people, [Component("points", "积分", D(1)), Component("contests", "获奖", D(0))])
    assert [r.rank for r in ranked] == [1, 1, 3]
    assert "contests" not in ranked[0].scaled
    assert rank([], [Component("points", "积分", D(1))]) == []
    assert all(r.score == 0 for r in rank(people, [Component("nothing", "无", D(1))]))


@pytest.fixture
def graded(section, org, users, campaign, theory):
    for quarter, good in [(1, ("巴依斯古楞", "王芳")), (2, ("巴依斯古楞", "张伟"))]:
        assessment = open_quarter(users.abag_admin, section, quarter=quarter)
        grade_all(
            users.abag_admin,
            assessment,
            {
                s.person.name: ("good" if s.person.name in good else "fairly_good")
                for s in assessment.sheets.select_related("person")
            },
        )
        services.assessment_finalise(actor=users.abag_admin, assessment=assessment)
    give(org, org.abag_other, 8, 1)
    give(org, org.bayi, 4, 2)
    return section


def test_the_page_ranks_and_exports(graded, org, users, client_for):
    client = client_for(users.abag_admin)
    page = client.get("/assessments/basis/", {"unit": graded.pk, "year": "2026"}).content.decode()
    assert "组织股2026年度评优评先人选综合排序" in page
    assert "未计入" not in page  # every weighted component has a provider (checklists' since they came)
    assert "1季度好、2季度好" in page
    rows = [r for r in page.split("<tr>") if "巴依斯古楞" in r or "王芳" in r]
    assert rows  # both listed
    # 巴依: points 4/8 → 50, grades 100 → 40×50/85 + 30×100/85 …; 王芳: points 100, grades (100+85)/2
    got = client.get("/assessments/basis/export.xlsx", {"unit": graded.pk, "year": "2026"})
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(got.content)).active
    names = [sheet.cell(r, 2).value for r in range(4, 9)]
    assert set(names) == {"巴依斯古楞", "王芳", "张伟", "刘洋", "陈静"}
    assert sheet.cell(4, 1).value == 1
    got = client.get("/assessments/basis/export.docx", {"unit": graded.pk, "year": "2026"})
    assert got.status_code == 200
    doc = Document(io.BytesIO(got.content))
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "巴依斯古楞" in text and "综合得分" in text


def test_a_formula_in_a_name_is_neutralised(section, org, users, client_for):
    add_person(org.abag_section, "=1+1", 90)
    got = client_for(users.abag_admin).get("/assessments/basis/export.xlsx", {"unit": section.pk, "year": "2026"})
    sheet = load_workbook(io.BytesIO(got.content)).active
    [cell] = [sheet.cell(r, 2) for r in range(4, 10) if sheet.cell(r, 2).value == "=1+1"]
    assert cell.data_type == "s" and cell.quotePrefix  # text, not a formula


def test_a_registered_provider_counts_with_its_weight(section, org, users, client_for, settings):
    settings.XUEBI_ASSESSMENT_BASIS_WEIGHTS = {"probe": 100}  # a provider of its own: the real ones stay registered
    evidence.register(
        "probe", lambda ids, start, end: {org.abag_other.pk: [Row("完成 3 项", value=D(3))]}, label="试验", order=90
    )
    try:
        page = client_for(users.abag_admin).get("/assessments/basis/", {"unit": section.pk}).content.decode()
    finally:
        evidence.unregister("probe")
    first = page.split("<tbody>")[1].split("</tr>")[0]
    assert "王芳" in first and "100" in first


def test_bad_input_is_a_message_and_out_of_reach_is_404(section, org, users, client_for):
    client = client_for(users.abag_admin)
    answer = client.get("/assessments/basis/", {"unit": section.pk, "year": "明年", "w_points": "-5"})
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "年度应为数字" in text and "积分权重" in text
    assert client.get("/assessments/basis/", {"unit": org.xilin.pk}).status_code == 404
    assert client.get("/assessments/basis/export.xlsx", {"unit": "abc"}).status_code == 404
