"""The taker's and the organiser's pages, through the test client: what each shows and does,
the plain (no script) answer sheet, refusals on the page, bounded queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine

from xuebi.exams import services
from xuebi.exams.models import Attempt, AttemptStatus, Exam, ExamStatus

from .conftest import CLOSES, OPENS, make_exam


def test_my_exams_lists_the_exam_and_starting_it_opens_the_sheet(users, exam, client_for):
    client = client_for(users.cadre)
    page = client.get("/exams/")
    assert "党史知识竞答" in page.content.decode()
    detail = client.get(f"/exams/{exam.pk}/").content.decode()
    assert "开始答题" in detail and "30 分钟" in detail
    started = client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam)
    assert started.status_code == 302 and started.url == f"/exams/attempts/{attempt.pk}/"
    sheet = client.get(started.url).content.decode()
    assert "遵义会议召开于哪一年？" in sheet
    assert 1790 <= int(re.search(r'data-seconds-left="(\d+)"', sheet).group(1)) <= 1800
    # the key and the explanation are not on the page
    assert "1935年1月" not in sheet and "全面贯彻" not in sheet
    assert "继续答题" in client.get(f"/exams/{exam.pk}/").content.decode()


def test_the_plain_sheet_saves_and_hands_in(users, exam, client_for):
    client = client_for(users.cadre)
    client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam)
    right = attempt.items.get(position=1).key["answer"][0]
    saved = client.post(f"/exams/attempts/{attempt.pk}/save/", {"q1": str(right), "q3": "true", "action": "save"}, follow=True)
    assert "已保存" in saved.content.decode()
    assert attempt.items.get(position=3).response == [True]
    done = client.post(f"/exams/attempts/{attempt.pk}/save/", {"q4": ["1921年", "上海"], "action": "submit"}, follow=True)
    body = done.content.decode()
    assert "已交卷" in body and ">8<" in body.replace(" ", "")  # 2 + 2 + 4 of what was kept
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == Decimal("8")


def test_coming_back_after_the_time_shows_the_result_closed_by_the_server(users, exam, client_for):
    client = client_for(users.cadre)
    client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam)
    with time_machine.travel(attempt.deadline + dt.timedelta(minutes=1), tick=False):
        client.logout()  # the idle limit has passed too: signed in again
        client = client_for(users.cadre)
        page = client.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    assert "系统已按已保存的答案收卷" in page and "超时收卷" in page


def test_starting_before_the_exam_opens_says_when(org, users, fixed_paper, client_for):
    later = make_exam(org, users, fixed_paper, opens_at=OPENS + dt.timedelta(days=1), closes_at=CLOSES + dt.timedelta(days=1))
    page = client_for(users.cadre).post(f"/exams/{later.pk}/start/", follow=True).content.decode()
    assert "考试尚未开始，开始时间：2026-11-26 09:00" in page


def test_another_persons_attempt_is_not_found(users, exam, client_for, org):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    from xuebi.testing.fixtures import make_user

    other = make_user("wf", "cadre", org.abag, "x", person=org.abag_other)
    assert client_for(other).get(f"/exams/attempts/{attempt.pk}/").status_code == 404


def test_the_organiser_creates_publishes_and_follows_an_exam(org, users, fixed_paper, client_for):
    client = client_for(users.league_admin)
    form = client.get("/exams/manage/new/")
    assert form.status_code == 200
    made = client.post(
        "/exams/manage/new/",
        {
            "title": "组织工作业务测试",
            "kind": "test",
            "unit": org.league.pk,
            "paper": fixed_paper.pk,
            "opens_at": "2026-11-25T09:00",
            "closes_at": "2026-11-30T18:00",
            "time_limit": "45",
            "attempts_allowed": "1",
            "counts": "highest",
            "pass_mark": "12",
            "partial": "proportional",
            "reveal": "after_submit",
            "layout": "all",
            "units": [org.abag.pk],
            "people_text": "巴图",
        },
    )
    exam = Exam.objects.get(title="组织工作业务测试")
    assert made.status_code == 302 and made.url == f"/exams/manage/{exam.pk}/"
    assert list(exam.people.all()) == [org.xilin_person] and exam.status == ExamStatus.DRAFT
    client.post(f"/exams/manage/{exam.pk}/publish/")
    exam.refresh_from_db()
    assert exam.status == ExamStatus.PUBLISHED
    page = client.get(f"/exams/manage/{exam.pk}/").content.decode()
    assert "巴图（锡林浩特市委组织部的组织股）" in page or "巴图（组织股）" in page
    assert "组织工作业务测试" in client.get("/exams/manage/").content.decode()


def test_the_exam_form_names_what_is_wrong(org, users, fixed_paper, client_for):
    client = client_for(users.league_admin)
    page = client.post(
        "/exams/manage/new/",
        {
            "title": "测试",
            "kind": "quiz",
            "unit": org.league.pk,
            "paper": fixed_paper.pk,
            "opens_at": "2026-11-25T09:00",
            "closes_at": "不是时间",
            "attempts_allowed": "1",
            "counts": "highest",
            "pass_mark": "12",
            "partial": "none",
            "reveal": "never",
            "layout": "one",
            "people_text": "查无此人",
        },
    ).content.decode()
    assert "请填写正确的结束时间" in page and "“查无此人”：没有找到此人" in page
    assert not Exam.objects.filter(title="测试").exists()


def test_the_grading_page_marks_a_short_answer(users, exam, client_for):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    services.submit(user=users.cadre, attempt=attempt, answers=[(5, ["坚持……"])])
    client = client_for(users.league_admin)
    page = client.get(f"/exams/manage/{exam.pk}/grading/").content.decode()
    assert "坚持……" in page and "巴依斯古楞" in page
    item = attempt.items.get(position=5)
    client.post(f"/exams/manage/grading/{item.pk}/", {f"i{item.pk}-score": "6", f"i{item.pk}-comment": "要点基本齐全"})
    attempt.refresh_from_db()
    assert (attempt.score, attempt.ungraded) == (Decimal("6.00"), 0)
    assert "没有待评分的答卷" in client.get(f"/exams/manage/{exam.pk}/grading/").content.decode()


def test_a_county_admin_does_not_change_a_league_exam(users, exam, client_for):
    client = client_for(users.abag_admin)
    assert client.get(f"/exams/manage/{exam.pk}/").status_code == 200  # sent to their county: they follow it
    assert client.get(f"/exams/manage/{exam.pk}/edit/").status_code == 404
    assert client.post(f"/exams/manage/{exam.pk}/publish/").status_code == 404


def test_practice_and_the_mistake_book_pages(users, bank, client_for):
    client = client_for(users.cadre)
    assert "党史知识题库" in client.get("/exams/practice/").content.decode()
    started = client.post("/exams/practice/", {"bank": bank.bank.pk, "count": "3"})
    attempt = Attempt.objects.get(exam__isnull=True)
    assert started.url == f"/exams/practice/{attempt.pk}/"
    item = attempt.items.get(position=1)
    if item.shown["type"] == "truefalse":
        wrong = "false" if item.key["answer"] == [True] else "true"
    elif item.shown["type"] == "fill":
        wrong = "不知道"
    else:  # a choice: the first option that is not (all of) the key
        wrong = str(next(i for i in range(len(item.shown["options"])) if [i] != item.key["answer"]))
    client.post(f"/exams/practice/{attempt.pk}/", {"position": "1", "q1": wrong})
    page = client.get(f"/exams/practice/{attempt.pk}/").content.decode()
    assert "回答错误" in page and "正确答案" in page
    assert "答错 1 次" in client.get("/exams/mistakes/").content.decode()


def test_my_exams_reads_in_a_bounded_number_of_queries(org, users, fixed_paper, client_for, django_assert_max_num_queries):
    for i in range(8):
        make_exam(org, users, fixed_paper, title=f"测试{i}")
    client = client_for(users.cadre)
    client.get("/exams/")
    with django_assert_max_num_queries(12):
        assert client.get("/exams/").status_code == 200


def test_answers_saved_from_the_sheet_keep_the_session_alive_through_a_long_exam(org, users, fixed_paper, client_for):
    exam = make_exam(org, users, fixed_paper, title="长时间考试", time_limit=90)
    client = client_for(users.cadre)
    client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam)
    start = attempt.started_at
    for minutes in (25, 50, 75):  # an answer every 25 minutes, no page loaded meanwhile
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            saved = client.put(
                f"/api/v1/exams/attempts/{attempt.pk}/answers",
                {"answers": [{"position": 3, "response": [True]}]},
                content_type="application/json",
            )
            assert saved.status_code == 200, saved.content
    with time_machine.travel(start + dt.timedelta(minutes=80), tick=False):
        assert client.get(f"/exams/attempts/{attempt.pk}/").status_code == 200


def test_an_onsite_exam_is_opened_in_the_room_now_for_its_minutes(org, users, fixed_paper, client_for):
    onsite = make_exam(
        org, users, fixed_paper, title="现场考评", kind="onsite", room="三楼会议室", status=ExamStatus.DRAFT,
        opens_at=OPENS + dt.timedelta(days=3), closes_at=CLOSES + dt.timedelta(days=3),
    )  # fmt: skip
    client = client_for(users.league_admin)
    assert "现场开考" in client.get(f"/exams/manage/{onsite.pk}/").content.decode()
    bad = client.post(f"/exams/manage/{onsite.pk}/open-now/", {"minutes": "2"}, follow=True).content.decode()
    assert "考试时长应在 5 到 600 分钟之间" in bad
    client.post(f"/exams/manage/{onsite.pk}/open-now/", {"minutes": "45"})
    onsite.refresh_from_db()
    assert onsite.status == ExamStatus.PUBLISHED and onsite.is_open()
    assert onsite.closes_at - onsite.opens_at == dt.timedelta(minutes=45)
    started = client_for(users.cadre).post(f"/exams/{onsite.pk}/start/")
    assert started.status_code == 302 and Attempt.objects.filter(exam=onsite).exists()


def test_the_home_page_lists_an_open_exam_until_it_is_handed_in(users, exam, client_for):
    client = client_for(users.cadre)
    assert "党史知识竞答" in client.get("/").content.decode()
    attempt, _ = services.start(user=users.cadre, exam=exam)
    assert "党史知识竞答" in client.get("/").content.decode()  # started, not handed in
    services.submit(user=users.cadre, attempt=attempt)
    assert "党史知识竞答" not in client.get("/").content.decode()
