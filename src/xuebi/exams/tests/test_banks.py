"""Question banks through the pages: a bank, a question of each type from its form, the duplicate
check, a change that bumps the version, deletes refused while a paper uses the question, the
filter, the league's categories; and the answers as written (``banks.parse_answer``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xuebi.audit.models import Action, AuditEntry
from xuebi.exams import banks
from xuebi.exams.models import Bank, Category, Question, QuestionType


@pytest.mark.parametrize(
    ("qtype", "written", "options", "answer"),
    [
        ("single", "b", 4, [1]),
        ("single", "Ｃ", 4, [2]),  # full-width letter
        ("multiple", "A、B，D", 4, [0, 1, 3]),
        ("multiple", "dba", 4, [0, 1, 3]),
        ("truefalse", "√", 0, [True]),
        ("truefalse", "错", 0, [False]),
        ("truefalse", "false", 0, [False]),
        ("fill", "1921|1921年；上海｜上海市", 0, [["1921", "1921年"], ["上海", "上海市"]]),
        ("fill", "遵义会议", 0, [["遵义会议"]]),
    ],
)
def test_answers_are_read_as_people_write_them(qtype, written, options, answer):
    assert banks.parse_answer(qtype, written, options)[0] == answer


@pytest.mark.parametrize(
    ("qtype", "written", "options", "message"),
    [
        ("single", "E", 4, "A–D"),
        ("single", "AB", 4, "单选题只能有一个答案"),
        ("multiple", "A", 4, "至少有两个正确选项"),
        ("truefalse", "也许", 0, "正确"),
        ("fill", "1921；；上海", 0, "第 2 空没有答案"),
        ("single", "", 4, "请填写答案"),
    ],
)
def test_a_wrong_answer_is_named(qtype, written, options, message):
    with pytest.raises(ValidationError) as caught:
        banks.parse_answer(qtype, written, options)
    assert message in caught.value.messages[0]


def test_an_admin_keeps_a_bank_and_adds_a_question_of_each_type(users, client_for, org):
    client = client_for(users.abag_admin)
    made = client.post("/exams/banks/new/", {"name": "阿巴嘎旗业务题库", "unit": org.abag.pk, "practice_open": "on"})
    bank = Bank.objects.get(name="阿巴嘎旗业务题库")
    assert made.url == f"/exams/banks/{bank.pk}/" and bank.practice_open and bank.unit == org.abag
    party = Category.objects.get(name="党史").pk
    posts = {
        "single": {"option_a": "1921年", "option_b": "1935年", "option_c": "1949年", "answer": "B"},
        "multiple": {"option_a": "甲", "option_b": "乙", "option_c": "丙", "answer": ["A", "C"]},
        "truefalse": {"answer": "正确"},
        "fill": {"answer": "1921|1921年\n上海"},
        "short": {"answer": "信念坚定、为民服务……"},
    }
    for qtype, extra in posts.items():
        page = client.post(
            f"/exams/banks/{bank.pk}/new/{qtype}/",
            {"category": party, "text": f"一道{qtype}题", "difficulty": "2", "is_active": "on", **extra},
        )
        assert page.status_code == 302, page.content.decode()[:2000]
    saved = {q.type: q for q in bank.questions.all()}
    assert saved["single"].answer == [1] and saved["single"].options == ["1921年", "1935年", "1949年"]
    assert saved["multiple"].answer == [0, 2]
    assert saved["truefalse"].answer == [True] and saved["truefalse"].options == []
    assert saved["fill"].answer == [["1921", "1921年"], ["上海"]]
    assert saved["short"].reference == "信念坚定、为民服务……" and saved["short"].answer == []
    assert AuditEntry.objects.filter(action=Action.EXAM_QUESTION_SAVE).count() == 5
    listing = client.get(f"/exams/banks/{bank.pk}/?type=fill").content.decode()
    assert "一道fill题" in listing and "一道single题" not in listing


def test_the_form_names_what_is_wrong_and_saves_nothing(users, client_for, bank):
    client = client_for(users.league_admin)
    page = client.post(
        f"/exams/banks/{bank.bank.pk}/new/single/",
        {
            "category": bank.single.category_id,
            "text": "新题",
            "option_a": "甲",
            "option_b": "",
            "option_c": "丙",
            "answer": "A",
            "difficulty": "2",
        },
    )
    body = page.content.decode()
    assert page.status_code == 200 and "选项B" in body
    duplicate = client.post(
        f"/exams/banks/{bank.bank.pk}/new/single/",
        {
            "category": bank.single.category_id,
            "text": "遵义会议召开于哪一年?",  # half-width question mark: still the same question
            "option_a": "1921年",
            "option_b": "1935年",
            "option_c": "1949年",
            "option_d": "1978年",
            "answer": "B",
            "difficulty": "2",
        },
    )
    assert f"与本题库第 {bank.single.pk} 号试题重复" in duplicate.content.decode()
    assert not Question.objects.filter(text="新题").exists()
    assert Question.objects.filter(bank=bank.bank).count() == 23


def test_changing_a_question_bumps_its_version_and_a_used_one_is_not_deleted(users, client_for, bank, fixed_paper):
    client = client_for(users.league_admin)
    form = client.get(f"/exams/questions/{bank.single.pk}/").content.decode()
    assert 'value="1935年"' in form
    changed = client.post(
        f"/exams/questions/{bank.single.pk}/",
        {
            "category": bank.single.category_id,
            "text": bank.single.text,
            "option_a": "1921年",
            "option_b": "1935年",
            "option_c": "1949年",
            "option_d": "1978年",
            "answer": "C",
            "explanation": "改过的解析",
            "difficulty": "3",
            "is_active": "on",
        },
    )
    assert changed.status_code == 302
    bank.single.refresh_from_db()
    assert bank.single.answer == [2] and bank.single.version == 2 and bank.single.difficulty == 3
    refused = client.post(f"/exams/questions/{bank.single.pk}/delete/", follow=True).content.decode()
    assert "党史知识测试卷" in refused and "不能删除" in refused
    assert Question.objects.filter(pk=bank.single.pk).exists()
    unused = bank.more_single[0]
    client.post(f"/exams/questions/{unused.pk}/delete/")
    assert not Question.objects.filter(pk=unused.pk).exists()


def test_a_bank_is_kept_by_its_units_admins_and_an_open_one_is_read_above_them(users, client_for, bank, org):
    own = Bank.objects.create(name="锡林浩特题库", unit=org.xilin)
    abag = client_for(users.abag_admin)
    assert abag.get(f"/exams/banks/{own.pk}/").status_code == 404  # another county's bank
    assert abag.get(f"/exams/banks/{own.pk}/edit/").status_code == 404
    league_bank = abag.get(f"/exams/banks/{bank.bank.pk}/").content.decode()  # the league's, open for practice
    assert "遵义会议召开于哪一年" in league_bank and "不能修改" in league_bank
    assert abag.get(f"/exams/questions/{bank.single.pk}/").status_code == 404
    assert abag.post(f"/exams/banks/{bank.bank.pk}/new/single/", {}).status_code == 404
    Bank.objects.filter(pk=bank.bank.pk).update(practice_open=False)
    assert abag.get(f"/exams/banks/{bank.bank.pk}/").status_code == 404
    cadre = client_for(users.cadre)
    assert cadre.get("/exams/banks/").status_code == 403


def test_only_the_league_keeps_the_categories(users, client_for):
    county = client_for(users.abag_admin)
    page = county.get("/exams/categories/").content.decode()
    assert "党史" in page and "新增分类" not in page
    county.post("/exams/categories/", {"name": "县里的分类"})
    assert not Category.objects.filter(name="县里的分类").exists()
    party = Category.objects.get(name="党史")
    assert county.get(f"/exams/categories/{party.pk}/").status_code == 404
    league = client_for(users.league_admin)
    league.post("/exams/categories/", {"name": "  民族团结  ", "sort_order": "9"})
    assert Category.objects.filter(name="民族团结", sort_order=9).exists()
    twice = league.post("/exams/categories/", {"name": "民族团结"}).content.decode()
    assert "已有名为“民族团结”的分类" in twice


def test_a_used_category_is_not_deleted(users, client_for, bank):
    league = client_for(users.league_admin)
    party = Category.objects.get(name="党史")
    refused = league.post(f"/exams/categories/{party.pk}/", {"delete": "1"}, follow=True).content.decode()
    assert "不能删除" in refused and Category.objects.filter(pk=party.pk).exists()


def test_a_bank_a_paper_uses_is_not_deleted(users, client_for, bank, random_paper):
    client = client_for(users.league_admin)
    refused = client.post(f"/exams/banks/{bank.bank.pk}/delete/", follow=True).content.decode()
    assert "党史随机抽题卷" in refused and Bank.objects.filter(pk=bank.bank.pk).exists()
    spare = Bank.objects.create(name="空题库", unit=bank.bank.unit)
    client.post(f"/exams/banks/{spare.pk}/delete/")
    assert not Bank.objects.filter(pk=spare.pk).exists()
    assert AuditEntry.objects.filter(action=Action.EXAM_BANK_DELETE).count() == 1


def test_the_question_list_is_one_page_of_bounded_queries(users, client_for, bank, django_assert_max_num_queries):
    client = client_for(users.league_admin)
    client.get(f"/exams/banks/{bank.bank.pk}/")
    with django_assert_max_num_queries(14):
        page = client.get(f"/exams/banks/{bank.bank.pk}/")
    assert page.status_code == 200 and str(QuestionType.FILL.label) in page.content.decode()
