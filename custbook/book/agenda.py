"""Today's work: what is overdue or due, who has gone quiet, who owes money, birthdays.

Every part is an indexed read of figures kept at write time, compared with today at read
time, so the agenda costs the same whether the book was opened yesterday or a month ago,
and catches up by itself on whatever fell due meanwhile.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from custbook.book.recurrence import is_birthday

if TYPE_CHECKING:
    from custbook.book.book import Book

DEFAULT_CADENCE = {"A": 30, "B": 60, "C": 90}
UPCOMING_DAYS = 7
SHOWN = 50  # each list shows its first 50; `totals` says how many there are in all


@dataclass
class Agenda:
    today: date
    overdue: list[dict[str, Any]] = field(default_factory=list)  # reminders before today
    due_today: list[dict[str, Any]] = field(default_factory=list)
    upcoming: list[dict[str, Any]] = field(default_factory=list)  # the next 7 days
    silent: list[dict[str, Any]] = field(default_factory=list)  # past their grade's cadence
    unpaid: list[dict[str, Any]] = field(default_factory=list)  # payment due before today
    birthdays: list[dict[str, Any]] = field(default_factory=list)  # today and the next 7 days
    totals: dict[str, int] = field(default_factory=dict)  # each list's full length


def build(book: Book, today: date) -> Agenda:
    agenda = Agenda(today)
    _reminders(book.db, today, agenda)
    agenda.silent, agenda.totals["silent"] = _silent(book.db, today, _cadence(book))
    agenda.unpaid, agenda.totals["unpaid"] = _unpaid(book.db, today)
    agenda.birthdays = _birthdays(book.db, today)
    agenda.totals["birthdays"] = len(agenda.birthdays)
    return agenda


def _cadence(book: Book) -> dict[str, int]:
    return {**DEFAULT_CADENCE, **(book.setting("cadence_days") or {})}


def _reminders(db: sqlite3.Connection, today: date, agenda: Agenda) -> None:
    """Overdue, today's and the next days' reminders, each list its first SHOWN (oldest
    first), read through the partial index on when each open reminder wakes (named, since
    without statistics the planner prefers the plainer index and sorts every open one)."""
    select = (
        "SELECT r.id, r.title, r.kind, r.due, r.snoozed_until, r.repeat_rule, r.customer_id,"
        " c.name AS customer_name FROM reminders r INDEXED BY reminders_open_wakes"
        " LEFT JOIN customers c ON c.id = r.customer_id"
        " WHERE r.done_at IS NULL AND coalesce(r.snoozed_until, r.due) >= ?"
        " AND coalesce(r.snoozed_until, r.due) < ?"
    )
    count = (
        "SELECT count(*) FROM reminders r INDEXED BY reminders_open_wakes WHERE r.done_at IS NULL"
        " AND coalesce(r.snoozed_until, r.due) >= ? AND coalesce(r.snoozed_until, r.due) < ?"
    )
    tomorrow = (today + timedelta(days=1)).isoformat()
    horizon = (today + timedelta(days=UPCOMING_DAYS + 1)).isoformat()
    windows = {
        "overdue": ("", today.isoformat()),
        "due_today": (today.isoformat(), tomorrow),
        "upcoming": (tomorrow, horizon),
    }
    for name, bounds in windows.items():
        rows = db.execute(
            f"{select} ORDER BY coalesce(r.snoozed_until, r.due), r.id LIMIT {SHOWN}", bounds
        )
        setattr(agenda, name, [dict(row) for row in rows])
        agenda.totals[name] = db.execute(count, bounds).fetchone()[0]


def _silent(
    db: sqlite3.Connection, today: date, cadence: dict[str, int]
) -> tuple[list[dict[str, Any]], int]:
    """Customers past their grade's cadence, longest silent first; the first SHOWN."""
    found: list[dict[str, Any]] = []
    total = 0
    # Counted from the partial index alone: figures know which customers are watched.
    watched = "f.watch_grade = ? AND f.silent_since < ?"
    for grade, days in sorted(cadence.items()):
        arguments = (grade, (today - timedelta(days=days)).isoformat())
        count = f"SELECT count(*) FROM customer_figures f WHERE {watched}"
        total += db.execute(count, arguments).fetchone()[0]
        for row in db.execute(
            "SELECT c.id, c.name, c.company, c.grade, f.last_contact_at, f.silent_since"
            " FROM customer_figures f JOIN customers c ON c.id = f.customer_id"
            f" WHERE {watched} ORDER BY f.silent_since LIMIT {SHOWN}",
            arguments,
        ):
            item = dict(row)
            since = date.fromisoformat(item.pop("silent_since")[:10])
            item["days_silent"] = (today - since).days
            item["cadence_days"] = days
            found.append(item)
    found.sort(key=lambda item: -item["days_silent"])
    return found[:SHOWN], total


def _unpaid(db: sqlite3.Connection, today: date) -> tuple[list[dict[str, Any]], int]:
    """Open orders past their payment due date, oldest first; the first SHOWN."""
    where = " FROM orders o WHERE o.status = 'open' AND o.payment_due < ?"
    total = db.execute(f"SELECT count(*){where}", (today.isoformat(),)).fetchone()[0]
    rows = db.execute(
        "SELECT o.id, o.customer_id, c.name AS customer_name, o.product, o.amount_minor,"
        " o.currency, o.payment_due FROM orders o JOIN customers c ON c.id = o.customer_id"
        f" WHERE o.status = 'open' AND o.payment_due < ? ORDER BY o.payment_due, o.id"
        f" LIMIT {SHOWN}",
        (today.isoformat(),),
    )
    return [dict(row) for row in rows], total


def _birthdays(db: sqlite3.Connection, today: date) -> list[dict[str, Any]]:
    """Customers' and contacts' birthdays today and in the next days (no typing needed)."""
    on_day = _days_by_month_day(today)
    marks = ", ".join("?" for _ in on_day)
    found = []
    for table, who in (("customers", "id AS customer_id, name"), ("contacts", "customer_id, name")):
        for row in db.execute(
            f"SELECT {who}, birthday FROM {table}"
            f" WHERE birthday IS NOT NULL AND substr(birthday, -5) IN ({marks})",
            sorted(on_day),
        ):
            item = dict(row)
            on = on_day.get(item["birthday"][-5:])
            if on is not None and is_birthday(item["birthday"]):
                item["on"] = on
                found.append(item)
    return sorted(found, key=lambda item: (item["on"], item["name"]))


def _days_by_month_day(today: date) -> dict[str, str]:
    """Each day of the window by its month and day (03-05 -> 2026-03-05), and Feb 29
    birthdays on Feb 28 in a year without one: a birthday's day is then one lookup, not
    a date made for each year the window spans (at 100,000 customers, thousands a call)."""
    on_day = {}
    for n in range(UPCOMING_DAYS + 1):
        day = today + timedelta(days=n)
        on_day[day.strftime("%m-%d")] = day.isoformat()
        if day.month == 2 and day.day == 28 and not _leap(day.year):
            on_day["02-29"] = day.isoformat()
    return on_day


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
