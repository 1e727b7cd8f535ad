"""Taking an exam through the services and the API: start and resume, save, hand in (twice),
the server's deadline, answers that are not in the attempt, the key never shown early."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xuebi.exams import services
from xuebi.exams.models import Attempt, AttemptItem, AttemptStatus

from .conftest import CLOSES, make_exam


def keyed(attempt, position):
    """The response that is right for an item (read from the stored key, as a test may)."""
    item = attempt.items.get(position=position)
    answer = item.key["answer"]
    if item.shown["type"] == "fill":
        return [accepted[0] for accepted in answer]
    return answer


def test_a_cadre_starts_saves_and_hands_in_and_the_fixed_paper_is_marked(users, exam):
    attempt, made = services.start(user=users.cadre, exam=exam)
    assert made and attempt.number == 1 and attempt.max_score == Decimal("20")
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=30)
    answers = [(p, keyed(attempt, p)) for p in (1, 2, 3, 4)] + [(5, ["坚持党的全面领导……"])]
    services.save_answers(user=users.cadre, attempt=attempt, answers=answers)
    done = services.submit(user=users.cadre, attempt=attempt)
    assert done.status == AttemptStatus.SUBMITTED
    # 12 points marked at once; the short answer (8) waits for a grader
    assert (done.score, done.ungraded, done.passed) == (Decimal("12"), 1, None)


def test_resuming_gives_the_same_questions_in_the_same_order_and_the_time_left(users, random_exam):
    first, made = services.start(user=users.cadre, exam=random_exam)
    shown = [(i.question_id, i.shown["options"]) for i in first.items.all()]
    with time_machine.travel(first.started_at + dt.timedelta(minutes=10), tick=False):
        again, made_again = services.start(user=users.cadre, exam=random_exam)
        assert (again.pk, made_again) == (first.pk, False)
        assert [(i.question_id, i.shown["options"]) for i in again.items.all()] == shown
        assert again.seconds_left() == 20 * 60


def test_the_random_draw_gives_each_rule_its_count_and_people_different_questions(org, users, random_exam):
    from xuebi.testing.fixtures import make_user

    mine, _ = services.start(user=users.cadre, exam=random_exam)
    types = [i.shown["type"] for i in mine.items.all()]
    assert (
        types.count("single") == 10 and types.count("multiple") == 5 and len(set(i.question_id for i in mine.items.all())) == 15
    )
    drawn = {(i.question.category.name, i.shown["type"]) for i in mine.items.select_related("question__category")}
    assert drawn == {("党史", "single"), ("组织工作", "multiple")}  # each rule's category
    other = make_user("wangfang", "cadre", org.abag, "x", person=org.abag_other)
    draws = set()
    for _ in range(3):  # three people's draws of 10 from 12 (each 1 in 66 to repeat another's)
        theirs, _made = services.start(user=other, exam=random_exam)
        draws.add(frozenset(i.question_id for i in theirs.items.all() if i.shown["type"] == "single"))
        Attempt.objects.filter(pk=theirs.pk).update(status=AttemptStatus.SUBMITTED)
        random_exam.attempts_allowed += 1
    assert len(draws) > 1


def test_a_second_attempt_prefers_questions_not_seen(users, random_exam):
    random_exam.attempts_allowed = 2
    random_exam.save()
    first, _ = services.start(user=users.cadre, exam=random_exam)
    services.submit(user=users.cadre, attempt=first)
    second, _ = services.start(user=users.cadre, exam=random_exam)
    seen = {i.question_id for i in first.items.filter(shown__type="single")}
    fresh = {i.question_id for i in second.items.filter(shown__type="single")}
    # 13 single-choice 党史 questions: the three never seen come first, the rest from those seen once
    assert len(fresh - seen) == 3


def test_the_options_are_shuffled_per_attempt_and_the_key_follows_them(users, exam, bank):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    item = attempt.items.get(position=1)
    assert sorted(item.shown["options"]) == sorted(bank.single.options)
    assert item.shown["options"][item.key["answer"][0]] == "1935年"


def test_the_server_closes_an_attempt_past_its_deadline_with_what_was_saved(users, exam):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    services.save_answers(user=users.cadre, attempt=attempt, answers=[(1, keyed(attempt, 1))])
    with time_machine.travel(attempt.deadline + dt.timedelta(seconds=1), tick=False):
        with pytest.raises(ValidationError, match="答题时间已到"):
            services.save_answers(user=users.cadre, attempt=attempt, answers=[(3, keyed(attempt, 3))])
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT and attempt.score == Decimal("2")
    assert attempt.submitted_at == attempt.deadline


def test_an_attempt_never_runs_past_the_exams_close(org, users, fixed_paper):
    exam = make_exam(org, users, fixed_paper, time_limit=60)
    with time_machine.travel(CLOSES - dt.timedelta(minutes=20), tick=False):
        attempt, _ = services.start(user=users.cadre, exam=exam)
    assert attempt.deadline == CLOSES


def test_a_submit_after_the_deadline_marks_only_what_was_saved_before_it(users, exam):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    with time_machine.travel(attempt.deadline + dt.timedelta(minutes=5), tick=False):
        done = services.submit(user=users.cadre, attempt=attempt, answers=[(1, keyed(attempt, 1))])
    assert done.status == AttemptStatus.TIMED_OUT and done.score == Decimal("0")


def test_handing_in_twice_gives_one_result(users, exam):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    first = services.submit(user=users.cadre, attempt=attempt, answers=[(1, keyed(attempt, 1))])
    second = services.submit(user=users.cadre, attempt=attempt, answers=[(3, keyed(attempt, 3))])
    assert (second.score, second.submitted_at) == (first.score, first.submitted_at) == (Decimal("2"), first.submitted_at)
    assert Attempt.objects.filter(exam=exam).count() == 1


def test_the_database_allows_one_active_attempt_per_person_and_exam(users, exam, org):
    services.start(user=users.cadre, exam=exam)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(exam=exam, person=org.bayi, unit=org.abag_section, user=users.cadre, number=2)


def test_no_more_attempts_than_allowed(users, exam):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    services.submit(user=users.cadre, attempt=attempt)
    with pytest.raises(ValidationError, match="可答 1 次"):
        services.start(user=users.cadre, exam=exam)


@pytest.mark.parametrize(
    "answers, message",
    [
        ([(9, [0])], "第 9 题不在本答卷中"),
        ([(1, [7])], "第 1 题：所选的选项不在本题中"),
        ([(1, [0, 1])], "单选题只能选一个选项"),
        ([(3, ["对"])], "判断题请选择"),
        ([(4, ["a", "b", "c"])], "本题有 2 个空"),
        ([(1, [1]), (2, "x")], "第 2 题"),
    ],
)
def test_a_bad_answer_is_refused_by_name_and_nothing_is_kept(users, exam, answers, message):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    with pytest.raises(ValidationError, match=message):
        services.save_answers(user=users.cadre, attempt=attempt, answers=answers)
    assert not AttemptItem.objects.filter(attempt=attempt, response__isnull=False).exists()


def test_editing_the_bank_changes_no_past_attempt(users, exam, bank):
    attempt, _ = services.start(user=users.cadre, exam=exam)
    services.submit(user=users.cadre, attempt=attempt, answers=[(1, keyed(attempt, 1))])
    bank.single.text, bank.single.answer = "改过的题干", [0]
    bank.single.save()
    item = attempt.items.get(position=1)
    assert item.shown["text"] == "遵义会议召开于哪一年？" and item.score == Decimal("2")


# --- the API -----------------------------------------------------------------------------------


def test_the_api_never_sends_the_key_before_the_attempt_is_done(users, exam, api):
    started = api.post(users.cadre, f"/exams/{exam.pk}/attempts")
    assert started.status_code == 201
    body = started.json()
    text = json.dumps(body, ensure_ascii=False)
    assert '"answer"' not in text and "1935年1月" not in text and "explanation" not in text
    again = api.post(users.cadre, f"/exams/{exam.pk}/attempts")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    detail = api.get(users.cadre, f"/exams/attempts/{body['id']}")
    assert '"answer"' not in json.dumps(detail.json())


def test_the_api_saves_and_hands_in_and_a_retry_is_harmless(users, exam, api):
    pk = api.post(users.cadre, f"/exams/{exam.pk}/attempts").json()["id"]
    attempt = Attempt.objects.get(pk=pk)
    saved = api.put(users.cadre, f"/exams/attempts/{pk}/answers", {"answers": [{"position": 1, "response": keyed(attempt, 1)}]})
    assert saved.status_code == 200 and saved.json()["saved"] == 1
    assert 29 * 60 < saved.json()["seconds_left"] <= 30 * 60
    done = api.post(users.cadre, f"/exams/attempts/{pk}/submit", {"answers": [{"position": 3, "response": [True]}]})
    again = api.post(users.cadre, f"/exams/attempts/{pk}/submit", {})
    assert done.status_code == again.status_code == 200
    assert done.json()["score"] == again.json()["score"] == "4.00"
    late = api.put(users.cadre, f"/exams/attempts/{pk}/answers", {"answers": [{"position": 2, "response": [0]}]})
    assert late.status_code == 422 and "已交卷" in late.json()["detail"][0]["msg"]


def test_the_api_refuses_an_answer_not_in_the_attempt(users, exam, api):
    pk = api.post(users.cadre, f"/exams/{exam.pk}/attempts").json()["id"]
    bad = api.put(users.cadre, f"/exams/attempts/{pk}/answers", {"answers": [{"position": 99, "response": [0]}]})
    assert bad.status_code == 422 and "第 99 题不在本答卷中" in bad.json()["detail"][0]["msg"]


def test_someone_elses_attempt_is_not_found(users, exam, api, org):
    pk = api.post(users.cadre, f"/exams/{exam.pk}/attempts").json()["id"]
    assert api.put(users.abag_admin, f"/exams/attempts/{pk}/answers", {"answers": []}).status_code in (403, 404)


def test_an_exam_not_sent_to_the_person_is_not_found(users, exam, api):
    exam.units.set([])
    assert api.post(users.cadre, f"/exams/{exam.pk}/attempts").status_code == 404


def test_the_review_follows_the_exams_setting(users, exam, api):
    pk = api.post(users.cadre, f"/exams/{exam.pk}/attempts").json()["id"]
    done = api.post(users.cadre, f"/exams/attempts/{pk}/submit", {}).json()
    assert '"answer"' not in json.dumps(done)  # 考试结束后公布
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
        after = api.get(users.cadre, f"/exams/attempts/{pk}").json()
    assert after["items"][0]["explanation"].startswith("1935年1月")


def test_the_api_takes_an_exam_from_its_settings_and_names_what_is_wrong(org, users, fixed_paper, api):
    body = {
        "title": "组织工作业务测试",
        "unit_id": org.league.pk,
        "paper_id": fixed_paper.pk,
        "opens_at": "2026-11-25T09:00",  # no zone: the department's time
        "closes_at": "2026-11-30T18:00:00+08:00",
        "pass_mark": "12",
        "unit_ids": [org.abag.pk],
    }
    made = api.post(users.league_admin, "/exams/manage", body)
    assert made.status_code == 201, made.content
    assert made.json()["opens_at"].startswith("2026-11-25T09:00:00+08:00") and made.json()["max_score"] == "20.0"
    for change, message in [
        ({"opens_at": "0001-01-01T00:00"}, "请填写正确的考试时间"),
        ({"kind": "party"}, "类型不正确"),
        ({"pass_mark": "NaN"}, "pass_mark"),
        ({"unit_ids": [10**8]}, "参考单位中有不存在"),
        ({"time_limit": 0}, "答题时限"),
    ]:
        bad = api.post(users.league_admin, "/exams/manage", {**body, **change})
        assert bad.status_code == 422 and message in json.dumps(bad.json(), ensure_ascii=False), (change, bad.content)
