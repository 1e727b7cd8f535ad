"""The quota arithmetic at the boundaries (4, 5, 9, 10, 11 people) and the 优秀 eligibility rule: exact, no float."""

from decimal import Decimal
from fractions import Fraction

import pytest

from xuebi.assessments.quota import Eligibility, Quota, as_fraction, cap, excellent_eligible, over_cap_message

GOOD = Quota(share=Decimal("0.4"))  # 好, 平时考核
EXCELLENT = Quota(share=Fraction(1, 5))  # 优秀, 年度考核
APPROVED = Quota(share="25%")  # 优秀 with the competent department's approval


@pytest.mark.parametrize(
    ("people", "good", "excellent", "approved"),
    [
        (4, 1, 1, 1),  # 40% of 4 = 1.6 → 1; 20% of 4 = 0.8 → no place → "one" rule gives 1; 25% of 4 = 1
        (5, 2, 1, 1),  # 2.0 exactly; 1.0 exactly; 1.25 → 1
        (9, 3, 1, 2),  # 3.6 → 3; 1.8 → 1; 2.25 → 2
        (10, 4, 2, 2),  # 4.0 exactly (not 3.999…); 2.0; 2.5 → 2
        (11, 4, 2, 2),  # 4.4 → 4; 2.2 → 2; 2.75 → 2
    ],
)
def test_cap_at_the_boundaries(people, good, excellent, approved):
    assert cap(GOOD, people) == good
    assert cap(EXCELLENT, people) == excellent
    assert cap(APPROVED, people) == approved


def test_fewer_people_than_make_one_place_follow_the_configured_rule():
    assert cap(Quota(share="20%", small_unit="one"), 4) == 1
    assert cap(Quota(share="20%", small_unit="none"), 4) == 0
    assert cap(Quota(share="20%", small_unit="none"), 5) == 1  # exactly one place: the rule is not asked
    assert cap(Quota(share="40%", small_unit="none"), 2) == 0
    assert cap(Quota(share="40%", small_unit="one"), 1) == 1
    assert cap(Quota(share="20%"), 0) == 0  # nobody assessed, no place
    assert cap(Quota(share="0"), 10) == 0  # a share of nothing stays nothing


def test_a_configured_count_replaces_the_share():
    assert cap(Quota(share="40%", count=3), 10) == 3
    assert cap(Quota(share="40%", count=3), 2) == 2  # never more places than people


def test_shares_are_exact_and_floats_are_refused():
    assert as_fraction("40%") == as_fraction(Decimal("0.4")) == as_fraction("2/5") == Fraction(2, 5)
    assert cap(Quota(share=Decimal("0.1") + Decimal("0.2")), 10) == 3
    with pytest.raises(TypeError):
        as_fraction(0.4)
    with pytest.raises(ValueError):
        Quota(share="120%")
    with pytest.raises(ValueError):
        Quota(share="20%", small_unit="round")
    assert Quota(share="12.5%").percent == "12.5%"
    assert GOOD.percent == "40%"


def test_the_refusal_says_how_many_places_there_are():
    assert over_cap_message("好", 3, 3) is None
    assert over_cap_message("好", 3, 4).startswith("好 最多 3 人，现为 4 人")


@pytest.mark.parametrize(
    ("grades", "eligible"),
    [
        (["good", "good", "good", "good"], True),
        (["good", "good", "good", "fairly_good"], True),  # 3 of 4: more than half
        (["good", "good", "fairly_good", "fairly_good"], False),  # 2 of 4: half is not more than half
        (["good", "good", "good", "fair"], False),  # a 一般 bars it
        (["good", "good", "good", "poor"], False),  # a 较差 bars it
        (["good", "good", None, None], True),  # 2 quarters assessed, both 好
        (["good", "fairly_good", "fairly_good"], False),  # 1 of 3
        (["good", "good", "fairly_good"], True),  # 2 of 3
        ([None, None, None, None], False),  # never assessed
        ([], False),
    ],
)
def test_excellent_eligibility(grades, eligible):
    assert excellent_eligible(grades)[0] is eligible


def test_eligibility_is_configurable():
    lenient = Eligibility(share="1/3", barred=("poor",))
    assert excellent_eligible(["good", "good", "fair", "fairly_good"], lenient)[0] is True
    assert excellent_eligible(["good", "good", "poor", "good"], lenient)[0] is False
    assert "未超过半数" in excellent_eligible(["good", "good", "fairly_good", "fairly_good"])[1]
