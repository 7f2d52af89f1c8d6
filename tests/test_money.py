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


# -- the one display rule (issue 13, item 11) -------------------------------------------


@pytest.mark.parametrize(
    "wan, shown",
    [
        (Decimal("3924.45"), "3,924.45"),
        (Decimal("3924.4500"), "3,924.45"),
        (Decimal("3924.5"), "3,924.50"),
        (Decimal("3924"), "3,924"),
        (Decimal("3924.0000"), "3,924"),
        (Decimal("0.0050"), "0.01"),
        (Decimal("1234567.8912"), "1,234,567.89"),
        (Decimal("-12.3"), "-12.30"),
        (7, "7"),
        (None, ""),
    ],
)
def test_format_money_two_decimals_where_there_are_cents(wan, shown):
    from zsdesk.domain.money import format_money

    assert format_money(wan) == shown


def test_format_money_refuses_floats():
    from zsdesk.domain.money import format_money

    with pytest.raises(TypeError):
        format_money(3924.45)


def test_every_tab_chart_and_print_shows_money_by_the_one_rule():
    """The projects tab, the targets grid, the project editor's totals and the charts'
    labels all format money through format_money (one rule, one function)."""
    from zsdesk.charts.common import quantity_text
    from zsdesk.domain.enums import Indicator
    from zsdesk.ui.projects_tab import _wan
    from zsdesk.ui.targets_tab import format_quantity

    amount = Decimal("3924.45")
    assert quantity_text(amount, "万元") == "3,924.45"
    assert format_quantity(Indicator.DOMESTIC_FUNDS, amount) == "3,924.45"
    assert _wan(39244500) == "3,924.45"
    assert quantity_text(Decimal("3924.5"), "万元") == format_quantity(Indicator.DOMESTIC_FUNDS, Decimal("3924.5")) == "3,924.50"
