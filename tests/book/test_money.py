"""Amounts: every way a person writes one, exact to the fen, and nothing but AmountError."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book.money import SYMBOLS, AmountError, Money, format_amount, parse_amount
from custbook.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "minor", "currency"),
    [
        ("¥1,250.50", 125050, "CNY"),
        ("￥1,250.50", 125050, "CNY"),  # full-width yen sign
        ("1250.5", 125050, "CNY"),
        ("1250", 125000, "CNY"),
        ("0.01", 1, "CNY"),
        ("0", 0, "CNY"),
        ("3000元", 300000, "CNY"),
        ("3000 元", 300000, "CNY"),
        ("500块", 50000, "CNY"),
        ("2,000", 200000, "CNY"),
        ("1,234,567.89", 123456789, "CNY"),
        ("1.2万", 1200000, "CNY"),
        ("3万元", 3000000, "CNY"),
        ("1.5千", 150000, "CNY"),
        ("2亿", 20000000000, "CNY"),
        ("1.2345万", 1234500, "CNY"),
        ("1.23456万", 1234560, "CNY"),
        ("¥1.2万", 1200000, "CNY"),
        ("RMB 300", 30000, "CNY"),
        ("RMB300", 30000, "CNY"),
        ("rmb 300", 30000, "CNY"),
        ("CNY 300", 30000, "CNY"),
        ("300 CNY", 30000, "CNY"),
        ("人民币300元", 30000, "CNY"),
        ("USD 12.50", 1250, "USD"),
        ("usd 12.5", 1250, "USD"),
        ("$12.50", 1250, "USD"),
        ("US$3,000.00", 300000, "USD"),
        ("12.50 USD", 1250, "USD"),
        ("100美元", 10000, "USD"),
        ("HK$8.80", 880, "HKD"),
        ("€9.99", 999, "EUR"),
        ("£5", 500, "GBP"),
        ("-50", -5000, "CNY"),
        ("-¥50", -5000, "CNY"),
        ("¥-50", -5000, "CNY"),
        ("−50元", -5000, "CNY"),  # U+2212 minus sign
        ("+50", 5000, "CNY"),
        ("１，２５０．５０", 125050, "CNY"),  # full-width digits, comma and point
        ("１２００元", 120000, "CNY"),
        ("  ¥ 1,250.50  ", 125050, "CNY"),
        ("1.50", 150, "CNY"),
        ("1.500", 150, "CNY"),  # a third decimal that is zero loses nothing
    ],
)
def test_accepted_forms(text, minor, currency):
    assert parse_amount(text) == Money(minor, currency)


def test_a_plain_number_takes_the_default_currency():
    assert parse_amount("12.50", default_currency="USD") == Money(1250, "USD")
    assert parse_amount("¥12.50", default_currency="USD") == Money(1250, "CNY")


def test_an_unknown_default_currency_is_the_callers_mistake():
    with pytest.raises(ValueError):
        parse_amount("1", default_currency="XYZ")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "¥",
        "元",
        "万",
        "1.2.3",
        "1,25",  # a decimal comma, or a typo: never read as 125
        "12,34.5",
        "1,2345",
        ".5",
        "5.",
        "--5",
        "-¥-5",
        "5百",
        "1万万",
        "$300元",  # two currencies
        "¥5 USD",
        "JPY 100",
        "1e5",
        "٣٠٠",  # Arabic-Indic digits are no amount here
        "300 300",
    ],
)
def test_not_an_amount(text):
    with pytest.raises(AmountError) as raised:
        parse_amount(text)
    assert "is not an amount" in raised.value.message
    assert f"“{text.strip()}”" in raised.value.message


@pytest.mark.parametrize("text", ["1.234", "¥0.001", "1.2345678万", "0.000001千"])
def test_more_than_two_decimals_is_refused_not_rounded(text):
    with pytest.raises(AmountError, match="decimal places") as raised:
        parse_amount(text)
    assert text in raised.value.message


def test_long_decimals_are_not_rounded_away():
    with pytest.raises(AmountError, match="decimal places"):
        parse_amount("1.0000000000000000000000000000001")


def test_the_largest_amount():
    assert parse_amount("10,000,000,000,000") == Money(10**15, "CNY")
    assert parse_amount("-10,000,000,000,000") == Money(-(10**15), "CNY")
    for text in ["10,000,000,000,000.01", "100000000亿", "-10000000000000.01"]:
        with pytest.raises(AmountError, match="too large"):
            parse_amount(text)


def test_the_message_names_a_long_text_only_in_part():
    with pytest.raises(AmountError) as raised:
        parse_amount("x" * 500)
    assert "x" * 40 + "…" in raised.value.message
    assert "x" * 41 not in raised.value.message


def test_amount_error_is_invalid_input():
    assert issubclass(AmountError, InvalidInput)


@pytest.mark.parametrize(
    ("money", "shown"),
    [
        (Money(125050, "CNY"), "¥1,250.50"),
        (Money(0, "CNY"), "¥0.00"),
        (Money(5, "CNY"), "¥0.05"),
        (Money(-5000, "CNY"), "-¥50.00"),
        (Money(300000, "USD"), "US$3,000.00"),
        (Money(123456789012, "CNY"), "¥1,234,567,890.12"),
        (Money(880, "HKD"), "HK$8.80"),
        (Money(1200, "CHF"), "CHF 12.00"),  # no symbol: the code
    ],
)
def test_format_amount(money, shown):
    assert format_amount(money) == shown


@settings(deadline=None, max_examples=300)
@given(st.text())
def test_any_text_gives_money_or_amount_error(text):
    try:
        result = parse_amount(text)
    except AmountError:
        return
    assert isinstance(result, Money)
    assert abs(result.minor) <= 10**15


@settings(deadline=None, max_examples=300)
@given(
    st.text(alphabet="0123456789,.-+ ¥$元万千亿RMBUSD￥１２，．", max_size=20),
)
def test_amount_like_text_gives_money_or_amount_error(text):
    try:
        result = parse_amount(text)
    except AmountError:
        return
    assert isinstance(result, Money)


@settings(deadline=None, max_examples=300)
@given(
    st.builds(
        Money,
        minor=st.integers(min_value=-(10**13), max_value=10**13),
        currency=st.sampled_from(["CNY", "USD"]),
    )
)
def test_format_then_parse_is_the_same_money(money):
    assert parse_amount(format_amount(money)) == money


@settings(deadline=None, max_examples=100)
@given(
    st.builds(
        Money, minor=st.integers(-(10**15), 10**15), currency=st.sampled_from(sorted(SYMBOLS))
    )
)
def test_every_symbol_round_trips(money):
    assert parse_amount(format_amount(money), default_currency="USD") == money


@settings(deadline=None, max_examples=500)
@given(
    whole=st.from_regex(r"[0-9]{1,13}", fullmatch=True),
    fraction=st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,12}", fullmatch=True)),
    scale=st.sampled_from(["", "千", "万", "亿"]),
)
def test_the_amount_is_the_exact_decimal_product(whole, fraction, scale):
    """The minor units are the number times its scale, exactly: what Decimal makes of it
    (the point is moved in the text, not computed)."""
    exact = Decimal(whole + fraction) * 10 ** ({"": 0, "千": 3, "万": 4, "亿": 8}[scale] + 2)
    try:
        result = parse_amount(whole + fraction + scale)
    except AmountError:  # a fraction of a fen, or too large
        assert exact != exact.to_integral_value() or exact > 10**15
        return
    assert result == Money(int(exact), "CNY")
