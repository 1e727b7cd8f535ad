import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xuebi.core import idcard


def test_the_standard_example_is_valid_and_gives_birth_date_and_sex():
    number, birth, sex = idcard.parse("11010519491231002X")
    assert (number, birth, sex) == ("11010519491231002X", dt.date(1949, 12, 31), "F")


def test_lower_case_x_and_spaces_are_accepted():
    assert idcard.parse(" 11010519491231002x ")[0] == "11010519491231002X"


def test_old_15_digit_number_is_widened_with_19_and_a_check_character():
    number, birth, _sex = idcard.parse("110105491231002")
    assert number == "11010519491231002X"
    assert birth == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("110105194912310021", "校验码"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100", "18位"),
        ("11010519491231002Y", "18位"),
    ],
)
def test_bad_numbers_get_a_chinese_reason(value, fragment):
    with pytest.raises(ValidationError) as err:
        idcard.parse(value)
    assert fragment in err.value.messages[0]


@given(
    address=st.sampled_from(["152501", "152502", "152522", "152571"]),
    birth=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2005, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_number_with_the_computed_check_character_parses_and_a_changed_digit_does_not(address, birth, seq):
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    number = first17 + idcard.check_char(first17)
    assert idcard.parse(number) == (number, birth, "M" if seq % 2 else "F")
    # Changing the sequence's last digit always changes the weighted sum mod 11 (weight 2).
    other = first17[:16] + str((int(first17[16]) + 1) % 10) + number[17]
    with pytest.raises(ValidationError):
        idcard.parse(other)


def test_mask_shows_first_six_and_last_four():
    assert idcard.mask("152522198703150011") == "152522********0011"
