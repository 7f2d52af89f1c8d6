from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zsdesk.domain.money import (
    MoneyError,
    format_percent,
    format_wan,
    format_yi,
    parse_wan,
    wan_to_yuan,
    yuan_to_wan,
)


def test_ten_tenths_make_exactly_one():
    total = sum((parse_wan("0.1") for _ in range(10)), Decimal(0))
    assert total == Decimal(1)
    assert sum(wan_to_yuan(parse_wan("0.1")) for _ in range(10)) == 10_000


@pytest.mark.parametrize(
    "text, expected",
    [("12.5", Decimal("12.5")), (" 1,234.0001 ", Decimal("1234.0001")), ("0", Decimal(0)), ("1.50000", Decimal("1.5"))],
)
def test_parse_accepts(text, expected):
    assert parse_wan(text) == expected


@pytest.mark.parametrize(
    "text, words",
    [("", "不能为空"), ("abc", "不是数字"), ("1.00001", "小数位太多"), ("-3", "不能为负数"), ("NaN", "不是数字")],
)
def test_parse_refuses_in_chinese(text, words):
    with pytest.raises(MoneyError, match=words):
        parse_wan(text)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        parse_wan(0.1)
    with pytest.raises(TypeError):
        wan_to_yuan(0.1)


@given(st.integers(min_value=0, max_value=10**15))
def test_yuan_round_trip(yuan):
    assert wan_to_yuan(yuan_to_wan(yuan)) == yuan


def test_formats():
    assert format_wan(Decimal("12345.6000")) == "12,345.6"
    assert format_wan(Decimal("100")) == "100"
    assert format_yi(Decimal("32700")) == "3.27"
    assert format_yi(Decimal("12345"), 3) == "1.235"  # half up, as people round
    assert format_percent(Decimal("0.123456")) == "12.35%"
    assert format_percent(None) == "—"
