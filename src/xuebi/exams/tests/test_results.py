"""Results (成绩、试题分析、排行榜、现场考评、导出): the selectors on a small realistic exam, the pages
for each role, the API, the exports opened again with openpyxl.

The exam is the fixed paper (单选 2 分, 多选 4, 判断 2, 填空 4, 简答 8 — full score 20, pass 12),
sent to 阿巴嘎旗 and 锡林浩特市, each attempt with its options shuffled as the paper says."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xuebi.audit.models import AuditEntry
from xuebi.exams import draw, results
from xuebi.exams.grading import grade
from xuebi.exams.models import Attempt, AttemptStatus, Counts, QuestionType, Reveal

from .conftest import CLOSES, OPENS, make_exam


def take(
    exam, person, user, *, right=(1, 2, 3, 4), short=Decimal("8"), submitted=None, minutes=10, unit=None, status=None, order=None
):
    """A finished attempt of ``person``: the positions in ``right`` answered right, the others
    wrong (a choice answered in the question's own indexes, turned into this attempt's shown
    ones), the short answer marked ``short`` (None: not marked yet). Graded by ``grading.grade``.
    ``order`` shows the first question's options in that order (shown index → own index)."""
    submitted = submitted or OPENS + dt.timedelta(minutes=30)
    number = Attempt.objects.filter(exam=exam, person=person).count() + 1
    status = status or AttemptStatus.SUBMITTED
    attempt = Attempt.objects.create(
        exam=exam,
        person=person,
        unit=unit or person.unit,
        user=user,
        number=number,
        status=status,
        started_at=submitted - dt.timedelta(minutes=minutes),
        submitted_at=None if status == AttemptStatus.ACTIVE else submitted,
    )
    items = draw.build_items(exam.paper, person.pk)
    if order is not None:
        first = items[0]
        first.order = list(order)
        first.shown["options"] = [first.question.options[i] for i in order]
        first.key["answer"] = sorted(order.index(i) for i in first.question.answer)
    total, ungraded = Decimal("0"), 0
    for item in items:
        item.attempt = attempt
        qtype = item.shown["type"]
        if qtype == QuestionType.SHORT:
            item.response = ["坚持……"]
            item.score, item.correct = short, None if short is None else short == item.points
            ungraded += short is None
        else:
            item.response = _response(item, right=item.position in right)
            g = grade(qtype, item.key, item.response, item.points, exam.partial)
            item.score, item.correct = g.score, g.correct
        total += item.score or 0
    from xuebi.exams.models import AttemptItem

    AttemptItem.objects.bulk_create(items)
    if status != AttemptStatus.ACTIVE:
        attempt.score, attempt.ungraded = total, ungraded
        attempt.passed = total >= exam.pass_mark
    attempt.max_score = sum(i.points for i in items)
    attempt.save()
    return attempt


def _response(item, *, right: bool):
    """A response in the attempt's shown order: the key, or a wrong one — for a choice the
    question's own option C (or the first wrong one), whatever order it was shown in."""
    qtype, answer = item.shown["type"], item.key["answer"]
    if qtype == QuestionType.TRUE_FALSE:
        return answer if right else [not answer[0]]
    if qtype == QuestionType.FILL:
        return [accepted[0] for accepted in answer] if right else ["不知道"] * len(answer)
    if right:
        return list(answer)
    own_key = {item.order[i] for i in answer}
    own = [2] if qtype == QuestionType.SINGLE else [0, 3]
    if own_key & set(own) == set(own) or (qtype == QuestionType.SINGLE and 2 in own_key):
        own = [next(i for i in range(len(item.order)) if i not in own_key)]
    return sorted(item.order.index(i) for i in own)


@pytest.fixture
def two_units(org, users, fixed_paper):
    """巴依斯古楞 (阿巴嘎旗) twice: 18 at 09:30, then 10 at 10:00; 王芳 (阿巴嘎旗) 10 in 10 min;
    巴图 (锡林浩特市) 10 in 10 min; 李强 (盟委) is not sent the exam."""
    exam = make_exam(org, users, fixed_paper, units=[org.abag, org.xilin])
    first = take(exam, org.bayi, users.cadre, right=(1, 2, 3, 4), short=Decimal("6"), minutes=12)
    second = take(exam, org.bayi, users.cadre, right=(3,), short=Decimal("8"), submitted=OPENS + dt.timedelta(hours=1))
    other = take(exam, org.abag_other, users.league_admin, right=(2, 3), short=Decimal("4"), minutes=10)
    xilin = take(exam, org.xilin_person, users.league_admin, right=(1, 2), short=Decimal("4"), minutes=10)
    return exam, first, second, other, xilin


def test_the_highest_attempt_counts_and_each_person_once(org, users, two_units):
    exam, first, second, other, xilin = two_units
    assert (first.score, second.score, other.score, xilin.score) == (18, 10, 10, 10)
    rows = results.attempt_rows(exam, users.league_admin)
    assert {r["person"]: (r["score"], r["used"]) for r in rows} == {"巴依斯古楞": (18, 2), "王芳": (10, 1), "巴图": (10, 1)}


def test_the_last_attempt_counts_when_the_exam_says_so(org, users, two_units):
    exam = two_units[0]
    exam.counts = Counts.LAST
    exam.save()
    rows = results.attempt_rows(exam, users.league_admin)
    assert {r["person"]: r["score"] for r in rows}["巴依斯古楞"] == 10


def test_unit_rows_for_the_organiser(org, users, two_units):
    exam = two_units[0]
    data = results.unit_rows(exam, users.league_admin)
    by_name = {r["name"]: r for r in data["units"]}
    assert list(by_name) == ["阿巴嘎旗委组织部", "锡林浩特市委组织部"]
    abag, xilin = by_name["阿巴嘎旗委组织部"], by_name["锡林浩特市委组织部"]
    assert (abag["eligible"], abag["took"], abag["participation"]) == (2, 2, 100.0)
    assert abag["average"] == Decimal("14.00") and abag["pass_rate"] == 50.0  # 18 and 10, pass 12
    assert abag["bands"][9] == 1 and abag["bands"][5] == 1  # 18/20 = 90 %, 10/20 = 50 %
    assert (xilin["eligible"], xilin["took"], xilin["average"], xilin["pass_rate"]) == (1, 1, Decimal("10.00"), 0.0)
    assert data["total"]["took"] == 3 and data["total"]["eligible"] == 3
    assert data["total"]["pass_rate"] == pytest.approx(33.3)


def test_a_county_admin_sees_their_subtree_only(org, users, two_units):
    exam = two_units[0]
    data = results.unit_rows(exam, users.abag_admin)
    assert [r["name"] for r in data["units"]] == ["阿巴嘎旗委组织部"]
    assert {r["person"] for r in results.attempt_rows(exam, users.abag_admin)} == {"巴依斯古楞", "王芳"}
    assert [r["person"] for r in results.leaderboard(exam, users.abag_admin)] == ["巴依斯古楞", "王芳"]
    assert results.item_statistics(exam, users.abag_admin)["attempts"] == 2


def test_participation_counts_the_people_who_have_not_taken_it(org, users, fixed_paper):
    exam = make_exam(org, users, fixed_paper, units=[org.abag])
    take(exam, org.bayi, users.cadre)
    abag = results.unit_rows(exam, users.league_admin)["units"][0]
    assert (abag["eligible"], abag["took"], abag["participation"]) == (2, 1, 50.0)


def test_leaderboard_order_and_shared_ranks(org, users, two_units):
    exam = two_units[0]
    board = results.leaderboard(exam, users.league_admin)
    # 18 first; 王芳 and 巴图 both 10 in 10 minutes: rank 2 together
    assert [(r["rank"], r["person"]) for r in board][0] == (1, "巴依斯古楞")
    assert sorted((r["rank"], r["person"]) for r in board[1:]) == [(2, "巴图"), (2, "王芳")]


def test_leaderboard_prefers_the_shorter_time_then_the_earlier_submission(org, users, fixed_paper):
    exam = make_exam(org, users, fixed_paper, units=[org.abag, org.xilin])
    take(exam, org.bayi, users.cadre, minutes=20)
    take(exam, org.abag_other, users.league_admin, minutes=8, submitted=OPENS + dt.timedelta(hours=2))
    take(exam, org.xilin_person, users.league_admin, minutes=8, submitted=OPENS + dt.timedelta(hours=1))
    board = results.leaderboard(exam, users.league_admin)
    assert [(r["rank"], r["person"]) for r in board] == [(1, "巴图"), (1, "王芳"), (3, "巴依斯古楞")]


def test_item_statistics_from_the_counted_attempts(org, users, two_units, django_assert_max_num_queries):
    exam = two_units[0]
    with django_assert_max_num_queries(4):
        data = results.item_statistics(exam, users.league_admin)
    assert data["attempts"] == 3
    rows = {r["number"]: r for r in data["questions"]}
    assert [rows[n]["type"] for n in range(1, 6)] == ["single", "multiple", "truefalse", "fill", "short"]
    # 单选: right for 巴依斯古楞 (counted 18) and 巴图, wrong for 王芳 — 2 of 3
    assert rows[1]["facility"] == pytest.approx(66.7)
    # 王芳 chose 1949年 (own option C) whatever order her options were shown in
    assert rows[1]["wrong_option"] == "C. 1949年（1人）"
    # 多选: everyone right — no spread, no discrimination, no wrong option
    assert rows[2]["facility"] == 100.0 and rows[2]["sd"] == 0.0 and rows[2]["discrimination"] is None
    assert rows[2]["wrong_option"] is None
    assert rows[3]["facility"] == pytest.approx(66.7)  # 判断: 巴图 wrong
    assert data["alpha"] is not None and data["alpha_note"] == ""


def test_shuffled_attempts_aggregate_the_wrong_option_to_the_question(org, users, fixed_paper):
    """Four people shown 遵义会议's options in four orders all chose 1949年 (the question's own C):
    at four different shown places, one option in the statistics."""
    exam = make_exam(org, users, fixed_paper, units=[org.league])
    people = [org.bayi, org.abag_other, org.xilin_person, org.league_person]
    orders = [[0, 1, 2, 3], [2, 0, 3, 1], [1, 3, 0, 2], [3, 2, 1, 0]]
    attempts = [take(exam, p, users.league_admin, right=(2, 3, 4), order=o) for p, o in zip(people, orders)]
    shown = [a.items.get(position=1).response for a in attempts]
    assert shown == [[2], [0], [3], [1]]
    data = results.item_statistics(exam, users.league_admin)
    assert data["questions"][0]["wrong_option"] == "C. 1949年（4人）"
    assert data["questions"][0]["facility"] == 0.0


def test_statistics_queries_do_not_grow_with_attempts(org, users, fixed_paper, django_assert_max_num_queries):
    exam = make_exam(org, users, fixed_paper, units=[org.league])
    for person in [org.bayi, org.abag_other, org.xilin_person, org.league_person]:
        take(exam, person, users.league_admin)
        take(exam, person, users.league_admin, right=(1,))
    with django_assert_max_num_queries(4):
        results.item_statistics(exam, users.league_admin)
    with django_assert_max_num_queries(8):
        results.unit_rows(exam, users.league_admin)


def test_alpha_waits_for_marking_and_is_skipped_for_random_papers(org, users, two_units, random_exam):
    exam = two_units[0]
    exam.units.add(org.league)
    take(exam, org.league_person, users.league_admin, short=None)  # his short answer is not marked yet
    data = results.item_statistics(exam, users.league_admin)
    assert data["alpha"] is None and "未阅完" in data["alpha_note"]
    drawn = [take(random_exam, p, users.league_admin) for p in (org.bayi, org.abag_other, org.xilin_person)]
    random_exam.units.add(org.xilin)
    random_data = results.item_statistics(random_exam, users.league_admin)
    different = len({frozenset(a.items.values_list("question_id", flat=True)) for a in drawn}) > 1
    if different:  # 10 of 12 and 5 of 6 drawn per person: nearly always
        assert random_data["alpha"] is None and "随机抽题" in random_data["alpha_note"]
    else:
        assert random_data["alpha_note"] == ""


def test_live_figures(org, users, fixed_paper):
    exam = make_exam(org, users, fixed_paper, units=[org.abag, org.xilin], kind="onsite")
    take(exam, org.bayi, users.cadre, submitted=OPENS + dt.timedelta(minutes=20))
    take(exam, org.abag_other, users.league_admin, status=AttemptStatus.ACTIVE)
    live = results.live_figures(exam, users.league_admin)
    assert (live["eligible"], live["submitted"], live["answering"], live["not_started"]) == (3, 1, 1, 1)
    assert [(r["person"], r["time"]) for r in live["latest"]] == [("巴依斯古楞", "09:20:00")]
    assert results.live_figures(exam, users.abag_admin)["not_started"] == 0  # 巴图 is 锡林浩特市's


# --- pages ----------------------------------------------------------------------------------------


def test_results_page_for_the_organiser(org, users, two_units, client_for):
    exam, first = two_units[0], two_units[1]
    response = client_for(users.league_admin).get(reverse("exams:results", args=[exam.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "阿巴嘎旗委组织部" in body and "锡林浩特市委组织部" in body
    assert reverse("exams:attempt_review", args=[first.pk]) in body
    assert 'id="xb-exam-data"' in body and "exams/results.js" in body


def test_results_page_queries_do_not_grow(org, users, fixed_paper, client_for, django_assert_max_num_queries):
    exam = make_exam(org, users, fixed_paper, units=[org.league])
    client = client_for(users.league_admin)
    take(exam, org.bayi, users.cadre)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("exams:results", args=[exam.pk]))
    for person in [org.abag_other, org.xilin_person, org.league_person]:
        take(exam, person, users.league_admin)
        take(exam, person, users.league_admin, right=(1,))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("exams:results", args=[exam.pk]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("exams:leaderboard", args=[exam.pk]))


def test_statistics_page_explains_alpha(org, users, two_units, client_for):
    exam = two_units[0]
    body = client_for(users.league_admin).get(reverse("exams:statistics", args=[exam.pk])).content.decode()
    assert "0.7 以上" in body and "C. 1949年（1人）" in body and "遵义会议召开于哪一年" in body


def test_review_page_shows_the_response_the_key_and_the_score(org, users, two_units, client_for):
    second = two_units[2]
    body = client_for(users.abag_admin).get(reverse("exams:attempt_review", args=[second.pk])).content.decode()
    assert "作答：" in body and "答案：" in body and "1935年" in body
    assert "巴依斯古楞" in body


def test_no_review_of_an_attempt_still_being_answered(org, users, exam, client_for):
    active = take(exam, org.bayi, users.cadre, status=AttemptStatus.ACTIVE)
    response = client_for(users.league_admin).get(reverse("exams:attempt_review", args=[active.pk]))
    assert response.status_code == 403 and "还未交卷" in response.content.decode()


def test_a_cadre_sees_the_leaderboard_after_the_exam_closes(org, users, two_units, client_for):
    exam = two_units[0]
    client = client_for(users.cadre)
    assert client.get(reverse("exams:leaderboard", args=[exam.pk])).status_code == 404
    assert client.get(reverse("exams:results", args=[exam.pk])).status_code == 403
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
        response = client_for(users.cadre).get(reverse("exams:leaderboard", args=[exam.pk]))
    assert response.status_code == 200, response.content.decode()[-3000:]
    body = response.content.decode()
    assert "巴图" in body and "锡林浩特市委组织部" in body and "table-primary" in body
    assert "查看答卷" not in body


def test_live_page_and_its_data(org, users, fixed_paper, client_for):
    exam = make_exam(org, users, fixed_paper, kind="onsite", room="二楼会议室")
    take(exam, org.bayi, users.cadre, submitted=OPENS + dt.timedelta(minutes=20))
    client = client_for(users.abag_admin)
    page = client.get(reverse("exams:live", args=[exam.pk])).content.decode()
    assert "exams/live.js" in page and "二楼会议室" in page and "巴依斯古楞" in page
    data = client.get(reverse("exams:live_json", args=[exam.pk])).json()
    assert data["submitted"] == 1 and data["not_started"] == 1 and data["latest"][0]["person"] == "巴依斯古楞"


# --- exports --------------------------------------------------------------------------------------


def test_results_export(org, users, two_units, client_for):
    exam = two_units[0]
    org.abag_other.name = '=HYPERLINK("http://x","y")'
    org.abag_other.save()
    response = client_for(users.league_admin).get(reverse("exams:results_export", args=[exam.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    units = [[c.value for c in row] for row in wb["各单位"].iter_rows(min_row=4)]
    assert units[0][:6] == ["阿巴嘎旗委组织部", 2, 2, 100, 14, 50]
    assert units[-1][0] == "合计" and units[-1][2] == 3
    people = {row[0].value: row for row in wb["成绩"].iter_rows(min_row=4)}
    assert people["巴依斯古楞"][2].value == 18 and people["巴依斯古楞"][6].value == 2
    bad = people['=HYPERLINK("http://x","y")'][0]
    assert bad.data_type == "s" and bad.quotePrefix
    entry = AuditEntry.objects.get(action="exams.results.export")
    assert entry.target_id == str(exam.pk) or int(entry.target_id) == exam.pk


def test_statistics_export(org, users, two_units, client_for):
    exam = two_units[0]
    response = client_for(users.league_admin).get(reverse("exams:statistics_export", args=[exam.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in row] for row in wb["试题分析"].iter_rows(min_row=4)]
    assert rows[0][:6] == [1, "遵义会议召开于哪一年？", "单选题", 2, 3, 66.7]
    assert rows[0][9] == "C. 1949年（1人）"
    assert AuditEntry.objects.filter(action="exams.results.export").count() == 1


# --- API ------------------------------------------------------------------------------------------


def test_api_results_and_statistics(org, users, two_units, api):
    exam = two_units[0]
    body = api.get(users.abag_admin, f"/exams/{exam.pk}/results").json()
    assert [u["name"] for u in body["units"]] == ["阿巴嘎旗委组织部"]
    assert {a["person"] for a in body["attempts"]} == {"巴依斯古楞", "王芳"}
    stats = api.get(users.league_admin, f"/exams/{exam.pk}/statistics").json()
    assert stats["attempts"] == 3 and stats["questions"][0]["facility"] == pytest.approx(66.7)
    refused = api.get(users.cadre, f"/exams/{exam.pk}/results")
    assert refused.status_code == 403 and "管理员" in refused.json()["detail"]
    assert api.get(users.xilin_admin, f"/exams/{exam.pk + 1000}/results").status_code == 404


def test_api_leaderboard_and_live(org, users, two_units, api):
    exam = two_units[0]
    assert api.get(users.cadre, f"/exams/{exam.pk}/leaderboard").status_code == 404
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
        board = api.get(users.cadre, f"/exams/{exam.pk}/leaderboard").json()
    assert [r["rank"] for r in board] == [1, 2, 2]
    live = api.get(users.league_admin, f"/exams/{exam.pk}/live").json()
    assert live["submitted"] == 3 and len(live["latest"]) == 4


def test_api_review_for_the_taker_follows_the_reveal_setting(org, users, fixed_paper, api):
    exam = make_exam(org, users, fixed_paper, reveal=Reveal.AFTER_CLOSE)
    done = take(exam, org.bayi, users.cadre)
    refused = api.get(users.cadre, f"/exams/attempts/{done.pk}/review")
    assert refused.status_code == 403 and refused.json()["detail"] == "本场考试的答案和解析尚未公布。"
    admin = api.get(users.abag_admin, f"/exams/attempts/{done.pk}/review").json()
    assert admin["items"][0]["answer"] is not None and admin["score"] == "20.00"
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
        mine = api.get(users.cadre, f"/exams/attempts/{done.pk}/review")
    assert mine.status_code == 200 and mine.json()["items"][4]["reference"] == "全面贯彻……"
    assert api.get(users.xilin_admin, f"/exams/attempts/{done.pk}/review").status_code == 404


def test_api_never_gives_the_key_of_an_active_attempt(org, users, fixed_paper, api):
    exam = make_exam(org, users, fixed_paper, reveal=Reveal.AFTER_SUBMIT)
    active = take(exam, org.bayi, users.cadre, status=AttemptStatus.ACTIVE)
    for user in (users.cadre, users.league_admin):
        response = api.get(user, f"/exams/attempts/{active.pk}/review")
        assert response.status_code == 403 and "还未交卷" in response.json()["detail"]
