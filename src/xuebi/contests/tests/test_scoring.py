"""The contest arithmetic: trimmed means, places, ties, award levels, the final, normalisation."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuebi.contests import scoring
from xuebi.contests.scoring import AwardLevel


def scores(*values):
    return [D(str(v)) for v in values]


def test_two_judges_average_both():
    agg = scoring.aggregate(scores(80, 91), trim_from=5)
    assert (agg.score, agg.shown, agg.trimmed, agg.dropped_high) == (D("85.500"), D("85.50"), False, None)


def test_three_judges_below_the_threshold_average_all():
    agg = scoring.aggregate(scores(90, 70, 80.5), trim_from=5)
    assert agg.score == D("80.167") and agg.shown == D("80.17") and not agg.trimmed


def test_three_judges_at_a_threshold_of_three_keep_the_middle():
    agg = scoring.aggregate(scores(90, 70, 80.5), trim_from=3)
    assert (agg.score, agg.dropped_high, agg.dropped_low) == (D("80.500"), D("90"), D("70"))


def test_five_judges_drop_one_highest_and_one_lowest():
    agg = scoring.aggregate(scores(88, 92.5, 79, 85, 99), trim_from=5)
    # 99 and 79 dropped; (88 + 92.5 + 85) / 3 = 88.5
    assert (agg.score, agg.dropped_high, agg.dropped_low, agg.count) == (D("88.500"), D("99"), D("79"), 5)
    assert agg.full_mean == D("88.700")


def test_seven_judges_drop_only_one_of_each_even_when_repeated():
    agg = scoring.aggregate(scores(90, 90, 85, 85, 80, 80, 95), trim_from=5)
    # drop one 95 and one 80: (90+90+85+85+80)/5 = 86
    assert agg.score == D("86.000") and agg.dropped_high == D("95") and agg.dropped_low == D("80")


def test_thirds_round_half_up_to_three_decimals_and_show_two():
    agg = scoring.aggregate(scores(85.01, 85.02, 85.02), trim_from=5)
    assert agg.score == D("85.017") and agg.shown == D("85.02")


def test_no_scores_is_no_result():
    assert scoring.aggregate([], trim_from=5) is None


def test_weighted_total():
    assert scoring.weighted_total({1: D("8.5"), 2: D("7")}, {1: D("4"), 2: D("3")}) == D("55.00")


def test_ties_share_a_place_and_skip_the_next():
    ranked = scoring.rank({"a": D("90.1"), "b": D("88"), "c": D("88"), "d": D("70")})
    assert [(r.key, r.place, r.tied) for r in ranked] == [("a", 1, False), ("b", 2, True), ("c", 2, True), ("d", 4, False)]


def test_three_decimals_separate_what_two_decimals_tie():
    a = scoring.aggregate(scores(85.01, 85.02, 85.02), trim_from=5)  # 85.017 → 85.02
    b = scoring.aggregate(scores(85.02, 85.02, 85.02), trim_from=5)  # 85.020 → 85.02
    assert a.shown == b.shown
    ranked = scoring.rank({"a": a.score, "b": b.score})
    assert [(r.key, r.place) for r in ranked] == [("b", 1), ("a", 2)]


def test_a_tie_break_value_separates_equal_scores():
    ranked = scoring.rank({"a": D("88"), "b": D("88"), "c": D("88")}, tie_values={"a": D("30"), "b": D("35"), "c": D("30")})
    assert [(r.key, r.place) for r in ranked] == [("b", 1), ("a", 2), ("c", 2)]


def test_award_by_count_one_two_three_and_the_rest():
    ranked = scoring.rank({k: D(100 - i) for i, k in enumerate("abcdefghij")})
    levels = [AwardLevel("一等奖", count=1), AwardLevel("二等奖", count=2), AwardLevel("三等奖", count=3), AwardLevel("优秀奖")]
    won = scoring.award_levels(ranked, levels)
    assert [won[k] for k in "abcdefghij"] == ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖"] + ["优秀奖"] * 4


def test_a_tie_at_the_line_gives_the_level_to_every_tied_entry():
    ranked = scoring.rank({"a": D(95), "b": D(90), "c": D(90), "d": D(80), "e": D(70)})
    won = scoring.award_levels(
        ranked, [AwardLevel("一等奖", count=1), AwardLevel("二等奖", count=1), AwardLevel("三等奖", count=1)]
    )
    # b and c share 2nd place: both 二等奖; place 4 (d) is beyond 一等奖 1 + 二等奖 1 + 三等奖 1
    assert won == {"a": "一等奖", "b": "二等奖", "c": "二等奖"}


def test_award_by_share_rounds_half_up_and_gives_at_least_one():
    assert scoring.level_sizes([AwardLevel("一等奖", share=D("0.1")), AwardLevel("二等奖", share=D("0.2"))], 25) == [3, 5]
    assert scoring.level_sizes([AwardLevel("一等奖", share=D("0.1"))], 4) == [1]
    assert scoring.level_sizes([AwardLevel("一等奖", count=5), AwardLevel("二等奖", count=5)], 7) == [5, 2]
    ranked = scoring.rank({k: D(100 - i) for i, k in enumerate("abcdefghijklmnopqrst")})
    won = scoring.award_levels(ranked, [AwardLevel("一等奖", share=D("0.1")), AwardLevel("二等奖", share=D("0.2"))])
    assert sum(1 for v in won.values() if v == "一等奖") == 2 and sum(1 for v in won.values() if v == "二等奖") == 4


def test_panel_to_final_takes_the_top_k_and_the_tied():
    ranked = scoring.rank({"a": D(95), "b": D(90), "c": D(90), "d": D(80)})
    assert scoring.finalists(ranked, 2) == ["a", "b", "c"]
    assert scoring.finalists(ranked, 1) == ["a"]


def test_normalise_maps_a_strict_judge_onto_the_panel():
    # judge 1 is strict, judge 2 lenient, on different entries: same order within each
    rows = [(1, "a", D(60)), (1, "b", D(70)), (2, "c", D(90)), (2, "d", D(80))]
    made = scoring.normalise(rows)
    assert made[(1, "b")] == made[(2, "c")] and made[(1, "a")] == made[(2, "d")]
    assert made[(1, "b")] > made[(1, "a")]


def test_normalise_a_judge_without_spread_gives_the_panel_mean():
    made = scoring.normalise([(1, "a", D(80)), (1, "b", D(80)), (2, "a", D(70)), (2, "b", D(90))])
    assert made[(1, "a")] == made[(1, "b")] == D("80.00")


def test_spread_flags_the_judge_far_from_the_others():
    rows = [(j, e, D(v)) for j, vals in {1: [80, 82, 84], 2: [81, 83, 85], 3: [50, 52, 55]}.items() for e, v in zip("abc", vals)]
    flagged = {s.judge for s in scoring.judge_spread(rows) if s.flagged}
    assert flagged == {3}


def test_disagreement_over_a_fifth_of_the_maximum():
    gaps = scoring.disagreements({"a": [D(90), D(65)], "b": [D(90), D(75)]}, maximum=D(100))
    assert gaps == {"a": D("25.00")}


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=9), st.integers(3, 7))
def test_the_score_lies_between_the_lowest_and_highest(values, trim_from):
    agg = scoring.aggregate(values, trim_from=trim_from)
    assert min(values) <= agg.score <= max(values)
    assert agg.trimmed == (len(values) >= trim_from)


@pytest.mark.parametrize("n", [2, 3, 5, 7])
def test_equal_judges_give_that_score(n):
    assert scoring.aggregate([D("77.77")] * n, trim_from=5).score == D("77.770")
