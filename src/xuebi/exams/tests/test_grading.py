"""Every question type's marking, partial credit and the fill-in comparison (pure functions)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from xuebi.exams.grading import clean_response, grade, manual_score, normalise

D = Decimal


@pytest.mark.parametrize(
    "qtype, key, response, partial, expected",
    [
        ("single", [1], [1], "none", (D(2), True)),
        ("single", [1], [0], "none", (D(0), False)),
        ("single", [1], None, "none", (D(0), False)),
        ("truefalse", [True], [True], "none", (D(2), True)),
        ("truefalse", [True], [False], "none", (D(0), False)),
        # multiple: all or nothing …
        ("multiple", [0, 1, 2], [0, 1, 2], "none", (D(2), True)),
        ("multiple", [0, 1, 2], [0, 1], "none", (D(0), False)),
        # … or 少选 by share, 错选 nothing
        ("multiple", [0, 1, 2], [0, 1], "proportional", (D("1.33"), False)),
        ("multiple", [0, 1, 2], [2], "proportional", (D("0.67"), False)),
        ("multiple", [0, 1, 2], [0, 1, 3], "proportional", (D(0), False)),
        ("multiple", [0, 1, 2], [0, 1, 2, 3], "proportional", (D(0), False)),
    ],
)
def test_choice_questions(qtype, key, response, partial, expected):
    result = grade(qtype, {"answer": key}, response, D(2), partial)
    assert (result.score, result.correct) == expected


FILL_KEY = {"answer": [["1921", "1921年"], ["上海", "上海市"], ["CPC"]]}


@pytest.mark.parametrize(
    "response, partial, expected",
    [
        (["1921", "上海", "CPC"], "none", (D(3), True)),
        (["１９２１年", " 上海市 ", "ｃｐｃ"], "none", (D(3), True)),  # full width, spaces, case
        (["1921。", "上海", "cpc"], "none", (D(3), True)),  # a full stop typed after it
        (["1921", "北京", "CPC"], "none", (D(0), False)),
        (["1921", "北京", "CPC"], "proportional", (D(2), False)),
        (["1921"], "proportional", (D(1), False)),
    ],
)
def test_fill_in_matches_any_accepted_answer_whatever_the_width_or_case(response, partial, expected):
    result = grade("fill", FILL_KEY, response, D(3), partial)
    assert (result.score, result.correct) == expected


def test_normalise_folds_width_case_and_spaces():
    assert normalise("Ｘｉ Ｊｉｎｐｉｎｇ  ２０２６！") == normalise("xi jinping 2026") == "xijinping2026"


def test_a_short_answer_waits_for_a_person_unless_it_is_empty():
    assert grade("short", {"answer": []}, ["我的回答"], D(8)).score is None
    assert grade("short", {"answer": []}, None, D(8)).score == D(0)


def test_marking_again_gives_the_same_score():
    scores = {grade("multiple", {"answer": [0, 2]}, [2], D(4), "proportional").score for _ in range(5)}
    assert scores == {D(2)}


@pytest.mark.parametrize(
    "qtype, shown, response, message",
    [
        ("single", {"options": ["a", "b"]}, [2], "所选的选项不在本题中"),
        ("single", {"options": ["a", "b"]}, [True], "所选的选项不在本题中"),
        ("single", {"options": ["a", "b"]}, [0, 1], "单选题只能选一个选项"),
        ("truefalse", {}, ["true"], "判断题"),
        ("fill", {"blanks": 1}, ["a", "b"], "本题有 1 个空"),
        ("fill", {"blanks": 1}, ["x" * 201], "200 个字"),
        ("short", {}, [1], "请填写答案"),
    ],
)
def test_a_response_the_question_cannot_have_is_refused(qtype, shown, response, message):
    with pytest.raises(ValidationError, match=message):
        clean_response(qtype, shown, response)


def test_an_empty_response_is_no_answer():
    assert clean_response("multiple", {"options": ["a"]}, []) is None
    assert clean_response("fill", {"blanks": 2}, ["", " "]) is None
    assert clean_response("multiple", {"options": ["a", "b", "c"]}, [2, 0, 2]) == [0, 2]


@pytest.mark.parametrize(
    "value, message", [("abc", "请填写得分"), ("9", "0 到 8 分"), ("-1", "0 到 8 分"), ("2.3", "0.5 分"), ("NaN", "0 到 8")]
)
def test_a_graders_score_is_checked(value, message):
    with pytest.raises(ValidationError, match=message):
        manual_score(D(8), value)
    assert manual_score(D(8), "6.5") == D("6.50")
