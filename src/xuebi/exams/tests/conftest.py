"""Exam test data: the league's bank with a question of every type (and more to draw from), a
fixed paper of the five, a random paper drawing from 党史 and 组织工作, and a quiz published to
阿巴嘎旗 open from 2026-11-25 09:00 to 2026-11-26 18:00 (+08:00) with a 30-minute limit.
The suite's clock is 2026-11-25 10:00 +08:00 (xuebi.testing.fixtures)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from xuebi.exams.models import (
    Bank,
    Category,
    Exam,
    ExamStatus,
    Paper,
    PaperMode,
    PaperQuestion,
    PaperRule,
    Question,
    QuestionType,
    fingerprint,
)

CST = dt.timezone(dt.timedelta(hours=8))
OPENS = dt.datetime(2026, 11, 25, 9, 0, tzinfo=CST)
CLOSES = dt.datetime(2026, 11, 26, 18, 0, tzinfo=CST)


def category(name: str) -> Category:
    return Category.objects.get_or_create(name=name)[0]  # a flushed (transactional) test has lost the seeded ones


def make_question(bank, qtype, text, *, options=(), answer=(), category_name="党史", difficulty=2, explanation="", reference=""):
    return Question.objects.create(
        bank=bank,
        category=category(category_name),
        type=qtype,
        text=text,
        options=list(options),
        answer=list(answer),
        reference=reference,
        explanation=explanation,
        difficulty=difficulty,
        fingerprint=fingerprint(qtype, text, options),
    )


@pytest.fixture
def bank(org, users):
    bank = Bank.objects.create(name="党史知识题库", unit=org.league, practice_open=True, created_by=users.league_admin)
    ns = SimpleNamespace(bank=bank)
    ns.single = make_question(
        bank,
        QuestionType.SINGLE,
        "遵义会议召开于哪一年？",
        options=["1921年", "1935年", "1949年", "1978年"],
        answer=[1],
        explanation="1935年1月，中共中央在贵州遵义召开政治局扩大会议。",
    )
    ns.multiple = make_question(
        bank,
        QuestionType.MULTIPLE,
        "“三会一课”中的“三会”包括哪些？",
        options=["支部党员大会", "支部委员会", "党小组会", "职工代表大会"],
        answer=[0, 1, 2],
        category_name="组织工作",
    )
    ns.truefalse = make_question(
        bank,
        QuestionType.TRUE_FALSE,
        "党的最高领导机关是党的全国代表大会和它所产生的中央委员会。",
        answer=[True],
        category_name="党章党规",
    )
    ns.fill = make_question(
        bank,
        QuestionType.FILL,
        "中国共产党第一次全国代表大会于（　）年在（　）召开。",
        answer=[["1921", "1921年"], ["上海", "上海市"]],
    )
    ns.short = make_question(
        bank, QuestionType.SHORT, "简述新时代党的组织路线的主要内容。", category_name="组织工作", reference="全面贯彻……"
    )
    # more to draw from: 12 single-choice 党史 questions and 6 multiple-choice 组织工作 questions
    ns.more_single = [
        make_question(bank, QuestionType.SINGLE, f"党史单选题{i}", options=["甲", "乙", "丙", "丁"], answer=[i % 4])
        for i in range(12)
    ]
    ns.more_multiple = [
        make_question(
            bank,
            QuestionType.MULTIPLE,
            f"组织工作多选题{i}",
            options=["甲", "乙", "丙", "丁"],
            answer=[0, 2],
            category_name="组织工作",
        )
        for i in range(6)
    ]
    return ns


@pytest.fixture
def fixed_paper(org, bank, users):
    paper = Paper.objects.create(title="党史知识测试卷", unit=org.league, mode=PaperMode.FIXED, created_by=users.league_admin)
    for i, (q, points) in enumerate(
        [(bank.single, 2), (bank.multiple, 4), (bank.truefalse, 2), (bank.fill, 4), (bank.short, 8)], start=1
    ):
        PaperQuestion.objects.create(paper=paper, question=q, points=Decimal(points), position=i)
    return paper


@pytest.fixture
def random_paper(org, bank, users):
    paper = Paper.objects.create(title="党史随机抽题卷", unit=org.league, mode=PaperMode.RANDOM, created_by=users.league_admin)
    paper.banks.set([bank.bank])
    PaperRule.objects.create(
        paper=paper, category=category("党史"), type=QuestionType.SINGLE, count=10, points=Decimal(2), position=1
    )
    PaperRule.objects.create(
        paper=paper, category=category("组织工作"), type=QuestionType.MULTIPLE, count=5, points=Decimal(4), position=2
    )
    return paper


def make_exam(org, users, paper, **extra) -> Exam:
    fields = dict(
        title="党史知识竞答",
        unit=org.league,
        paper=paper,
        status=ExamStatus.PUBLISHED,
        opens_at=OPENS,
        closes_at=CLOSES,
        time_limit=30,
        pass_mark=Decimal("12"),
        published_at=timezone.now(),
        created_by=users.league_admin,
    )
    fields.update(extra)
    units = fields.pop("units", [org.abag])
    exam = Exam.objects.create(**fields)
    exam.units.set(units)
    return exam


@pytest.fixture
def exam(org, users, fixed_paper):
    return make_exam(org, users, fixed_paper)


@pytest.fixture
def random_exam(org, users, random_paper):
    return make_exam(org, users, random_paper, title="党史随机测试", pass_mark=Decimal("30"))
