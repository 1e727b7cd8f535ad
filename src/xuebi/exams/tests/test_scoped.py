"""Every page and endpoint of taking and organising exams, for every role (xuebi.testing.scoped):
an exam is taken by the people it reaches (a person: an account without one takes nothing); its
settings are read by the administrators of the organiser's subtree and of the units it was sent
to, and changed only by the organiser's; an attempt is its taker's, and is read by the
administrators over the unit it was taken in; a short answer is marked by the organiser's
administrators."""

from __future__ import annotations

from decimal import Decimal

from xuebi.exams import services
from xuebi.exams.models import Attempt, AttemptItem, Bank, Exam, ExamStatus, Mistake, Paper, PaperQuestion, QuestionType
from xuebi.org.models import Unit
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, league_wide, scoped_suite

from .conftest import CLOSES, OPENS, make_question

NOT_TAKERS = NO_BUSINESS_ROLE | {"judge"}
ADMINS_ONLY = NOT_TAKERS | {"cadre", "abag_reviewer"}


def setup(ns):
    org, users = ns.org, ns.users
    bank = Bank.objects.create(name="党史知识题库", unit=org.league, practice_open=True)
    single = make_question(bank, QuestionType.SINGLE, "遵义会议召开于哪一年？", options=["1921年", "1935年"], answer=[1])
    short = make_question(bank, QuestionType.SHORT, "简述新时代党的组织路线。")
    paper = Paper.objects.create(title="党史测试卷", unit=org.league)
    PaperQuestion.objects.create(paper=paper, question=single, points=Decimal(2), position=1)
    PaperQuestion.objects.create(paper=paper, question=short, points=Decimal(8), position=2)

    def exam(title, status=ExamStatus.PUBLISHED):
        made = Exam.objects.create(
            title=title, unit=org.league, paper=paper, status=status, opens_at=OPENS, closes_at=CLOSES, time_limit=30, pass_mark=6
        )
        made.units.set([org.abag])
        return made

    ns.exam = exam("党史知识竞答")
    ns.done_exam = exam("组织工作测试")
    ns.draft = exam("未发布的测试", ExamStatus.DRAFT)
    ns.attempt, _ = services.start(user=users.cadre, exam=ns.exam)
    done, _ = services.start(user=users.cadre, exam=ns.done_exam)
    ns.done = services.submit(user=users.cadre, attempt=done, answers=[(1, [0]), (2, ["坚持……"])])
    ns.short_item = ns.done.items.get(position=2)
    ns.mistake = Mistake.objects.create(person=org.bayi, question=single)
    ns.bank = bank


def own_attempts(user, action):
    return Attempt.objects.filter(person_id=user.person_id or 0)


def markable(user, action):
    return AttemptItem.objects.filter(
        attempt__exam__in=Exam.objects.visible_to(user, "change"), attempt__in=Attempt.objects.visible_to(user)
    )


def own_mistakes(user, action):
    return Mistake.objects.filter(person_id=user.person_id or 0)


UNITS = league_wide(Unit)

CASES = [
    Case("exams:mine", model=Exam, obj=lambda ns: ns.exam, action="take", shows=lambda e: e.title, refused=NOT_TAKERS),
    Case("exams:exam", model=Exam, obj=lambda ns: ns.exam, action="take", refused=NOT_TAKERS),
    Case("exams:attempt", model=Attempt, obj=lambda ns: ns.attempt, scope=own_attempts, refused=NOT_TAKERS),
    Case("exams:mistakes", model=Mistake, obj=lambda ns: ns.mistake, scope=own_mistakes, shows=lambda m: m.question.text, refused=NOT_TAKERS),
    Case("exams:practice", model=Bank, obj=lambda ns: ns.bank, action="practice", shows=lambda b: b.name, refused=NOT_TAKERS),
    Case("exams:manage_list", model=Exam, obj=lambda ns: ns.exam, shows=lambda e: e.title, refused=ADMINS_ONLY),
    Case("exams:exam_admin", model=Exam, obj=lambda ns: ns.exam, refused=ADMINS_ONLY),
    Case("exams:exam_edit", model=Exam, obj=lambda ns: ns.exam, action="change", refused=ADMINS_ONLY),
    Case("exams:grading", model=Exam, obj=lambda ns: ns.done_exam, action="change", refused=ADMINS_ONLY),
    Case("exams:regrade", model=Exam, obj=lambda ns: ns.done_exam, action="change", refused=ADMINS_ONLY),
    Case("exams:exam_create", model=Unit, obj=lambda ns: ns.org.abag, scope=UNITS, refused=ADMINS_ONLY),
    Case("/api/v1/exams/mine", model=Exam, obj=lambda ns: ns.exam, action="take", api=True, shows=lambda e: e.title, refused=NOT_TAKERS),
    Case("/api/v1/exams/attempts/{pk}", model=Attempt, obj=lambda ns: ns.attempt, scope=own_attempts, api=True, refused=NOT_TAKERS),
    Case(
        "/api/v1/exams/mistakes", model=Mistake, obj=lambda ns: ns.mistake, scope=own_mistakes, api=True,
        shows=lambda m: m.question.text, refused=NOT_TAKERS,
    ),
    Case(
        "/api/v1/exams/practice/banks", model=Bank, obj=lambda ns: ns.bank, action="practice", api=True,
        shows=lambda b: b.name, refused=NOT_TAKERS,
    ),
    Case("/api/v1/exams/manage", model=Exam, obj=lambda ns: ns.exam, api=True, shows=lambda e: e.title, refused=ADMINS_ONLY),
    Case("/api/v1/exams/manage/{pk}", model=Exam, obj=lambda ns: ns.exam, api=True, refused=ADMINS_ONLY),
    Case("/api/v1/exams/manage/{pk}/grading", model=Exam, obj=lambda ns: ns.done_exam, action="change", api=True, refused=ADMINS_ONLY),
]  # fmt: skip

WRITES = [
    Case("exams:start", model=Exam, obj=lambda ns: ns.exam, action="take", method="post", refused=NOT_TAKERS, done_by="cadre"),
    Case(
        "/api/v1/exams/{pk}/attempts", model=Exam, obj=lambda ns: ns.exam, action="take", method="post", api=True,
        refused=NOT_TAKERS, done_by="cadre",
    ),
    Case(
        "/api/v1/exams/attempts/{pk}/answers", model=Attempt, obj=lambda ns: ns.attempt, scope=own_attempts, method="put",
        api=True, data={"answers": [{"position": 1, "response": [1]}]}, refused=NOT_TAKERS, done_by="cadre",
    ),
    Case(
        "/api/v1/exams/attempts/{pk}/submit", model=Attempt, obj=lambda ns: ns.attempt, scope=own_attempts, method="post",
        api=True, refused=NOT_TAKERS, done_by="cadre",
    ),
    Case(
        "exams:attempt_save", model=Attempt, obj=lambda ns: ns.attempt, scope=own_attempts, method="post",
        data={"q1": "1", "action": "save"}, refused=NOT_TAKERS, done_by="cadre",
    ),
    Case(
        "exams:mistake_clear", model=Mistake, obj=lambda ns: ns.mistake, scope=own_mistakes, method="post",
        refused=NOT_TAKERS, done_by="cadre",
    ),
    Case(
        "/api/v1/exams/mistakes/{pk}/clear", model=Mistake, obj=lambda ns: ns.mistake, scope=own_mistakes, method="post",
        api=True, refused=NOT_TAKERS, done_by="cadre", done=204,
    ),
    Case(
        "exams:exam_publish", model=Exam, obj=lambda ns: ns.draft, action="change", method="post", refused=ADMINS_ONLY,
        done_by="league_admin",
    ),
    Case(
        "/api/v1/exams/manage/{pk}/publish", model=Exam, obj=lambda ns: ns.draft, action="change", method="post", api=True,
        refused=ADMINS_ONLY, done_by="league_admin",
    ),
    Case(
        "exams:exam_open_now", model=Exam, obj=lambda ns: ns.draft, action="change", method="post", data={"minutes": "60"},
        refused=ADMINS_ONLY, done_by="league_admin",
    ),
    Case(
        "/api/v1/exams/manage/{pk}/open-now", model=Exam, obj=lambda ns: ns.draft, action="change", method="post", api=True,
        data={"minutes": 60}, refused=ADMINS_ONLY, done_by="league_admin",
    ),
    Case(
        "exams:exam_cancel", model=Exam, obj=lambda ns: ns.exam, action="change", method="post", data={"reason": "题目有误"},
        refused=ADMINS_ONLY, done_by="league_admin",
    ),
    Case(
        "/api/v1/exams/manage/{pk}/cancel", model=Exam, obj=lambda ns: ns.exam, action="change", method="post", api=True,
        data={"reason": "题目有误"}, refused=ADMINS_ONLY, done_by="league_admin",
    ),
    Case(
        "/api/v1/exams/manage/{pk}", model=Exam, obj=lambda ns: ns.exam, action="change", method="put", api=True,
        data=lambda ns, pk: {
            "title": "党史知识竞答（改）", "unit_id": ns.org.league.pk, "paper_id": ns.exam.paper_id,
            "opens_at": OPENS.isoformat(), "closes_at": CLOSES.isoformat(), "pass_mark": "6", "unit_ids": [ns.org.abag.pk],
        },
        refused=ADMINS_ONLY, done_by="league_admin",
    ),
    Case(
        "exams:grade", model=AttemptItem, obj=lambda ns: ns.short_item, scope=markable, method="post",
        data=lambda ns, pk: {f"i{pk}-score": "6"}, refused=ADMINS_ONLY, done_by="league_admin",
    ),
    Case(
        "/api/v1/exams/manage/grading/{pk}", model=AttemptItem, obj=lambda ns: ns.short_item, scope=markable,
        method="post", api=True, data={"score": "6"}, refused=ADMINS_ONLY, done_by="league_admin",
    ),
]  # fmt: skip

test_scoped = scoped_suite(CASES + WRITES, setup=setup)
