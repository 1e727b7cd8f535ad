"""Every results page and endpoint, for every role (xuebi.testing.scoped): results, statistics,
the live monitor, the exports and an attempt's review are the administrators' who follow the
exam (the organiser's subtree and the units it was sent to), each seeing their own scope's rows;
the leaderboard is theirs too, and the takers' once the exam has closed; the API's review is
also the taker's own, when the exam shows answers."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from xuebi.exams.models import Attempt, Exam, Reveal
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.scoping import has_role
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite

from .conftest import OPENS, make_exam
from .test_results import take

ADMINS_ONLY = NO_BUSINESS_ROLE | {"judge", "cadre", "abag_reviewer"}
NEITHER_ADMIN_NOR_TAKER = NO_BUSINESS_ROLE | {"judge", "abag_reviewer"}


def setup(ns):
    from xuebi.exams.models import Paper, PaperQuestion, QuestionType, Bank

    from .conftest import make_question

    org, users = ns.org, ns.users
    bank = Bank.objects.create(name="党史知识题库", unit=org.league)
    single = make_question(bank, QuestionType.SINGLE, "遵义会议召开于哪一年？", options=["1921年", "1935年"], answer=[1])
    paper = Paper.objects.create(title="党史测试卷", unit=org.league)
    PaperQuestion.objects.create(paper=paper, question=single, points=2, position=1)
    ns.exam = make_exam(org, users, paper, reveal=Reveal.AFTER_SUBMIT, pass_mark=1)
    ns.closed = make_exam(
        org, users, paper, title="上周的测试", opens_at=OPENS - dt.timedelta(days=7), closes_at=OPENS - dt.timedelta(days=6)
    )
    ns.done = take(ns.exam, org.bayi, users.cadre, right=(1,))
    take(ns.closed, org.bayi, users.cadre, right=(1,), submitted=OPENS - dt.timedelta(days=6, hours=1))


def leaderboard_scope(user, action):
    taken = Exam.objects.visible_to(user, "take").filter(closes_at__lte=timezone.now())
    if not has_role(user, *ADMIN_ROLES):
        return taken
    return Exam.objects.filter(Q(pk__in=Exam.objects.visible_to(user).values("pk")) | Q(pk__in=taken.values("pk")))


def reviewable(user, action):
    return Attempt.objects.visible_to(user).filter(exam__isnull=False)


def exam_case(url, **extra):
    return Case(url, model=Exam, obj=lambda ns: ns.exam, refused=ADMINS_ONLY, api=url.startswith("/"), **extra)


CASES = [
    exam_case("exams:results"),
    exam_case("exams:statistics"),
    exam_case("exams:live"),
    exam_case("exams:live_json"),
    exam_case("exams:results_export"),
    exam_case("exams:statistics_export"),
    exam_case("/api/v1/exams/{pk}/results"),
    exam_case("/api/v1/exams/{pk}/statistics"),
    exam_case("/api/v1/exams/{pk}/live"),
    Case("exams:leaderboard", model=Exam, obj=lambda ns: ns.closed, scope=leaderboard_scope, refused=NEITHER_ADMIN_NOR_TAKER),
    Case(
        "exams:leaderboard", model=Exam, obj=lambda ns: ns.exam, scope=leaderboard_scope, refused=NEITHER_ADMIN_NOR_TAKER,
        id="leaderboard of an exam still open",
    ),
    Case(
        "/api/v1/exams/{pk}/leaderboard", model=Exam, obj=lambda ns: ns.closed, scope=leaderboard_scope, api=True,
        refused=NEITHER_ADMIN_NOR_TAKER,
    ),
    Case("exams:attempt_review", model=Attempt, obj=lambda ns: ns.done, scope=reviewable, refused=ADMINS_ONLY),
    Case("/api/v1/exams/attempts/{pk}/review", model=Attempt, obj=lambda ns: ns.done, scope=reviewable, api=True),
]  # fmt: skip

test_scoped = scoped_suite(CASES, setup=setup)
