"""The Chinese-mobile shortcut of phone parsing never disagrees with phonenumbers.parse."""

from __future__ import annotations

import phonenumbers
from hypothesis import example, given, settings
from hypothesis import strategies as st

from custbook.book import validation
from custbook.io import cells

DIGITS = "0123456789"
# Eleven characters starting with 1, mostly digits, sometimes with the spaces and dashes
# people type (139 1234 5678), sometimes a letter or another separator.
MOBILE_LIKE = st.builds(
    lambda second, rest, seps: "1" + second + "".join(map(str.__add__, rest, seps)),
    st.sampled_from(DIGITS) | st.sampled_from("3456789"),  # most real mobiles: 13… to 19…
    st.lists(st.sampled_from(DIGITS), min_size=8, max_size=10),
    st.lists(st.sampled_from(["", "", "", " ", "-", ".", "a"]), min_size=10, max_size=10),
)


@settings(deadline=None, max_examples=600)
@given(MOBILE_LIKE, st.sampled_from(["CN", "CN", "HK", "US"]))
def test_the_shortcut_agrees_with_phonenumbers(typed, region):
    expected = _parsed_slowly(typed, region)
    assert validation._parse_phone(typed, region) == expected


@settings(deadline=None, max_examples=300)
@given(st.integers(13_000_000_000, 19_999_999_999))
def test_every_mobile_range_agrees(number):
    typed = str(number)
    assert validation._parse_phone(typed, "CN") == _parsed_slowly(typed, "CN")


def _parsed_slowly(typed, region):
    original = (validation._parsed_number, validation._is_valid, validation.valid_cn_mobile)
    validation._parsed_number = phonenumbers.parse
    validation._is_valid = phonenumbers.is_valid_number
    validation.valid_cn_mobile = lambda _typed, _region: None
    try:
        return validation._parse_phone(typed, region)
    finally:
        validation._parsed_number, validation._is_valid, validation.valid_cn_mobile = original


def test_an_eleven_digit_chinese_number_is_valid_by_its_first_five_digits():
    """What the validity by start (validation._is_valid) rests on, for every start of
    this phonenumbers' metadata: a new release that decides on more digits fails here."""
    ends = (*(d * 111_111 for d in range(10)), 123_456, 987_654)  # every digit in every place
    for start in range(10_000, 20_000):
        found = {
            phonenumbers.is_valid_number(
                phonenumbers.PhoneNumber(country_code=86, national_number=start * 10**6 + end)
            )
            for end in ends
        }
        assert found == {validation._cn_start_is_valid(start)}, start


def test_carrier_prefixes_and_other_regions_take_the_long_way():
    for typed in ("17951234567", "11812345678", "12345678901", "14012345678"):
        assert validation._parse_phone(typed, "CN") == _parsed_slowly(typed, "CN")
    assert validation._parse_phone("139 1234 5678", "CN")[0] == "+8613912345678"


def test_a_zero_after_the_country_code_is_not_taken_for_a_mobile():
    """phonenumbers keeps the zero of +86 0138… (italian_leading_zero) and finds the
    number invalid; the validity by start must not see past it."""
    for typed in ("+86 00138 0013 8000", "+860013800138000", "+86 013800138000"):
        for region in ("CN", "US", "HK"):
            assert validation._parse_phone(typed, region) == _parsed_slowly(typed, region)
    assert validation._parse_phone("+86 00138 0013 8000", "CN")[0] is None
    assert validation._parse_phone("+86 013800138000", "CN")[0] == "+8613800138000"  # a trunk 0


@settings(deadline=None, max_examples=400)
@given(MOBILE_LIKE, st.sampled_from(["CN", "CN", "US"]))
@example("139 1234 5678", "CN")
@example("138-0013-8000", "CN")
@example("１３９００１３９０００", "CN")
def test_a_cell_of_one_mobile_reads_as_the_long_way_reads_it(typed, region):
    """cells.phones takes a cell that is one Chinese mobile straight to its number: the
    same phones and problems as splitting it, taking labels and remarks off, and so on."""
    quick = validation.Checker(region=region)
    found = cells.phones(quick, "phones", typed)
    slow = validation.Checker(region=region)
    original = cells.valid_cn_mobile
    cells.valid_cn_mobile = lambda _typed, _region: None
    try:
        assert found == cells.phones(slow, "phones", typed)
    finally:
        cells.valid_cn_mobile = original
    assert quick.problems == slow.problems


@settings(deadline=None, max_examples=400)
@given(
    st.lists(MOBILE_LIKE | st.sampled_from(["139 1234 5678；021-62345678", "１３９１２３４５６７８"]),
             max_size=3),
    st.sampled_from(["CN", "CN", "US"]),
)  # fmt: skip
def test_a_form_value_of_one_mobile_reads_as_the_long_way_reads_it(values, region):
    """Checker.phones takes a value that is one Chinese mobile straight to its number:
    the same phones and problems as splitting it and parsing each part."""
    quick = validation.Checker(region=region)
    found = quick.phones("phones", values)
    slow = validation.Checker(region=region)
    original = validation.valid_cn_mobile
    validation.valid_cn_mobile = lambda _typed, _region: None
    try:
        assert found == slow.phones("phones", values)
    finally:
        validation.valid_cn_mobile = original
    assert quick.problems == slow.problems
