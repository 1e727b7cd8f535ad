import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xuebi.core import dates

JULY_1 = dt.date(2021, 7, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "2021-07-01",
        "2021/7/1",
        "2021.7.1",
        "2021年7月1日",
        "2021年7月1号",
        "20210701",
        "二〇二一年七月一日",
        "2021－07－01",
        " 2021 - 7 - 1 ",
        dt.date(2021, 7, 1),
        dt.datetime(2021, 7, 1, 0, 0),
        44378,
    ],
)
def test_forms_people_type_all_mean_july_first(typed):
    assert dates.parse(typed) == (JULY_1, dates.DAY)


@pytest.mark.parametrize(
    "typed, precision, shown",
    [
        ("2021年7月", dates.MONTH, "2021年7月"),
        ("2021.07", dates.MONTH, "2021年7月"),
        ("2021-7", dates.MONTH, "2021年7月"),
        ("2021年", dates.YEAR, "2021年"),
        ("二〇二一年七月", dates.MONTH, "2021年7月"),
    ],
)
def test_the_precision_given_is_kept(typed, precision, shown):
    parsed = dates.parse(typed)
    assert parsed.precision == precision
    assert parsed.display() == shown


def test_chinese_numerals_with_ten():
    assert dates.parse("二〇二一年十二月三十一日").date == dt.date(2021, 12, 31)


@pytest.mark.parametrize(
    "typed, fragment",
    [
        ("2021-02-30", "日期不存在"),
        ("去年七月", "无法识别"),
        ("7/1/2021", "无法识别"),
    ],
)
def test_nonsense_gets_a_chinese_reason(typed, fragment):
    with pytest.raises(ValidationError) as err:
        dates.parse(typed)
    assert fragment in err.value.messages[0]


def test_partial_dates_can_be_refused_where_a_day_is_needed():
    with pytest.raises(ValidationError) as err:
        dates.parse("2021年7月", allow_partial=False)
    assert "具体日期" in err.value.messages[0]


def test_empty_is_none():
    assert dates.parse("  ") is None
    assert dates.parse(None) is None
