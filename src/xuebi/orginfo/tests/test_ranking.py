"""The ranking of the county departments: the pure parts (periods, ties, the quota check) directly,
then the tallies from the database, the page with its period picker, the .xlsx, the API, and a
通报 drafted from it and issued."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from xuebi.orginfo import ranking as rk
from xuebi.orginfo import selectors
from xuebi.orginfo.conf import Quota
from xuebi.reports.models import Notice, NoticeStatus

from .conftest import LONG, SHORT, adopt, send

TODAY = dt.date(2026, 11, 25)


# --- pure ----------------------------------------------------------------------------------------


def tally(name, points, adopted=0, submitted=0, quota_adopted=0):
    return rk.Tally(hash(name) % 1000, name, submitted, {"league": adopted} if adopted else {}, quota_adopted, 0, Decimal(points))


def test_ties_share_a_rank_and_the_next_skips():
    rows = rk.rank([tally("甲", 10), tally("乙", 20), tally("丙", 20), tally("丁", 5), tally("戊", 0)], Quota())
    assert [(r.rank, r.tally.name) for r in rows] == [(1, "乙"), (1, "丙"), (3, "甲"), (4, "丁"), (5, "戊")]
    rows = rk.rank([tally("甲", 30), tally("乙", 20, adopted=1), tally("丙", 20, adopted=3), tally("丁", 5)], Quota())
    # 1, 2, 2, 4 — within the tie, more adoptions first
    assert [(r.rank, r.tally.name) for r in rows] == [(1, "甲"), (2, "丙"), (2, "乙"), (4, "丁")]


def test_the_quota_check_names_what_is_short():
    quota = Quota(items=10, adopted=2)
    assert rk.shortfalls(tally("甲", 0, submitted=10, quota_adopted=2), quota) == []
    assert rk.shortfalls(tally("乙", 0, submitted=3, quota_adopted=1), quota, period_word="本季度") == [
        "本季度报送3条，少于10条",
        "盟级以上采用1条，少于2条",
    ]
    assert rk.shortfalls(tally("丙", 0), Quota()) == []  # no quota: nothing is short


@pytest.mark.parametrize(
    "code, kind, start, end, label",
    [
        ("2026-11", "month", dt.date(2026, 11, 1), dt.date(2026, 11, 30), "2026年11月"),
        ("2026-2", "month", dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026年2月"),
        ("2026-Q4", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026年第四季度"),
        ("2024-q1", "quarter", dt.date(2024, 1, 1), dt.date(2024, 3, 31), "2024年第一季度"),
        ("", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026年第四季度"),
    ],
)
def test_periods(code, kind, start, end, label):
    period = rk.parse_period(code, today=TODAY)
    assert (period.kind, period.start, period.end, period.label) == (kind, start, end, label)
    assert rk.parse_period(period.code, today=TODAY) == period


@pytest.mark.parametrize(
    "code, message",
    [
        ("2026-13", "月份应为1至12"),
        ("2026年11月", "应写成 2026-11（月度）或 2026-Q4（季度）"),
        ("1900-01", "年份不对"),
        ("2026-Q5", "应写成"),
    ],
)
def test_a_bad_period_is_refused_by_name(code, message):
    with pytest.raises(ValidationError) as caught:
        rk.parse_period(code, today=TODAY)
    assert message in caught.value.message_dict["period"][0]


def test_the_picker_offers_recent_quarters_then_months():
    periods = rk.recent_periods(TODAY, months=3, quarters=2)
    assert [p.code for p in periods] == ["2026-Q4", "2026-Q3", "2026-11", "2026-10", "2026-09"]


# --- from the database ------------------------------------------------------------------------------


@pytest.fixture
def adopted(rules, org, users):
    """阿巴嘎: 3 items in Q4, one adopted by 自治区 (长篇 20) with a 盟 批示 (10) and by 盟 (长篇 10), one by 本级
    (短篇 3); 锡林浩特: 1 item adopted by 中组部 (短篇 30) in October, 1 submitted in September (Q3)."""
    a1 = send(users.cadre, org.abag, [org.bayi, org.abag_other], text=LONG)
    adopt(users.league_admin, a1, "region", instruction="league")
    adopt(users.league_admin, a1, "league", day=dt.date(2026, 11, 12))
    a2 = send(users.cadre, org.abag, [org.bayi], text=SHORT, title="第二条")
    adopt(users.league_admin, a2, "own")
    send(users.cadre, org.abag, [org.bayi], title="第三条")
    send(users.cadre, org.abag, [org.bayi], title="草稿", submit=False)
    x1 = send(users.xilin_admin, org.xilin, [org.xilin_person], text=SHORT, day=dt.date(2026, 10, 3))
    adopt(users.league_admin, x1, "central", day=dt.date(2026, 10, 20))
    send(users.xilin_admin, org.xilin, [org.xilin_person], day=dt.date(2026, 9, 30), title="九月")


def test_the_quarter_counts_each_adoption_once_by_the_table(adopted, settings, django_assert_max_num_queries):
    settings.XUEBI_ORGINFO_QUOTAS = {"quarter": {"items": 3, "adopted": 1}}
    with django_assert_max_num_queries(4):
        result = selectors.ranking(rk.parse_period("2026-Q4", today=TODAY))
    rows = {r.tally.name: r for r in result.rows}
    abag, xilin = rows["阿巴嘎旗委组织部"], rows["锡林浩特市委组织部"]
    # 20 + 10 (批示) + 10 + 3: two authors share the first item, which still counts once
    assert (abag.rank, abag.tally.points, abag.tally.submitted) == (1, Decimal(43), 3)
    assert abag.tally.adopted == {"region": 1, "league": 1, "own": 1} and abag.tally.quota_adopted == 2
    assert abag.tally.instructions == 1 and abag.quota_met
    assert (xilin.rank, xilin.tally.points, xilin.tally.submitted) == (2, Decimal(30), 1)
    assert xilin.shortfalls == ["本季度报送1条，少于3条"]
    month = selectors.ranking(rk.parse_period("2026-10", today=TODAY))
    assert [(r.rank, r.tally.name, r.tally.points) for r in month.rows] == [
        (1, "锡林浩特市委组织部", Decimal(30)),
        (2, "阿巴嘎旗委组织部", Decimal(0)),
    ]


def test_the_ranking_page_export_and_api(adopted, users, client_for, api):
    client = client_for(users.abag_admin)
    page = client.get("/orginfo/ranking/", {"period": "2026-Q4"}).content.decode()
    assert "2026年第四季度组工信息采用排名" in page and 'value="2026-Q3"' in page
    assert "任务要求：每季度报送不少于10条，盟级以上采用不少于2条" in page
    assert "本季度报送1条，少于10条；盟级以上采用1条，少于2条" in page  # 锡林浩特
    assert "起草通报" not in page  # a county admin reads it; the league department drafts the notice
    bad = client.get("/orginfo/ranking/", {"period": "2026-13"}, follow=True).content.decode()
    assert "月份应为1至12" in bad
    response = client.get("/orginfo/ranking/export.xlsx", {"period": "2026-Q4"})
    assert response.status_code == 200 and "2026-Q4" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "2026年第四季度组工信息采用情况排名"
    assert [c.value for c in sheet[3]][:4] == ["名次", "单位", "报送", "中组部"]
    assert [c.value for c in sheet[4]][:3] == ["1", "阿巴嘎旗委组织部", "3"]
    answer = api.get(users.league_admin, "/orginfo/ranking", period="2026-Q4").json()
    assert answer["label"] == "2026年第四季度" and answer["rows"][0]["points"] == "43"
    assert answer["rows"][0]["adopted"] == {"region": 1, "league": 1, "own": 1}
    refused = api.get(users.league_admin, "/orginfo/ranking", period="2026-Q9")
    assert refused.status_code == 422 and "应写成" in refused.json()["detail"][0]["msg"]


def test_a_notice_is_drafted_from_the_ranking_and_issued(adopted, users, client_for, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    client = client_for(users.league_admin)
    assert "起草通报" in client.get("/orginfo/ranking/", {"period": "2026-Q4"}).content.decode()
    response = client.post("/reports/notices/from-orginfo/", {"period": "2026-Q4"})
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/notices/{notice.pk}/"
    assert notice.ranking == "orginfo" and (notice.start, notice.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    page = client.get(f"/reports/notices/{notice.pk}/").content.decode()
    assert "关于第四季度组工信息采用情况的通报" in page
    assert "阿巴嘎旗委组织部、锡林浩特市委组织部组工信息采用积分位居前列" in page
    assert "锡林浩特市委组织部未完成组工信息报送、采用任务" in page
    assert "第四季度各旗县市区组工信息采用情况" in page
    # a county admin may not draft it
    client_for(users.abag_admin).post("/reports/notices/from-orginfo/", {"period": "2026-Q4"})
    assert Notice.objects.count() == 1
    # issued as any notice: number, .docx, PDF, .xlsx kept as issued
    from xuebi.reports.services import notices as notice_services

    try:
        issued = notice_services.notice_issue(actor=users.league_admin, notice=notice)
    except ValidationError as exc:  # no LibreOffice on this machine
        pytest.skip(str(exc))
    assert issued.status == NoticeStatus.ISSUED and issued.number_text.endswith("〔2026〕1号")
    assert issued.docx and issued.pdf and issued.xlsx
    client = client_for(users.league_admin)
    assert client.get(f"/reports/notices/{notice.pk}/pdf/").status_code == 200
