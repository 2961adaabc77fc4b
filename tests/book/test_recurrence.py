"""Repeat rules and birthdays: month ends, leap years, catching up, both languages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book.recurrence import (
    RuleError,
    age_on,
    birthday_on,
    next_birthday,
    next_due,
    occurrences,
    parse_rule,
)
from custbook.errors import InvalidInput

# --- parse_rule ---


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("daily", "daily"),
        ("Daily", "daily"),
        ("  every day ", "daily"),
        ("weekly", "weekly"),
        ("WEEKLY", "weekly"),
        ("every week", "weekly"),
        ("monthly", "monthly"),
        ("every month", "monthly"),
        ("yearly", "yearly"),
        ("annually", "yearly"),
        ("every 10 days", "every 10 days"),
        ("every  10   days", "every 10 days"),
        ("Every 3 Days", "every 3 days"),
        ("every 1 day", "daily"),
        ("every 7 days", "weekly"),
        ("every 2 weeks", "every 14 days"),
        ("every 1 week", "weekly"),
        ("every 3650 days", "every 3650 days"),
        ("every 521 weeks", "every 3647 days"),
        ("每天", "daily"),
        ("每日", "daily"),
        ("每周", "weekly"),
        ("每星期", "weekly"),
        ("每个星期", "weekly"),
        ("每月", "monthly"),
        ("每个月", "monthly"),
        ("每年", "yearly"),
        ("每3天", "every 3 days"),
        ("每 3 天", "every 3 days"),
        ("每１０天", "every 10 days"),  # full-width digits
        ("每2周", "every 14 days"),
        ("每2个星期", "every 14 days"),
    ],
)
def test_parse_rule(text, rule):
    assert parse_rule(text) == rule


@pytest.mark.parametrize("rule", ["daily", "weekly", "monthly", "yearly", "every 10 days"])
def test_a_normal_rule_is_its_own_normal_form(rule):
    assert parse_rule(rule) == rule


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sometimes",
        "every 0 days",
        "every 3651 days",
        "every 522 weeks",
        "every -3 days",
        "every 1.5 days",
        "every days",
        "每0天",
        "每两天",
        "每3651天",
        "每",
        "hourly",
        "every 3 months",
    ],
)
def test_parse_rule_refuses(text):
    with pytest.raises(RuleError) as raised:
        parse_rule(text)
    assert f"“{text.strip()}”" in raised.value.message
    assert "repeat rule" in raised.value.message
    assert isinstance(raised.value, InvalidInput)


def test_a_bad_stored_rule_is_refused_by_next_due():
    with pytest.raises(RuleError):
        next_due("fortnightly", date(2026, 1, 1), date(2026, 1, 1))


# --- series ---


def test_monthly_from_jan_31_keeps_the_anchor_day():
    got = occurrences("monthly", date(2023, 1, 31), date(2023, 1, 1), date(2024, 2, 29))
    assert got == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 31),  # back to 31: from the anchor, not from Feb 28
        date(2023, 4, 30),
        date(2023, 5, 31),
        date(2023, 6, 30),
        date(2023, 7, 31),
        date(2023, 8, 31),
        date(2023, 9, 30),
        date(2023, 10, 31),
        date(2023, 11, 30),
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),  # a leap year
    ]


def test_monthly_next_due_steps_through_month_ends():
    due = date(2024, 1, 31)
    assert next_due("monthly", due, due) == date(2024, 2, 29)
    assert next_due("monthly", due, date(2024, 2, 29)) == date(2024, 3, 31)
    assert next_due("monthly", due, date(2024, 3, 31)) == date(2024, 4, 30)
    assert next_due("monthly", due, date(2024, 4, 30)) == date(2024, 5, 31)
    assert next_due("monthly", due, date(2025, 1, 31)) == date(2025, 2, 28)


def test_monthly_on_the_30th():
    got = occurrences("monthly", date(2025, 1, 30), date(2025, 1, 1), date(2025, 4, 30))
    assert got == [date(2025, 1, 30), date(2025, 2, 28), date(2025, 3, 30), date(2025, 4, 30)]


def test_yearly_from_feb_29_over_eight_years():
    got = occurrences("yearly", date(2020, 2, 29), date(2020, 1, 1), date(2027, 12, 31))
    assert got == [
        date(2020, 2, 29),
        date(2021, 2, 28),
        date(2022, 2, 28),
        date(2023, 2, 28),
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
    ]


def test_yearly_next_due_around_feb_29():
    due = date(2024, 2, 29)
    assert next_due("yearly", due, due) == date(2025, 2, 28)
    assert next_due("yearly", due, date(2025, 2, 28)) == date(2026, 2, 28)
    assert next_due("yearly", due, date(2027, 3, 1)) == date(2028, 2, 29)
    assert next_due("yearly", due, date(2027, 2, 27)) == date(2027, 2, 28)


def test_every_10_days():
    got = occurrences("every 10 days", date(2024, 2, 25), date(2024, 2, 1), date(2024, 4, 1))
    assert got == [date(2024, 2, 25), date(2024, 3, 6), date(2024, 3, 16), date(2024, 3, 26)]


def test_weekly_keeps_the_weekday():
    got = occurrences("weekly", date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 31))
    assert got == [date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23), date(2026, 3, 30)]
    assert {day.weekday() for day in got} == {0}


def test_daily():
    assert next_due("daily", date(2026, 3, 1), date(2026, 3, 1)) == date(2026, 3, 2)
    assert next_due("daily", date(2026, 3, 1), date(2026, 2, 1)) == date(2026, 3, 1)


def test_occurrences_window():
    due = date(2026, 1, 15)
    assert occurrences("monthly", due, date(2026, 1, 16), date(2026, 2, 14)) == []
    assert occurrences("monthly", due, date(2026, 3, 15), date(2026, 3, 15)) == [date(2026, 3, 15)]
    assert occurrences("monthly", due, date(2026, 5, 1), date(2026, 4, 1)) == []
    assert occurrences("monthly", due, date(2025, 1, 1), date(2026, 1, 14)) == []


def test_next_due_before_the_anchor_is_the_anchor():
    assert next_due("monthly", date(2026, 5, 31), date(2026, 1, 1)) == date(2026, 5, 31)


@pytest.mark.parametrize(
    ("rule", "due", "after", "expected"),
    [
        # Done two and a half years late: the missed slots are skipped, not replayed.
        ("monthly", date(2023, 1, 31), date(2025, 6, 15), date(2025, 6, 30)),
        ("monthly", date(2023, 1, 31), date(2025, 6, 30), date(2025, 7, 31)),
        ("weekly", date(2024, 1, 1), date(2026, 3, 4), date(2026, 3, 9)),
        ("every 10 days", date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 5)),
        ("every 10 days", date(2024, 1, 1), date(2025, 1, 4), date(2025, 1, 5)),
        ("every 10 days", date(2024, 1, 1), date(2025, 1, 5), date(2025, 1, 15)),
        ("daily", date(2020, 1, 1), date(2026, 3, 4), date(2026, 3, 5)),
        ("yearly", date(2001, 6, 15), date(2026, 6, 14), date(2026, 6, 15)),
        ("yearly", date(2001, 6, 15), date(2026, 6, 15), date(2027, 6, 15)),
    ],
)
def test_next_due_catches_up_after_a_long_gap(rule, due, after, expected):
    assert next_due(rule, due, after) == expected


RULES = st.sampled_from(
    ["daily", "weekly", "monthly", "yearly", "every 2 days", "every 10 days", "every 45 days"]
)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@settings(deadline=None, max_examples=300)
@given(RULES, DATES, DATES)
def test_next_due_is_the_first_occurrence_after(rule, due, after):
    got = next_due(rule, due, after)
    assert got > after
    assert got >= due
    # It is an occurrence, and no occurrence lies between `after` and it.
    assert occurrences(rule, due, min(due, after), got)[-1] == got
    assert occurrences(rule, due, after + timedelta(days=1), got) == [got]


@settings(deadline=None, max_examples=100)
@given(st.sampled_from(["monthly", "yearly"]), DATES)
def test_month_series_never_drift(rule, due):
    got = occurrences(rule, due, due, due + timedelta(days=370 * 3))
    for day in got:
        # Every occurrence is on the anchor day, or on the last day of a shorter month.
        assert day.day == due.day or (day.day < due.day and (day + timedelta(days=1)).day == 1)


# --- birthdays ---


def test_birthday_with_and_without_a_year():
    assert birthday_on("1985-03-05", 2026) == date(2026, 3, 5)
    assert birthday_on("--03-05", 2026) == date(2026, 3, 5)
    assert birthday_on("--12-31", 2027) == date(2027, 12, 31)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, date(2024, 2, 29)),
        (2025, date(2025, 2, 28)),
        (2100, date(2100, 2, 28)),
        (2000, date(2000, 2, 29)),
    ],
)
def test_feb_29_birthdays(year, expected):
    assert birthday_on("--02-29", year) == expected
    assert birthday_on("1996-02-29", year) == expected


@pytest.mark.parametrize(
    "birthday",
    [
        "",
        "1985-3-5",
        "03-05",
        "-03-05",
        "1985-02-30",
        "1985-02-29",
        "--02-30",
        "--13-01",
        "--00-10",
        "0000-01-01",
        "1985-03-05T00:00",
        "１９８５-03-05",
        "x985-03-05",
    ],
)
def test_malformed_birthdays(birthday):
    assert birthday_on(birthday, 2026) is None
    assert next_birthday(birthday, date(2026, 1, 1)) is None
    assert age_on(birthday, date(2026, 1, 1)) is None


def test_next_birthday():
    assert next_birthday("--03-05", date(2026, 3, 4)) == date(2026, 3, 5)
    assert next_birthday("--03-05", date(2026, 3, 5)) == date(2026, 3, 5)  # today counts
    assert next_birthday("--03-05", date(2026, 3, 6)) == date(2027, 3, 5)
    assert next_birthday("1985-12-31", date(2026, 12, 31)) == date(2026, 12, 31)
    assert next_birthday("1985-01-01", date(2026, 12, 31)) == date(2027, 1, 1)


def test_next_feb_29_birthday():
    assert next_birthday("--02-29", date(2025, 2, 28)) == date(2025, 2, 28)
    assert next_birthday("--02-29", date(2025, 3, 1)) == date(2026, 2, 28)
    assert next_birthday("--02-29", date(2027, 3, 1)) == date(2028, 2, 29)
    assert next_birthday("2000-02-29", date(2024, 2, 29)) == date(2024, 2, 29)


def test_age():
    assert age_on("1985-03-05", date(2026, 3, 4)) == 40
    assert age_on("1985-03-05", date(2026, 3, 5)) == 41
    assert age_on("1985-03-05", date(1985, 3, 5)) == 0
    assert age_on("1985-03-05", date(1985, 3, 4)) is None  # not born yet
    assert age_on("--03-05", date(2026, 3, 5)) is None  # no year


def test_age_with_a_feb_29_birthday():
    # A year older on Feb 28 in non-leap years, the day birthday_on gives.
    assert age_on("2000-02-29", date(2001, 2, 27)) == 0
    assert age_on("2000-02-29", date(2001, 2, 28)) == 1
    assert age_on("2000-02-29", date(2004, 2, 28)) == 3
    assert age_on("2000-02-29", date(2004, 2, 29)) == 4
