"""What follows a finished attempt: the points of the counted attempt (a task, reversal + new award
when it changes), marking short answers, the regrade after a fixed key, withdrawal, the 错题本."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuebi.audit.models import AuditEntry
from xuebi.campaign.models import Indicator
from xuebi.exams import services, tasks
from xuebi.exams.models import Attempt, Mistake
from xuebi.jobs.tests.helpers import queued
from xuebi.points.models import PointEntry
from xuebi.testing.fixtures import make_user

from .conftest import OPENS, CLOSES
from .test_taking import keyed


@pytest.fixture
def scored_exam(org, users, fixed_paper, campaign):
    """The fixed paper (20 points: 12 marked at once, 8 for the short answer) for 3 points at 满分
    and 1 at 及格 (12) on 理论学习."""
    indicator = Indicator.objects.create(campaign=campaign, dimension="theory", name="理论学习", max_points=Decimal(30))
    return services.exam_save(
        actor=users.league_admin,
        data=services.ExamData(
            title="党史知识竞答",
            unit=org.league,
            paper=fixed_paper,
            opens_at=OPENS,
            closes_at=CLOSES,
            time_limit=30,
            attempts_allowed=2,
            pass_mark=Decimal("12"),
            units=[org.abag],
            campaign=campaign,
            indicator=indicator,
            full_points=Decimal("3"),
            pass_points=Decimal("1"),
        ),
    )


def publish(users, exam):
    services.exam_publish(actor=users.league_admin, exam=exam)
    exam.refresh_from_db()
    return exam


def take(user, exam, positions, short=None):
    attempt, _ = services.start(user=user, exam=exam)
    answers = [(p, keyed(attempt, p)) for p in positions]
    if short:
        answers.append((5, [short]))
    return services.submit(user=user, attempt=attempt, answers=answers)


def points_of(person):
    return sorted((e.entry_type, e.points) for e in PointEntry.objects.filter(source_type="exam", person=person))


def test_a_submission_enqueues_the_points_and_the_task_gives_them_once(
    users, org, scored_exam, django_capture_on_commit_callbacks
):
    publish(users, scored_exam)
    before = queued()
    with django_capture_on_commit_callbacks(execute=True):
        take(users.cadre, scored_exam, [1, 2, 3, 4], short="")
    assert queued() >= before + 1  # marked in the request; the points wait for the worker
    assert points_of(org.bayi) == []
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    tasks.follow_result(scored_exam.pk, org.bayi.pk)  # a task run twice
    assert points_of(org.bayi) == [("award", Decimal("1.00"))]  # 12 of 20: 及格


def test_a_better_second_attempt_replaces_the_points_by_reversal_and_award(users, org, scored_exam):
    publish(users, scored_exam)
    take(users.cadre, scored_exam, [1, 2, 3, 4])  # 12, the short answer left empty: 及格
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    second = take(users.cadre, scored_exam, [1, 2, 3, 4], short="全面贯彻……")
    assert second.ungraded == 1
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    # the counted attempt still the first (the second waits for its mark): nothing moves yet
    assert points_of(org.bayi) == [("award", Decimal("1.00"))]
    item = second.items.get(position=5)
    services.grade_item(actor=users.league_admin, item=item, score="8")
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    assert points_of(org.bayi) == [("award", Decimal("1.00")), ("award", Decimal("3.00")), ("reversal", Decimal("-1.00"))]
    assert Attempt.objects.get(pk=second.pk).passed is True


def test_nobody_marks_their_own_attempt(users, org, scored_exam):
    publish(users, scored_exam)
    admin_taker = make_user("abagtaker", "unit_admin", org.abag, "x", person=org.abag_other)
    attempt = take(admin_taker, scored_exam, [1], short="答案")
    item = attempt.items.get(position=5)
    scored_exam.unit = org.abag  # let the county admin organise it, then try to mark their own answer
    scored_exam.save()
    with pytest.raises(PermissionDenied, match="不能为自己的答卷评分"):
        services.grade_item(actor=admin_taker, item=item, score="5")
    assert item.pk not in [i.pk for i in services.grading_queue(admin_taker, scored_exam)]


def test_a_regrade_after_a_fixed_key_reverses_and_awards_and_is_audited(users, org, bank, scored_exam):
    publish(users, scored_exam)
    attempt, _ = services.start(user=users.cadre, exam=scored_exam)
    answers = [(p, keyed(attempt, p)) for p in (1, 2, 4)] + [(3, [False])]  # the key says 正确
    done = services.submit(user=users.cadre, attempt=attempt, answers=answers)
    assert done.score == Decimal("10")  # below the pass mark
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    assert points_of(org.bayi) == []
    bank.truefalse.answer = [False]  # the bank's key was wrong
    bank.truefalse.save()
    changed = services.regrade(actor=users.league_admin, exam=scored_exam, question=bank.truefalse, reason="判断题答案有误")
    assert changed == 1
    done.refresh_from_db()
    assert (done.score, done.passed) == (Decimal("12"), True)
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    assert points_of(org.bayi) == [("award", Decimal("1.00"))]
    assert AuditEntry.objects.filter(action="exams.exam.regrade").exists()
    # the text as shown is kept
    assert done.items.get(position=3).shown["text"].startswith("党的最高领导机关")


def test_withdrawing_an_exam_reverses_its_points(users, org, scored_exam):
    from xuebi.exams.models import ExamStatus

    publish(users, scored_exam)
    take(users.cadre, scored_exam, [1, 2, 3, 4])
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    services.exam_cancel(actor=users.league_admin, exam=scored_exam, reason="题目泄露")
    assert sum(p for _t, p in points_of(org.bayi)) == Decimal("0")
    assert scored_exam.__class__.objects.get(pk=scored_exam.pk).status == ExamStatus.CANCELLED


def test_publishing_checks_what_the_exam_lacks(users, org, fixed_paper, scored_exam):
    scored_exam.units.set([])
    with pytest.raises(ValidationError, match="请选择参考单位或参考人员"):
        publish(users, scored_exam)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"closes_at": OPENS - dt.timedelta(hours=1)}, "closes_at", "结束时间应晚于开始时间"),
        ({"pass_mark": Decimal("25")}, "pass_mark", "及格分应在 0 到试卷满分 20 分之间"),
        ({"indicator": None, "full_points": Decimal("3")}, "indicator", "给积分时请选择计入的考核指标"),
    ],
)
def test_bad_settings_are_refused_by_field(users, org, fixed_paper, scored_exam, change, field, message):
    data = services.ExamData(
        title="x", unit=org.league, paper=fixed_paper, opens_at=OPENS, closes_at=CLOSES, units=[org.abag], campaign=scored_exam.campaign,
        indicator=scored_exam.indicator, full_points=Decimal("3"), pass_points=None,
    )  # fmt: skip
    for name, value in change.items():
        setattr(data, name, value)
    with pytest.raises(ValidationError) as exc:
        services.exam_save(actor=users.league_admin, data=data, exam=scored_exam)
    assert message in exc.value.message_dict[field][0]


def test_wrong_answers_go_to_the_mistake_book_once_and_practice_clears_them(users, org, bank, scored_exam):
    publish(users, scored_exam)
    attempt, _ = services.start(user=users.cadre, exam=scored_exam)
    services.submit(user=users.cadre, attempt=attempt, answers=[(1, keyed(attempt, 1))])
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    tasks.follow_result(scored_exam.pk, org.bayi.pk)
    wrong = set(Mistake.objects.filter(person=org.bayi).values_list("question_id", "times"))
    # 2, 3, 4 unanswered count as wrong; the short answer (not marked) does not
    assert wrong == {(bank.multiple.pk, 1), (bank.truefalse.pk, 1), (bank.fill.pk, 1)}
    round_ = services.practice_start(user=users.cadre, mistakes=True)
    assert round_.items.count() == 3
    tf = round_.items.get(question=bank.truefalse)
    item = services.practice_answer(user=users.cadre, attempt=round_, position=tf.position, response=[True])
    assert item.correct is True
    assert Mistake.objects.get(person=org.bayi, question=bank.truefalse).cleared is True


def test_practice_marks_each_answer_at_once(users, org, bank):
    round_ = services.practice_start(user=users.cadre, bank=bank.bank, count=5)
    first = round_.items.get(position=1)
    item = services.practice_answer(user=users.cadre, attempt=round_, position=1, response=keyed(round_, 1))
    assert item.correct is True and item.key["answer"] == first.key["answer"]
    with pytest.raises(ValidationError, match="第 1 题已作答"):
        services.practice_answer(user=users.cadre, attempt=round_, position=1, response=keyed(round_, 1))
    assert not round_.items.filter(shown__type="short").exists()  # nothing a person must mark


def test_practice_needs_a_bank_open_for_practice(users, org, bank):
    bank.bank.practice_open = False
    bank.bank.save()
    with pytest.raises(ValidationError):
        services.practice_start(user=users.cadre, bank=bank.bank, count=5)


def test_publishing_tells_the_people_it_reaches_once(users, org, scored_exam, django_capture_on_commit_callbacks):
    from xuebi.notifications.models import Notification
    from xuebi.testing.fixtures import make_user

    xilin_cadre = make_user("batu", "cadre", org.xilin, "x", person=org.xilin_person)
    with django_capture_on_commit_callbacks(execute=True):
        publish(users, scored_exam)
    assert services.announce(scored_exam.pk) == 1
    assert services.announce(scored_exam.pk) == 0  # a task run twice tells nobody twice
    note = Notification.objects.get()
    assert (
        note.recipient == users.cadre and note.title == "请参加知识问答：党史知识竞答" and note.url == f"/exams/{scored_exam.pk}/"
    )
    assert "限时 30 分钟" in note.body and not Notification.objects.filter(recipient=xilin_cadre).exists()
