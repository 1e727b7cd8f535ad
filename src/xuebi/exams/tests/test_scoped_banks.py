"""Every page and endpoint of the question banks and papers, for every role (xuebi.testing.scoped):
a bank, its questions and a paper are kept by the administrators of the owning unit's subtree; a
bank open for practice is read (and drawn from) by the administrators below its unit too; the
categories are read by every administrator and kept by the league's."""

from __future__ import annotations

from decimal import Decimal

from xuebi.exams.models import Bank, Category, Paper, PaperMode, PaperQuestion, PaperRule, Question, QuestionType
from xuebi.org.choices import Role
from xuebi.org.scoping import has_role
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, league_wide, scoped_suite

from .conftest import category, make_question

ADMINS_ONLY = NO_BUSINESS_ROLE | {"judge", "cadre", "abag_reviewer"}


def setup(ns):
    org = ns.org
    ns.open_bank = Bank.objects.create(name="盟级党史题库", unit=org.league, practice_open=True)
    ns.county_bank = Bank.objects.create(name="阿巴嘎旗业务题库", unit=org.abag)
    ns.question = make_question(ns.county_bank, QuestionType.SINGLE, "旗里的单选题", options=["甲", "乙"], answer=[0])
    ns.spare_question = make_question(ns.county_bank, QuestionType.TRUE_FALSE, "旗里的判断题", answer=[True])
    ns.league_question = make_question(
        ns.open_bank, QuestionType.SINGLE, "遵义会议召开于哪一年？", options=["1921年", "1935年"], answer=[1]
    )
    ns.spare_bank = Bank.objects.create(name="阿巴嘎旗空题库", unit=org.abag)
    ns.fixed = Paper.objects.create(title="阿巴嘎旗固定卷", unit=org.abag)
    PaperQuestion.objects.create(paper=ns.fixed, question=ns.question, points=Decimal(2), position=1)
    ns.random = Paper.objects.create(title="阿巴嘎旗随机卷", unit=org.abag, mode=PaperMode.RANDOM)
    ns.random.banks.set([ns.county_bank])
    PaperRule.objects.create(paper=ns.random, category=category("党史"), type=QuestionType.SINGLE, count=1, points=Decimal(2))


def league_keeps(user, action):
    return Category.objects.all() if has_role(user, Role.LEAGUE_ADMIN) else Category.objects.none()


CATEGORIES = league_wide(Category)

CASES = [
    Case("exams:bank_list", model=Bank, obj=lambda ns: ns.open_bank, action="practice", shows=lambda b: b.name, refused=ADMINS_ONLY),
    Case("exams:bank_list", model=Bank, obj=lambda ns: ns.county_bank, action="practice", shows=lambda b: b.name, refused=ADMINS_ONLY),
    Case("exams:bank_detail", model=Bank, obj=lambda ns: ns.open_bank, action="practice", refused=ADMINS_ONLY),
    Case("exams:bank_detail", model=Bank, obj=lambda ns: ns.county_bank, action="practice", refused=ADMINS_ONLY),
    Case("exams:bank_edit", model=Bank, obj=lambda ns: ns.open_bank, action="change", refused=ADMINS_ONLY),
    Case("exams:bank_import", model=Bank, obj=lambda ns: ns.county_bank, action="change", refused=ADMINS_ONLY),
    Case("exams:bank_export", model=Bank, obj=lambda ns: ns.county_bank, action="change", refused=ADMINS_ONLY),
    Case("/exams/banks/{pk}/new/single/", model=Bank, obj=lambda ns: ns.open_bank, action="change", refused=ADMINS_ONLY),
    Case("exams:question_edit", model=Question, obj=lambda ns: ns.question, action="change", refused=ADMINS_ONLY),
    Case("exams:category_list", model=Category, obj=lambda ns: Category.objects.get(name="党史"), scope=CATEGORIES,
         shows=lambda c: c.name, refused=ADMINS_ONLY),
    Case("exams:category_edit", model=Category, obj=lambda ns: Category.objects.get(name="党史"), scope=league_keeps,
         refused=ADMINS_ONLY),
    Case("exams:paper_list", model=Paper, obj=lambda ns: ns.fixed, shows=lambda p: p.title, refused=ADMINS_ONLY),
    Case("exams:paper_detail", model=Paper, obj=lambda ns: ns.fixed, refused=ADMINS_ONLY),
    Case("exams:paper_preview", model=Paper, obj=lambda ns: ns.random, refused=ADMINS_ONLY),
    Case("exams:paper_edit", model=Paper, obj=lambda ns: ns.fixed, action="change", refused=ADMINS_ONLY),
    Case("exams:paper_questions", model=Paper, obj=lambda ns: ns.fixed, action="change", refused=ADMINS_ONLY),
    Case("exams:paper_rules", model=Paper, obj=lambda ns: ns.random, action="change", refused=ADMINS_ONLY),
    Case("/exams/papers/{pk}/available/?type=single", model=Paper, obj=lambda ns: ns.random, refused=ADMINS_ONLY),
    Case("/api/v1/exams/banks", model=Bank, obj=lambda ns: ns.county_bank, action="practice", api=True, shows=lambda b: b.name,
         refused=ADMINS_ONLY),
    Case("/api/v1/exams/banks/{pk}", model=Bank, obj=lambda ns: ns.open_bank, action="practice", api=True, refused=ADMINS_ONLY),
    Case("/api/v1/exams/banks/{pk}/questions", model=Bank, obj=lambda ns: ns.county_bank, action="practice", api=True,
         refused=ADMINS_ONLY),
    Case("/api/v1/exams/banks/{pk}/export", model=Bank, obj=lambda ns: ns.county_bank, action="change", api=True,
         refused=ADMINS_ONLY),
    Case("/api/v1/exams/questions/{pk}", model=Question, obj=lambda ns: ns.question, api=True, refused=ADMINS_ONLY),
    Case("/api/v1/exams/categories", model=Category, obj=lambda ns: Category.objects.get(name="党史"), scope=CATEGORIES,
         api=True, shows=lambda c: c.name, refused=ADMINS_ONLY),
    Case("/api/v1/exams/papers", model=Paper, obj=lambda ns: ns.fixed, api=True, shows=lambda p: p.title, refused=ADMINS_ONLY),
    Case("/api/v1/exams/papers/{pk}", model=Paper, obj=lambda ns: ns.fixed, api=True, refused=ADMINS_ONLY),
    Case("/api/v1/exams/papers/{pk}/check", model=Paper, obj=lambda ns: ns.random, api=True, refused=ADMINS_ONLY),
]  # fmt: skip

WRITES = [
    Case("exams:bank_delete", model=Bank, obj=lambda ns: ns.spare_bank, action="change", method="post", refused=ADMINS_ONLY,
         done_by="abag_admin"),
    Case("exams:question_delete", model=Question, obj=lambda ns: ns.spare_question, action="change", method="post",
         refused=ADMINS_ONLY, done_by="abag_admin"),
    Case("exams:paper_copy", model=Paper, obj=lambda ns: ns.fixed, method="post", refused=ADMINS_ONLY, done_by="abag_admin"),
    Case("exams:paper_delete", model=Paper, obj=lambda ns: ns.random, action="change", method="post", refused=ADMINS_ONLY,
         done_by="league_admin"),
    Case("/api/v1/exams/banks/{pk}", model=Bank, obj=lambda ns: ns.county_bank, action="change", method="put", api=True,
         data=lambda ns, pk: {"name": "改名的题库", "unit_id": ns.org.abag.pk}, refused=ADMINS_ONLY, done_by="abag_admin"),
    Case("/api/v1/exams/questions/{pk}", model=Question, obj=lambda ns: ns.question, action="change", method="put", api=True,
         data=lambda ns, pk: {"category_id": ns.question.category_id, "type": "single", "text": "改过的单选题",
                              "options": ["甲", "乙"], "answer": "B"},
         refused=ADMINS_ONLY, done_by="abag_admin"),
    Case("/api/v1/exams/papers/{pk}/rules", model=Paper, obj=lambda ns: ns.random, action="change", method="put", api=True,
         data=[{"type": "truefalse", "count": 1, "points": "1"}], refused=ADMINS_ONLY, done_by="abag_admin"),
    Case("/api/v1/exams/papers/{pk}", model=Paper, obj=lambda ns: ns.fixed, action="change", method="delete", api=True,
         refused=ADMINS_ONLY, done_by="league_admin"),
]  # fmt: skip

test_scoped_banks = scoped_suite(CASES + WRITES, setup=setup)
