"""Repeat rules and birthdays: pure date arithmetic for reminders, no clock and no book.

A rule is stored in one normal form: "daily", "weekly", "monthly", "yearly" or
"every N days" (N from 1 to 3650). A series is anchored at its first due date, and its
k-th occurrence is always computed from that anchor, never from the occurrence before:
so a reminder on Jan 31 falls on Feb 28 (or 29), then on Mar 31 again, not on Mar 28.
Birthdays are stored as "YYYY-MM-DD", or "--MM-DD" when the year is not known; a Feb 29
birthday falls on Feb 28 in other years.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from custbook.errors import InvalidInput
from custbook.i18n import _

MAX_DAYS = 3650  # "every N days" beyond ten years is a typo, not a reminder

_NAMED = {
    "daily": "daily", "every day": "daily", "每天": "daily", "每日": "daily",
    "weekly": "weekly", "every week": "weekly",
    "每周": "weekly", "每星期": "weekly", "每个星期": "weekly", "每礼拜": "weekly",
    "monthly": "monthly", "every month": "monthly", "每月": "monthly", "每个月": "monthly",
    "yearly": "yearly", "annually": "yearly", "every year": "yearly", "每年": "yearly",
}  # fmt: skip
# "every 3 days", "every 2 weeks", "每3天", "每2周", "每2个星期"; the unit decides the factor.
_EVERY = re.compile(
    r"(?:every\s*([0-9]{1,5})\s*(days?|weeks?)|每\s*([0-9]{1,5})\s*(天|日|周|个?星期))"
)
_WEEK_UNITS = ("week", "weeks", "周", "星期", "个星期")
_STEP_DAYS = {"daily": 1, "weekly": 7}
_STEP_MONTHS = {"monthly": 1, "yearly": 12}
_EVERY_DAYS = re.compile(r"every ([0-9]+) days")
_BIRTHDAY = re.compile(r"(?:([0-9]{4})|-)-([0-9]{2})-([0-9]{2})")


class RuleError(InvalidInput):
    """What a person typed is not a repeat rule; the message names it."""


def parse_rule(text: str) -> str:
    """The normal form of a repeat rule typed in English or Chinese."""
    words = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if words in _NAMED:
        return _NAMED[words]
    match = _EVERY.fullmatch(words)
    if match is not None:
        count = int(match[1] or match[3])
        days = count * 7 if (match[2] or match[4]) in _WEEK_UNITS else count
        if 1 <= days <= MAX_DAYS:
            return {1: "daily", 7: "weekly"}.get(days, f"every {days} days")
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "…"
    raise RuleError(
        _(
            "“{text}” is not a repeat rule: try daily, weekly, monthly, yearly or every N days"
            " (N from 1 to 3650), or 每天, 每周, 每月, 每年, 每N天"
        ).format(text=shown)
    )


def next_due(rule: str, due: date, after: date) -> date:
    """The first occurrence of the series anchored at `due` strictly after `after`: a
    reminder done late skips the slots it missed and lands on the next one to come."""
    days, months = _step(rule)
    return _nth(due, days, months, _first_index(due, days, months, after))


def occurrences(rule: str, due: date, start: date, end: date) -> list[date]:
    """Every occurrence of the series anchored at `due` from `start` to `end`, inclusive."""
    days, months = _step(rule)
    k = 0 if start <= due else _first_index(due, days, months, start - timedelta(days=1))
    found = []
    while (day := _nth(due, days, months, k)) <= end:
        found.append(day)
        k += 1
    return found


def birthday_on(birthday: str, year: int) -> date | None:
    """The birthday in `year` (Feb 29 → Feb 28 in other years); None if malformed."""
    parts = _birthday_parts(birthday)
    if parts is None:
        return None
    _born, month, day = parts
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    try:
        return date(year, month, day)
    except ValueError:  # a year outside 1..9999
        return None


def is_birthday(birthday: str) -> bool:
    """Whether a stored birthday is well formed (1985-03-05 or --03-05, a real day)."""
    return _birthday_parts(birthday) is not None


def next_birthday(birthday: str, today: date) -> date | None:
    """The birthday on or after `today`; None if malformed."""
    this_year = birthday_on(birthday, today.year)
    if this_year is None or this_year >= today:
        return this_year
    return birthday_on(birthday, today.year + 1)


def age_on(birthday: str, day: date) -> int | None:
    """Age in whole years on `day`, a year older on the day `birthday_on` gives; None
    without a year of birth, if malformed, or before the birth."""
    parts = _birthday_parts(birthday)
    if parts is None or parts[0] is None:
        return None
    born, month, dom = parts
    if day < date(born, month, dom):
        return None
    this_year = birthday_on(birthday, day.year)
    assert this_year is not None  # well formed, and day.year is a real year
    return day.year - born - (1 if day < this_year else 0)


def _step(rule: str) -> tuple[int, int]:
    """(days, months) between occurrences; exactly one is non-zero."""
    normal = parse_rule(rule)  # a stored rule is normal already; anything else is refused
    if normal in _STEP_DAYS:
        return _STEP_DAYS[normal], 0
    if normal in _STEP_MONTHS:
        return 0, _STEP_MONTHS[normal]
    match = _EVERY_DAYS.fullmatch(normal)
    assert match is not None  # parse_rule gives no other form
    return int(match[1]), 0


def _nth(due: date, days: int, months: int, k: int) -> date:
    # From the anchor each time: relativedelta clamps to the month's end only for this k.
    if days:
        return due + timedelta(days=days * k)
    return due + relativedelta(months=months * k)


def _first_index(due: date, days: int, months: int, after: date) -> int:
    """The smallest k ≥ 0 whose occurrence is strictly after `after`."""
    if due > after:
        return 0
    if days:
        return (after - due).days // days + 1
    # The occurrence of after's month (or year) is close: at most one step further on.
    k = ((after.year - due.year) * 12 + after.month - due.month) // months
    while _nth(due, days, months, k) <= after:
        k += 1
    return k


def _birthday_parts(birthday: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a well-formed stored birthday, else None."""
    match = _BIRTHDAY.fullmatch(birthday) if isinstance(birthday, str) else None
    if match is None:
        return None
    year = int(match[1]) if match[1] else None
    month, day = int(match[2]), int(match[3])
    try:
        date(
            2000 if year is None else year, month, day
        )  # 2000 is a leap year: --02-29 is a real birthday
    except ValueError:
        return None
    return year, month, day
