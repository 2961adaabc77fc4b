"""WHEN, the one date grammar: every form in both languages against a fixed Wednesday,
month-end arithmetic, clear errors, and no input that raises anything but WhenError."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book.when import WhenError, parse_when, when_help
from custbook.errors import InvalidInput

TODAY = date(2026, 11, 25)  # a Wednesday; its week runs Mon 23 to Sun 29
assert TODAY.weekday() == 2


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


CASES = {
    # Calendar dates
    "2026-03-05": d(3, 5),
    "2026/3/5": d(3, 5),
    "2026.3.5": d(3, 5),
    "2026年3月5日": d(3, 5),
    "2026年3月5号": d(3, 5),
    "2027-01-01": d(1, 1, 2027),
    "２０２６－０３－０５": d(3, 5),  # full-width
    # Month and day: the next one on or after today
    "3-5": d(3, 5, 2027),
    "03-05": d(3, 5, 2027),
    "3月5日": d(3, 5, 2027),
    "3/5": d(3, 5, 2027),
    "12-25": d(12, 25),
    "12月25日": d(12, 25),
    "１２月２５日": d(12, 25),
    "11-25": TODAY,  # today counts
    "11-24": d(11, 24, 2027),
    "--03-05": d(3, 5, 2027),  # how birthdays are stored
    "2-29": d(2, 29, 2028),
    # Offsets
    "3d": d(11, 28),
    "+3d": d(11, 28),
    "3 d": d(11, 28),
    "3 days": d(11, 28),
    "1 day": d(11, 26),
    "in 3 days": d(11, 28),
    "3 days later": d(11, 28),
    "2w": d(12, 9),
    "2 weeks": d(12, 9),
    "1 week": d(12, 2),
    "1m": d(12, 25),
    "1 month": d(12, 25),
    "3 months": d(2, 25, 2027),
    "1y": d(11, 25, 2027),
    "1 year": d(11, 25, 2027),
    "2 years": d(11, 25, 2028),
    "0d": TODAY,
    "-3d": d(11, 22),
    "3 days ago": d(11, 22),
    "3天": d(11, 28),
    "3天后": d(11, 28),
    "3天前": d(11, 22),
    "2周": d(12, 9),
    "2星期": d(12, 9),
    "2个星期": d(12, 9),
    "1个月": d(12, 25),
    "1个月后": d(12, 25),
    "1年": d(11, 25, 2027),
    "三天": d(11, 28),
    "两周": d(12, 9),
    "十天": d(12, 5),
    "十二个月": d(11, 25, 2027),
    "二十一天": d(12, 16),
    "３ｄ": d(11, 28),
    # Words
    "today": TODAY,
    "tomorrow": d(11, 26),
    "yesterday": d(11, 24),
    "今天": TODAY,
    "明天": d(11, 26),
    "后天": d(11, 27),
    "大后天": d(11, 28),
    "昨天": d(11, 24),
    "前天": d(11, 23),
    # Weekdays, English: the coming one, strictly after today
    "mon": d(11, 30),
    "monday": d(11, 30),
    "tue": d(12, 1),
    "wed": d(12, 2),  # today is Wednesday: a week on
    "thu": d(11, 26),
    "thursday": d(11, 26),
    "fri": d(11, 27),
    "sat": d(11, 28),
    "sun": d(11, 29),
    "sunday": d(11, 29),
    # ... `next X`: X of next week (Mon 30 to Sun 6)
    "next mon": d(11, 30),
    "next wed": d(12, 2),
    "next fri": d(12, 4),
    "next sun": d(12, 6),
    # ... `this X`: X of this week, even if past
    "this mon": d(11, 23),
    "this fri": d(11, 27),
    # Weekdays, Chinese
    "周一": d(11, 30),
    "周三": d(12, 2),
    "周五": d(11, 27),
    "周日": d(11, 29),
    "周天": d(11, 29),
    "星期一": d(11, 30),
    "星期五": d(11, 27),
    "星期日": d(11, 29),
    "星期天": d(11, 29),
    "礼拜一": d(11, 30),
    "礼拜四": d(11, 26),
    "下周一": d(11, 30),
    "下周五": d(12, 4),
    "下周日": d(12, 6),
    "下星期二": d(12, 1),
    "下个礼拜三": d(12, 2),
    "本周五": d(11, 27),
    "这周五": d(11, 27),
    "本周一": d(11, 23),
    "这个星期一": d(11, 23),
    # Month ends and next periods
    "end of month": d(11, 30),
    "月底": d(11, 30),
    "end of next month": d(12, 31),
    "下个月底": d(12, 31),
    "next month": d(12, 25),
    "下个月": d(12, 25),
    "next week": d(12, 2),
    "下周": d(12, 2),
    "next year": d(11, 25, 2027),
    "明年": d(11, 25, 2027),
}


@pytest.mark.parametrize(("text", "expected"), CASES.items(), ids=list(CASES))
def test_every_form(text, expected):
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["  Tomorrow ", "NEXT   FRI", "Next Friday", "3 DAYS", "EOM", "下 周五"]
)
def test_case_and_spaces_do_not_matter(text):
    assert parse_when(text, TODAY) in (d(11, 26), d(12, 4), d(11, 28), d(11, 30))


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2026, 1, 31), "1m", date(2026, 2, 28)),
        (date(2028, 1, 31), "1m", date(2028, 2, 29)),
        (date(2026, 1, 31), "next month", date(2026, 2, 28)),
        (date(2026, 1, 31), "下个月", date(2026, 2, 28)),
        (date(2026, 3, 31), "1个月", date(2026, 4, 30)),
        (date(2028, 2, 29), "1y", date(2029, 2, 28)),
        (date(2026, 2, 10), "月底", date(2026, 2, 28)),
        (date(2028, 2, 10), "end of month", date(2028, 2, 29)),
        (date(2026, 1, 31), "end of next month", date(2026, 2, 28)),
        (date(2026, 12, 31), "1d", date(2027, 1, 1)),
    ],
)
def test_month_ends(today, text, expected):
    assert parse_when(text, today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 4), date(2026, 3, 5)),  # before: this year
        (date(2026, 3, 5), date(2026, 3, 5)),  # on the day: today
        (date(2026, 3, 6), date(2027, 3, 5)),  # after: next year
    ],
)
def test_month_day_without_a_year(today, expected):
    assert parse_when("3-5", today) == expected
    assert parse_when("3月5日", today) == expected


def test_feb_29_without_a_year_is_the_next_one_that_exists():
    assert parse_when("2-29", date(2026, 11, 25)) == date(2028, 2, 29)
    assert parse_when("2月29日", date(2028, 2, 29)) == date(2028, 2, 29)
    assert parse_when("02-29", date(2028, 3, 1)) == date(2032, 2, 29)
    assert parse_when("2-29", date(2097, 1, 1)) == date(2104, 2, 29)  # 2100 is no leap year


@pytest.mark.parametrize(
    ("today", "mon", "next_mon", "fri", "next_fri", "this_fri"),
    [
        (date(2026, 11, 23), d(11, 30), d(11, 30), d(11, 27), d(12, 4), d(11, 27)),  # Monday
        (date(2026, 11, 27), d(11, 30), d(11, 30), d(12, 4), d(12, 4), d(11, 27)),  # Friday
        (date(2026, 11, 29), d(11, 30), d(11, 30), d(12, 4), d(12, 4), d(11, 27)),  # Sunday
    ],
)
def test_weekday_rules_through_the_week(today, mon, next_mon, fri, next_fri, this_fri):
    assert parse_when("mon", today) == parse_when("周一", today) == mon
    assert parse_when("next mon", today) == parse_when("下周一", today) == next_mon
    assert parse_when("fri", today) == parse_when("星期五", today) == fri
    assert parse_when("next fri", today) == parse_when("下周五", today) == next_fri
    assert parse_when("this fri", today) == parse_when("本周五", today) == this_fri


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("3x", ["“3x”", "2026-03-05", "下周一"]),
        ("next blursday", ["“next blursday”", "next mon"]),
        ("1月", ["“1月”"]),  # January, not a month from now
        ("2026年", ["“2026年”"]),  # a year alone, not 2026 years from now
        ("1000d", ["“1000d”"]),
        ("-3 days later", ["“-3 days later”"]),
        ("2026-02-30", ["“2026-02-30”", "calendar"]),
        ("13月1日", ["“13月1日”", "calendar"]),
        ("2-30", ["“2-30”", "calendar"]),
        ("", ["No date given", "2026-03-05"]),
        ("   ", ["No date given"]),
    ],
)
def test_clear_errors(text, words):
    with pytest.raises(WhenError) as caught:
        parse_when(text, TODAY)
    assert isinstance(caught.value, InvalidInput)
    for word in words:
        assert word in caught.value.message


def test_error_shows_long_or_odd_text_on_one_short_line():
    with pytest.raises(WhenError) as caught:
        parse_when("x" * 500 + "\n\x1b[31m", TODAY)
    shown = caught.value.message.split("”")[0]
    assert "\n" not in shown and "\x1b" not in shown and len(shown) < 50


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("tomorrow", date.max),
        ("yesterday", date.min),
        ("1y", date.max),
        ("mon", date.max),
        ("this sun", date.max),
        ("next mon", date.max),
        ("2-29", date(9999, 3, 1)),
        ("999y", date(9500, 1, 1)),
    ],
)
def test_beyond_the_calendar_is_a_when_error(text, today):
    with pytest.raises(WhenError, match="too far"):
        parse_when(text, today)


def test_help_lists_the_forms():
    text = when_help()
    for form in ["2026-03-05", "3d", "1个月", "tomorrow", "明天", "next fri", "下周五", "月底"]:
        assert form in text


PIECES = [
    "2026", "9999", "0000", "3", "12", "13", "29", "31", "999", "-", "+", "/", ".", " ",
    "年", "月", "日", "号", "天", "周", "星期", "礼拜", "个", "个月", "下", "本", "这", "前", "后",
    "十", "两", "三", "d", "w", "m", "y", "days", "ago", "in ", "later", "next ", "this ",
    "mon", "sun", "today", "eom", "end of month", "２", "－", "\u3000", "\x00", "--",
]  # fmt: skip


@settings(deadline=None, max_examples=300)
@given(
    text=st.one_of(
        st.text(max_size=40), st.lists(st.sampled_from(PIECES), max_size=6).map("".join)
    ),
    today=st.dates(),
)
def test_any_text_gives_a_date_or_a_when_error(text, today):
    try:
        assert isinstance(parse_when(text, today), date)
    except WhenError as error:
        assert error.message
