"""WHEN: the one way a date is typed anywhere in custbook, in English or Chinese.

`parse_when` turns what a person typed into a date counted from `today`, which the caller
passes in (nothing here reads the clock, so answers are testable and the same everywhere).
Whatever the text, the answer is a date or a `WhenError` whose message shows forms that work.

Weeks run Monday to Sunday, as on Chinese calendars. With Friday as the example:

- `fri`, `周五`, `星期五`, `礼拜五`: the coming Friday, strictly after today (asked on a
  Friday, the one a week later).
- `next fri`, `下周五`: Friday of next week, whatever today is. So on a Wednesday,
  `next mon` and `mon` are the same day, but `next fri` is nine days away and `fri` two.
- `this fri`, `本周五`, `这周五`: Friday of this week, even if it has passed.

A month and day without a year (`3-5`, `3月5日`) is the next one on or after today; Feb 29
is the next Feb 29 that exists. Counts (`3d`, `三天`) go up to 999, so a year typed alone
(`2026年`) is an error rather than a date two thousand years away.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from custbook.errors import InvalidInput
from custbook.i18n import _


class WhenError(InvalidInput):
    """The text is not a date WHEN knows; the message shows forms that are."""


class _NoSuchDay(Exception):
    """Numbers in the places of a date that name no day, like February 30."""


# A count is digits or the Chinese numerals people type for small ones (三天, 两周, 十二个月).
_COUNT = r"[0-9]{1,3}|[二三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]"
_FULL_DATE = re.compile(r"^([0-9]{4}) ?[-/.年] ?([0-9]{1,2}) ?[-/.月] ?([0-9]{1,2}) ?[日号]?$")
_MONTH_DAY = re.compile(r"^(?:--)?([0-9]{1,2}) ?[-/.月] ?([0-9]{1,2}) ?[日号]?$")
# "月" alone is no unit: 1月 is January. A month offset is 1个月 (or 1m, 1 month).
_OFFSET = re.compile(
    rf"^(in )?([+-]?) ?({_COUNT}) ?([a-z]+|天|周|个?星期|个?礼拜|个月|年)"
    r"(?: ?(later|from now|ago|后|以后|之后|前|以前|之前))?$"
)
_WEEKDAY_EN = re.compile(r"^(?:(next|this) )?([a-z]+)$")
_WEEKDAY_ZH = re.compile(r"^(?:(下|本|这) ?个? ?)?(?:周|星期|礼拜) ?([一二三四五六日天1-7])$")

_ZH_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_AGO = ("ago", "前", "以前", "之前")
_DAY, _WEEK = relativedelta(days=1), relativedelta(weeks=1)
_MONTH, _YEAR = relativedelta(months=1), relativedelta(years=1)
_UNITS = {
    "d": _DAY, "day": _DAY, "days": _DAY, "天": _DAY,
    "w": _WEEK, "wk": _WEEK, "wks": _WEEK, "week": _WEEK, "weeks": _WEEK,
    "周": _WEEK, "星期": _WEEK, "个星期": _WEEK, "礼拜": _WEEK, "个礼拜": _WEEK,
    "m": _MONTH, "mo": _MONTH, "mos": _MONTH, "month": _MONTH, "months": _MONTH, "个月": _MONTH,
    "y": _YEAR, "yr": _YEAR, "yrs": _YEAR, "year": _YEAR, "years": _YEAR, "年": _YEAR,
}  # fmt: skip
_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
}  # fmt: skip
_WHICH_WEEK = {"next": "next", "下": "next", "this": "this", "本": "this", "这": "this"}
_END_OF_MONTH = relativedelta(day=31)  # an absolute day past the month's end clamps to it
_NOW, _NEXT_MONTH_END = relativedelta(), relativedelta(months=1, day=31)
_PHRASES = {
    "today": _NOW, "今天": _NOW, "今日": _NOW,
    "tomorrow": _DAY, "明天": _DAY, "明日": _DAY, "后天": _DAY * 2, "大后天": _DAY * 3,
    "yesterday": -_DAY, "昨天": -_DAY, "昨日": -_DAY, "前天": _DAY * -2, "大前天": _DAY * -3,
    "next week": _WEEK, "下周": _WEEK, "下星期": _WEEK, "下个星期": _WEEK,
    "下礼拜": _WEEK, "下个礼拜": _WEEK,
    "next month": _MONTH, "下个月": _MONTH, "下月": _MONTH,
    "next year": _YEAR, "明年": _YEAR,
    "end of month": _END_OF_MONTH, "end of the month": _END_OF_MONTH,
    "month end": _END_OF_MONTH, "eom": _END_OF_MONTH, "月底": _END_OF_MONTH,
    "月末": _END_OF_MONTH, "本月底": _END_OF_MONTH, "这个月底": _END_OF_MONTH,
    "end of next month": _NEXT_MONTH_END, "下月底": _NEXT_MONTH_END,
    "下个月底": _NEXT_MONTH_END,
}  # fmt: skip
_SHOWN_LENGTH = 40


def parse_when(text: str, today: date) -> date:
    """The date `text` names, counted from `today`; WhenError for anything else."""
    normal = _normalise(text)
    if not normal:
        raise WhenError(
            _("No date given: try 2026-03-05, 3d, 2w, tomorrow, next mon, 明天 or 下周一")
        )
    try:
        found = _parse(normal, today)
    except _NoSuchDay:
        raise WhenError(
            _("“{text}” is not a day on the calendar: check the month and the day").format(
                text=_shown(text)
            )
        ) from None
    except (ValueError, OverflowError):  # past year 9999 or before year 1
        raise WhenError(
            _("“{text}” is too far away: dates run from year 1 to 9999").format(text=_shown(text))
        ) from None
    if found is None:
        raise WhenError(
            _(
                "“{text}” is not a date: try 2026-03-05, 3d, 2w, tomorrow, next mon, 明天 or 下周一"
            ).format(text=_shown(text))
        )
    return found


_CLOCK_TIME = re.compile(r"^(?P<day>.*?)\s*(?P<hour>\d{1,2})[:：](?P<minute>\d{2})$")


def parse_moment(text: str, now: datetime) -> datetime:
    """A moment: nothing is now; a WHEN day keeps now's time of day; a time `HH:MM` after
    it (or alone: today) sets the time. In `now`'s time zone."""
    text = text.strip()
    if not text:
        return now
    clock = _CLOCK_TIME.match(text)
    if clock is None:
        return datetime.combine(parse_when(text, now.date()), now.timetz())
    day = parse_when(clock["day"], now.date()) if clock["day"].strip() else now.date()
    hour, minute = int(clock["hour"]), int(clock["minute"])
    if hour > 23 or minute > 59:
        raise WhenError(_("“{text}” is not a time of day: 00:00 to 23:59").format(text=text))
    return datetime.combine(day, time(hour, minute), now.tzinfo)


def when_help() -> str:
    """The forms `parse_when` accepts, for the app's help and the docs."""
    return _(
        "Dates can be typed as:\n"
        "  a day: 2026-03-05, 2026/3/5, 2026年3月5日\n"
        "  the next month and day from today: 3-5, 3月5日\n"
        "  from today: 3d, 2w, 1m, 1y, 3 days, 3天, 2周, 1个月, 1年\n"
        "  before today: -3d, 3 days ago, 3天前\n"
        "  words: today, tomorrow, yesterday, 今天, 明天, 后天, 大后天, 昨天, 前天\n"
        "  the coming weekday, never today: fri, 周五, 星期五\n"
        "  that weekday next week (weeks start on Monday): next fri, 下周五\n"
        "  that weekday this week, even if past: this fri, 本周五, 这周五\n"
        "  next week, next month, next year, end of month: 下周, 下个月, 明年, 月底"
    )


def _normalise(text: str) -> str:
    """Full-width to half-width (NFKC), any case, any run of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _shown(text: str) -> str:
    """The text as typed, on one line and short enough for a message."""
    line = "".join(c if c.isprintable() else " " for c in " ".join(text.split()))
    return line if len(line) <= _SHOWN_LENGTH else line[:_SHOWN_LENGTH] + "…"


def _parse(normal: str, today: date) -> date | None:
    phrase = _PHRASES.get(normal)
    if phrase is not None:  # not `if phrase`: an empty relativedelta (today) is falsy
        return today + phrase
    for parser in (_full_date, _month_day, _offset, _weekday):
        found = parser(normal, today)
        if found is not None:
            return found
    return None


def _full_date(normal: str, today: date) -> date | None:
    match = _FULL_DATE.match(normal)
    if match is None:
        return None
    year, month, day = (int(n) for n in match.groups())
    return _calendar_day(year, month, day)


def _month_day(normal: str, today: date) -> date | None:
    match = _MONTH_DAY.match(normal)
    if match is None:
        return None
    month, day = (int(n) for n in match.groups())
    _calendar_day(2000, month, day)  # a leap year, so Feb 29 passes
    # Leap years can be eight years apart (2096, then 2104), so look nine years ahead.
    for year in range(today.year, min(today.year + 9, date.max.year + 1)):
        try:
            candidate = date(year, month, day)
        except ValueError:  # Feb 29 outside a leap year
            continue
        if candidate >= today:
            return candidate
    raise OverflowError("no such day before the end of year 9999")


def _offset(normal: str, today: date) -> date | None:
    match = _OFFSET.match(normal)
    if match is None:
        return None
    into, sign, count, unit, suffix = match.groups()
    if unit not in _UNITS or sum(bool(m) for m in (into, sign, suffix)) > 1:
        return None  # an unknown unit, or mixed directions such as "-3 days later"
    amount = _count(count) * (-1 if sign == "-" or suffix in _AGO else 1)
    return today + _UNITS[unit] * amount


def parse_period(text: str) -> relativedelta | None:
    """A length of time without a direction (`90d`, `2w`, `3m`, `1y`, `三天`), or None."""
    match = _OFFSET.match(_normalise(text))
    if match is None:
        return None
    into, sign, count, unit, suffix = match.groups()
    if unit not in _UNITS or into or sign or suffix:
        return None
    return _UNITS[unit] * _count(count)


def _weekday(normal: str, today: date) -> date | None:
    match = _WEEKDAY_EN.match(normal) or _WEEKDAY_ZH.match(normal)
    if match is None or match[2] not in _WEEKDAYS:
        return None
    day = _WEEKDAYS[match[2]]
    which = _WHICH_WEEK.get(match[1] or "")
    monday = today - timedelta(days=today.weekday())
    if which == "next":
        return monday + timedelta(weeks=1, days=day)
    if which == "this":
        return monday + timedelta(days=day)
    return today + timedelta(days=(day - today.weekday() - 1) % 7 + 1)


def _count(word: str) -> int:
    """3, 三, 两, 十, 十二, 二十 and 二十三 as numbers (the pattern allows no others)."""
    if word.isascii():
        return int(word)
    tens, ten, ones = word.partition("十")
    if not ten:
        return _ZH_DIGITS[word]
    return _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0)


def _calendar_day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _NoSuchDay from None
