"""The item statistics against a small dataset worked by hand (Moodle's quiz statistics)."""

from __future__ import annotations

import math
import statistics

import pytest

from xuebi.exams import stats

# Five people, four questions; questions 1–3 are worth 1 point, question 4 is worth 2.
#
#        Q1 Q2 Q3 Q4 | total
#   P1    1  1  1  2 |  5
#   P2    1  1  0  2 |  4
#   P3    1  0  1  1 |  3
#   P4    0  1  0  0 |  1
#   P5    1  0  0  1 |  2
MATRIX = [[1, 1, 1, 2], [1, 1, 0, 2], [1, 0, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1]]
MAXIMA = [1, 1, 1, 2]
TOTALS = [sum(row) for row in MATRIX]


def column(j):
    return [row[j] for row in MATRIX]


def test_question_one_by_hand():
    """Q1: scores 1,1,1,0,1 — mean 0.8, so the facility index is 0.8 / 1 = 80 %.
    Deviations .2 .2 .2 −.8 .2, squares sum to 4·.04 + .64 = .8; sample variance .8 / 4 = .2,
    SD √.2 = .4472 → 44.72 % of the point.
    The rest of the test (total − Q1): 4, 3, 2, 1, 1, mean 2.2, deviations 1.8 .8 −.2 −1.2 −1.2.
    Σ dx·dy = .36 + .16 − .04 + .96 − .24 = 1.2; Σ dx² = .8; Σ dy² = 3.24 + .64 + .04 + 1.44 + 1.44 = 6.8.
    r = 1.2 / √(.8 · 6.8) = 1.2 / 2.3324 = .5145 → discrimination index 51.45 %.
    The best r these scores allow (the sorted pairs 0,1,1,1,1 × 1,1,2,3,4): dx −.8 .2 .2 .2 .2,
    dy −1.2 −1.2 −.2 .8 1.8 → Σ dx·dy = .96 − .24 − .04 + .16 + .36 = 1.2: the same, efficiency 100 %."""
    q1 = stats.item_figures(column(0), TOTALS, 1)
    assert q1.answered == 5
    assert q1.facility == pytest.approx(80.0)
    assert q1.sd == pytest.approx(44.72, abs=0.01)
    assert q1.discrimination == pytest.approx(51.45, abs=0.01)
    assert q1.efficiency == pytest.approx(100.0)


def test_question_four_worth_two_points():
    """Q4: 2,2,1,0,1 out of 2 — mean 1.2, facility 1.2 / 2 = 60 %; variance 2.8 / 4 = .7,
    SD .8367 → 41.83 % of the 2 points. Rest: 3,2,2,1,1 (mean 1.8, dy 1.2 .2 .2 −.8 −.8);
    dx .8 .8 −.2 −1.2 −.2: Σ dx·dy = .96 + .16 − .04 + .96 + .16 = 2.2, Σ dx² = 2.8, Σ dy² = 2.8,
    r = 2.2 / 2.8 = .7857 → 78.57 %."""
    q4 = stats.item_figures(column(3), TOTALS, 2)
    assert q4.facility == pytest.approx(60.0)
    assert q4.sd == pytest.approx(41.83, abs=0.01)
    assert q4.discrimination == pytest.approx(78.57, abs=0.01)


def test_every_question_agrees_with_the_standard_library():
    for j, maximum in enumerate(MAXIMA):
        scores = column(j)
        rest = [t - s for s, t in zip(scores, TOTALS)]
        figures = stats.item_figures(scores, TOTALS, maximum)
        assert figures.facility == pytest.approx(100 * statistics.mean(scores) / maximum)
        assert figures.sd == pytest.approx(100 * statistics.stdev(scores) / maximum)
        assert figures.discrimination == pytest.approx(100 * statistics.correlation(scores, rest))


def test_cronbach_alpha_by_hand():
    """Item variances (n − 1): Q1 .8/4 = .2, Q2 (1,1,0,1,0) 1.2/4 = .3, Q3 (1,0,1,0,0) 1.2/4 = .3,
    Q4 2.8/4 = .7 — Σ 1.5. Totals 5,4,3,1,2: mean 3, Σ d² = 4+1+0+4+1 = 10, variance 2.5.
    α = 4/3 · (1 − 1.5 / 2.5) = 4/3 · .4 = .5333."""
    assert stats.cronbach_alpha(MATRIX) == pytest.approx(0.5333, abs=0.0001)


def test_degenerate_cases_give_no_figure_rather_than_an_error():
    one = stats.item_figures([1], [3], 1)
    assert one.facility == 100.0 and one.sd is None and one.discrimination is None and one.efficiency is None
    same = stats.item_figures([1, 1, 1], [3, 2, 1], 1)  # everyone right: no spread
    assert same.facility == 100.0 and same.sd == 0.0 and same.discrimination is None
    assert stats.item_figures([], [], 1).facility is None
    assert stats.cronbach_alpha([[1, 1]]) is None  # one attempt
    assert stats.cronbach_alpha([[1, 0], [1, 0]]) is None  # totals equal
    assert stats.cronbach_alpha([[1], [0]]) is None  # one question
    assert not any(math.isnan(v) for v in [stats.cronbach_alpha(MATRIX)])


def test_shuffled_options_aggregate_to_the_same_option():
    """The question's own options are A B C D with B the key. Three attempts showed them in
    different orders; each person picked the option whose text is C — at shown index 2, 0 and 3.
    Mapped back through ``order`` (shown index → own index) all three are own option 2 (C)."""
    orders = [[0, 1, 2, 3], [2, 0, 3, 1], [1, 3, 0, 2]]
    responses = [[2], [0], [3]]
    keys_shown = [[1], [3], [0]]  # B where each attempt showed it
    picks = [(stats.own_choices(r, o), stats.own_choices(k, o)) for r, o, k in zip(responses, orders, keys_shown)]
    assert [p[0] for p in picks] == [[2], [2], [2]]
    assert [p[1] for p in picks] == [[1], [1], [1]]
    assert stats.most_chosen_wrong(picks) == (2, 3)


def test_most_chosen_wrong_ignores_right_options_and_breaks_ties_by_order():
    key = [0, 2]
    picks = [([0, 1], key), ([0, 2, 3], key), ([1, 3], key), ([0, 2], key)]
    assert stats.most_chosen_wrong(picks) == (1, 2)  # 1 and 3 twice each: the first
    assert stats.most_chosen_wrong([([0, 2], key)]) is None
