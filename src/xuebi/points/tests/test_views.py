"""我的积分, the leaderboards and manual adjustments, as the people who use them see them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import caches as django_caches

from xuebi.audit.models import Action, AuditEntry
from xuebi.campaign.models import Rule
from xuebi.ledger.services import records as services
from xuebi.org.services.people import person_update
from xuebi.points import boards, standings
from xuebi.points.models import PointEntry
from xuebi.testing.helpers import DAY, add_person, give, self_study


def test_my_points_page_shows_totals_rank_and_why_a_cap_cut_an_entry(users, kinds, org, theory, client_for):
    for content in ("一", "二", "三"):
        services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds, content=content))
    page = client_for(users.cadre).get("/points/").content.decode()
    assert 'data-testid="points-total">2<' in page
    assert "已达每日上限2分" in page and "（规则分值 1）" in page
    assert 'data-testid="rank-league">1<' in page
    record = PointEntry.objects.first().source_id
    assert f'href="/ledger/{record}/"' in page


def test_half_points_read_the_same_on_my_points_and_on_the_board(users, org, theory, client_for):
    give(org, org.bayi, Decimal("1.5"), 1)
    mine = client_for(users.cadre).get("/points/").content.decode()
    assert 'data-testid="points-total">1.5<' in mine and ">+1.5<" in mine and "1.5 / 30" in mine
    board = client_for(users.cadre).get("/points/board/").content.decode()
    assert '<td class="text-end">1.5</td>' in board
    assert "1.50" not in mine + board


def people(campaign, paths=None, kind="campaign", today=DAY, **span):
    standings.ensure_snapshot(campaign, today)  # the month-end task has run (a board never builds a snapshot)
    board = boards.Board(campaign, boards.span_for(campaign, kind, today=today, **span))
    return boards.people_board(board, paths, today=today)


def units(campaign, kind="campaign", today=DAY, per_head=False, parent=None, **span):
    standings.ensure_snapshot(campaign, today)
    board = boards.Board(campaign, boards.span_for(campaign, kind, today=today, **span))
    return boards.unit_board(board, per_head=per_head, parent=parent, today=today)


def test_ties_share_a_rank_and_the_next_rank_skips(users, org, theory, campaign):
    third = add_person(org.abag_section, "张三", 51)
    fourth = add_person(org.abag_section, "李四", 53)
    for number, (person, points) in enumerate([(org.bayi, 5), (org.abag_other, 3), (third, 3), (fourth, 1)]):
        give(org, person, points, number)
    board = [(row["name"], row["rank"]) for row in people(campaign, [org.abag.path]).rows]
    assert board == [("巴依斯古楞", 1), ("王芳", 2), ("张三", 2), ("李四", 4)]
    assert boards.person_rank(campaign, third, None) == (2, Decimal(3))  # only 巴依斯古楞 has more than 3
    assert boards.person_rank(campaign, fourth, None) == (4, Decimal(1))


def test_units_rank_by_total_and_per_head(users, org, theory, campaign):
    # 阿巴嘎: 2 people earn 6; 锡林浩特: 1 person earns 4 — the total favours 阿巴嘎, per head 锡林浩特
    give(org, org.bayi, 3, 1)
    give(org, org.abag_other, 3, 2)
    give(org, org.xilin_person, 4, 3)
    by_total = [(r["unit"].name, r["rank"], r["total"]) for r in units(campaign).rows]
    assert by_total[:2] == [("阿巴嘎旗委组织部", 1, Decimal(6)), ("锡林浩特市委组织部", 2, Decimal(4))]
    per_head = [(r["unit"].name, r["rank"], r["average"]) for r in units(campaign, per_head=True).rows]
    assert per_head[:2] == [("锡林浩特市委组织部", 1, Decimal(4)), ("阿巴嘎旗委组织部", 2, Decimal(3))]


def test_per_head_averages_are_not_cut_to_whole_numbers(users, org, theory, campaign):
    give(org, org.bayi, 3, 1)  # 阿巴嘎: 3 points, 2 people: 1.5 each
    give(org, org.xilin_person, 1, 2)  # 锡林浩特: 1 point, 1 person
    per_head = [(r["unit"].name, r["rank"], r["average"]) for r in units(campaign, per_head=True).rows]
    assert per_head[:2] == [("阿巴嘎旗委组织部", 1, Decimal("1.5")), ("锡林浩特市委组织部", 2, Decimal(1))]


def test_points_stay_with_the_unit_they_were_earned_in(users, org, theory, campaign):
    give(org, org.bayi, 5, 1)
    person_update(actor=users.league_admin, person=org.bayi, values={"unit": org.xilin_section})  # moves to 锡林浩特
    totals = {r["unit"].name: r["total"] for r in units(campaign).rows}
    assert totals["阿巴嘎旗委组织部"] == Decimal(5) and totals["锡林浩特市委组织部"] == 0
    assert [r["name"] for r in people(campaign, [org.xilin.path]).rows] == ["巴依斯古楞"]  # people: where they are now
    assert people(campaign, [org.abag.path]).rows == []
    assert boards.person_rank(campaign, org.bayi, [org.xilin.path]) == (1, Decimal(5))
    assert standings.stored_rows(campaign) == standings.expected_rows(campaign)  # the rank counts moved too


def test_an_adjustment_needs_a_reason_a_scope_and_is_audited(users, org, theory, client_for):
    give(org, org.bayi, 3, 1)
    admin = client_for(users.abag_admin)
    form = {"person": org.bayi.pk, "indicator": theory.pk, "points": "-2", "occurred_on": "2026-11-20", "reason": ""}
    response = admin.post("/points/adjust/", form)
    adjustments = PointEntry.objects.filter(entry_type="adjustment")
    assert "这个字段是必填项" in response.content.decode() and not adjustments.exists()
    response = admin.post("/points/adjust/", {**form, "person": org.xilin_person.pk, "reason": "迟交"})
    assert "选择一个有效的选项" in response.content.decode() and not adjustments.exists()
    admin.post("/points/adjust/", {**form, "reason": "未按时报送学习台账", "confirm": "1"})
    entry = adjustments.get()
    assert (entry.entry_type, entry.points, entry.note) == ("adjustment", Decimal(-2), "未按时报送学习台账")
    assert AuditEntry.objects.filter(action=Action.POINTS_ADJUST, actor=users.abag_admin).exists()
    assert "未按时报送学习台账" in client_for(users.cadre).get("/points/").content.decode()
    assert client_for(users.cadre).get("/points/adjust/").status_code == 403
    assert client_for(users.abag_reviewer).get("/points/adjust/").status_code == 403


@pytest.mark.parametrize(
    "who, mine, board",
    [
        ("cadre", 200, 200),
        ("abag_reviewer", 200, 200),
        ("league_admin", 200, 200),
        ("judge", 403, 403),
        ("sysadmin", 403, 403),
        ("auditor", 403, 403),
        ("nobody", 403, 403),
    ],
)
def test_points_pages_matrix(users, theory, client_for, who, mine, board):
    client = client_for(getattr(users, who))
    assert client.get("/points/").status_code == mine
    assert client.get("/points/board/").status_code == board
    assert client.get("/points/board/?board=units&per_head=1").status_code == board


def test_a_cadre_sees_their_county_on_the_board_and_not_another(users, org, theory, client_for):
    give(org, org.abag_other, 2, 1)
    give(org, org.xilin_person, 9, 2)
    page = client_for(users.cadre).get("/points/board/").content.decode()
    assert "王芳" in page and "巴图" not in page
    assert "巴图" in client_for(users.league_admin).get("/points/board/").content.decode()


def test_recompute_computes_only_when_asked_biggest_change_first_with_units(
    users, org, theory, campaign, client_for, django_assert_max_num_queries
):
    for number, (person, points) in enumerate([(org.bayi, 1), (org.abag_other, 1), (org.xilin_person, 1)]):
        give(org, person, points, number)
    give(org, org.bayi, 1, 10)
    # these test awards have no registered source: a recompute takes them back (巴依斯古楞 −2, the others −1)
    client = client_for(users.league_admin)
    with django_assert_max_num_queries(12):  # a visit reads, it does not recompute
        page = client.get("/points/recompute/").content.decode()
    assert "预览变化" in page and "巴依斯古楞" not in page
    assert PointEntry.objects.count() == 4
    page = client.post("/points/recompute/", {"preview": ""}, follow=True).content.decode()
    table = page[page.index('data-testid="recompute-preview"') :]
    assert table.index("巴依斯古楞") < table.index("巴图") < table.index("王芳")  # −2 first, then the −1s by name
    assert "锡林浩特市委组织部 · 组织股" in table and ">-2<" in table
    assert PointEntry.objects.count() == 4  # the preview wrote nothing


def test_my_points_nets_a_recomputed_record_into_one_row_with_the_detail_a_tap_away(
    users, kinds, org, theory, client_for, django_assert_max_num_queries
):
    from xuebi.points import recompute
    from xuebi.points import services as points

    record = self_study(users.cadre, kinds, content="一")
    services.record_approve(actor=users.abag_reviewer, record=record)
    points.points_adjust(
        actor=users.abag_admin, person=org.bayi, indicator=theory, points=Decimal(2), reason="理论征文获奖", occurred_on=DAY
    )
    Rule.objects.filter(source_kind="self_study").update(points=Decimal(3))  # as if edited in place
    recompute.apply(actor=users.league_admin, campaign=theory.campaign)
    client = client_for(users.cadre)
    with django_assert_max_num_queries(25):
        page = client.get("/points/").content.decode()
    rows = page.count('data-testid="journal-net"')
    assert rows == 2  # the record (得分 1, 冲销 −1, 得分 2 → +2) and the adjustment
    assert ">+2<" in page and "3条明细" in page and "理论征文获奖" in page
    assert f'href="/ledger/{record.pk}/"' in page and 'href="/points/?view=detail"' in page
    detail = client.get("/points/?view=detail").content.decode()
    assert detail.count("冲销") >= 1 and detail.count(f'href="/ledger/{record.pk}/"') == 3


def test_the_boards_export_as_xlsx_with_a_title_and_print_as_a4(users, org, theory, campaign, client_for, today):
    import io

    from openpyxl import load_workbook

    for number, (person, points) in enumerate([(org.bayi, 5), (org.abag_other, 3), (org.xilin_person, 4)]):
        give(org, person, points, number)
    client = client_for(users.abag_admin)
    page = client.get("/points/board/?period=campaign&category=total").content.decode()
    assert 'href="/points/board/export.xlsx?period=campaign&amp;category=total"' in page and "data-print" in page
    assert "print.css" in page and "xb-print-only" in page
    response = client.get("/points/board/export.xlsx?period=campaign&category=total")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2026年双学双比·阿巴嘎旗委组织部个人排行榜"
    assert "活动期间 · 总分" in rows[1][0] and f"制表日期：{today.year}年{today.month}月{today.day}日" in rows[1][0]
    assert rows[2] == ("名次", "升降", "姓名", "单位", "积分")
    assert [r[2] for r in rows[3:]] == ["巴依斯古楞", "王芳"]  # 阿巴嘎's people only
    assert sheet.print_title_rows == "$1:$3" and int(sheet.page_setup.paperSize) == 9  # A4
    units = load_workbook(io.BytesIO(client.get("/points/board/export.xlsx?board=units").content)).active
    names = [r[2] for r in units.iter_rows(min_row=4, values_only=True)]
    assert names[:2] == ["阿巴嘎旗委组织部", "锡林浩特市委组织部"]
    assert client_for(users.auditor).get("/points/board/export.xlsx").status_code == 403


def test_a_large_recompute_preview_runs_in_the_background_with_its_progress_shown(
    users, org, kinds, theory, campaign, client_for, settings
):
    from xuebi.jobs import services as jobs
    from xuebi.jobs.models import Job
    from xuebi.points import recompute

    settings.XUEBI_RECOMPUTE_INLINE = 1  # two records are "large" here
    for content in ("一", "二"):
        services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds, content=content))
    Rule.objects.filter(source_kind="self_study").update(points=Decimal(3), cap_day=None)  # edited in place: 2 → 6
    client = client_for(users.league_admin)
    page = client.post("/points/recompute/", {"preview": ""}, follow=True).content.decode()
    job = Job.objects.get()
    assert job.status == "waiting" and job.total == 2  # started when the request's transaction commits
    assert 'data-testid="recompute-progress"' in page and "逐条重新计算 2 条记录" in page and 'hx-trigger="every 1s"' in page
    django_caches["progress"].set(jobs.progress_key(job.pk), (1, 2))  # as the running preview reports it
    assert "已计算 1 / 2 条记录" in client.get("/points/recompute/", HTTP_HX_REQUEST="true").content.decode()
    django_caches["progress"].clear()
    calls = []
    recompute.preview(actor=users.league_admin, campaign=campaign, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 2), (2, 2)]  # after the reversals, then every PROGRESS_EVERY awards and at the end
    recompute.run_preview(job.pk)  # what the background task runs
    fragment = client.get("/points/recompute/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "<html" not in fragment  # done: the polling stops
    assert 'data-testid="recompute-preview"' in fragment and ">+4<" in fragment and "巴依斯古楞" in fragment
    assert PointEntry.objects.filter(entry_type="reversal").count() == 0  # a preview writes nothing
    response = client.post("/points/recompute/", {"apply": ""})  # a large campaign: applied by a job
    applying = Job.objects.get(kind=recompute.APPLY)
    assert response["Location"] == f"/jobs/{applying.pk}/" and applying.status == "waiting"
    jobs.run(applying.pk)  # what the worker does
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="job-summary"' in page and "已重算：1人积分变化" in page and ">+4<" in page
    assert "预览变化" in client.get("/points/recompute/").content.decode()  # applied: a new preview is needed


def test_previews_left_waiting_are_run_by_the_jobs_runner(users, kinds, theory, campaign, settings):
    from xuebi.points import recompute

    settings.XUEBI_RECOMPUTE_INLINE = 0
    services.record_approve(actor=users.abag_reviewer, record=self_study(users.cadre, kinds))
    job = recompute.preview_start(actor=users.league_admin, campaign=campaign)
    assert job.status == "waiting"
    recompute.run_preview(job.pk)  # what the worker's task runs (a worker restart: jobs/tests/test_jobs.py)
    job.refresh_from_db()
    assert job.status == "done" and job.result == [] and job.finished_at is not None
