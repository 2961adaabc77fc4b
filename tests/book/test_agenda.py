"""The agenda on a hand-built book with known answers, under a frozen clock, and again
after the clock moves on with no writes at all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from custbook.book import Book
from tests.book.conftest import CHINA


class Frozen:
    def __init__(self, day: date) -> None:
        self.now = datetime.combine(day, time(9), tzinfo=CHINA)

    def __call__(self) -> datetime:
        return self.now


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=CHINA)


def make_book() -> tuple[Book, Frozen, dict[str, int]]:
    clock = Frozen(date(2026, 1, 1))
    book = Book.in_memory(clock=clock)
    ids = {}
    for name, grade in [("甲A", "A"), ("乙A", "A"), ("丙B", "B"), ("丁C", "C")]:
        ids[name] = book.customers.create({"name": name, "grade": grade}, source="add").id
    book.customers.create({"name": "生日", "birthday": "1980-03-03"}, source="add")
    book.customers.create({"name": "闰日", "birthday": "--02-29"}, source="add")
    book.activity.log(ids["甲A"], {"happened_at": at(date(2026, 2, 20))}, source="log")
    book.activity.log(ids["乙A"], {"happened_at": at(date(2026, 1, 10))}, source="log")
    book.activity.log(ids["丙B"], {"happened_at": at(date(2026, 1, 10))}, source="log")
    book.activity.remind("overdue one", date(2026, 2, 25), customer_id=ids["甲A"], source="r")
    book.activity.remind("today's", date(2026, 3, 1), source="r")
    book.activity.remind("next week", date(2026, 3, 5), source="r")
    book.activity.remind("later", date(2026, 4, 1), source="r")
    book.deals.add_order(ids["丁C"], {"amount": "1000", "payment_due": "2026-02-15"}, source="o")
    book.deals.add_order(ids["丁C"], {"amount": "500", "payment_due": "2026-03-20"}, source="o")
    clock.now = datetime.combine(date(2026, 3, 1), time(9), tzinfo=CHINA)
    return book, clock, ids


def names(items, key="name"):
    return [item[key] for item in items]


def test_the_agenda_today():
    book, _clock, _ids = make_book()
    agenda = book.agenda()
    assert names(agenda.overdue, "title") == ["overdue one"]
    assert names(agenda.due_today, "title") == ["today's"]
    assert names(agenda.upcoming, "title") == ["next week"]
    assert names(agenda.silent) == ["乙A"]  # 50 days; 甲A talked 9 days ago; B's cadence is 60
    assert agenda.silent[0]["days_silent"] == 50
    assert [(u["customer_name"], u["payment_due"]) for u in agenda.unpaid] == [
        ("丁C", "2026-02-15")
    ]
    assert [(b["name"], b["on"]) for b in agenda.birthdays] == [
        ("闰日", "2026-03-01"),
        ("生日", "2026-03-03"),
    ] or [(b["name"], b["on"]) for b in agenda.birthdays] == [("生日", "2026-03-03")]


def test_moving_the_clock_with_no_writes():
    book, clock, _ids = make_book()
    clock.now += timedelta(days=30)  # 2026-03-31: nothing written meanwhile
    agenda = book.agenda()
    assert names(agenda.overdue, "title") == ["overdue one", "today's", "next week"]
    assert names(agenda.due_today, "title") == []
    assert names(agenda.upcoming, "title") == ["later"]
    assert set(names(agenda.silent)) == {"乙A", "丙B", "甲A"}  # 甲A 39 days, 丙B 80 > 60
    assert [u["payment_due"] for u in agenda.unpaid] == ["2026-02-15", "2026-03-20"]


def test_feb_29_birthdays_fall_on_feb_28_in_other_years():
    book, clock, _ids = make_book()

    def leap_day_birthday(day: date) -> list[str]:
        clock.now = datetime.combine(day, time(9), tzinfo=CHINA)
        return [b["on"] for b in book.agenda().birthdays if b["name"] == "闰日"]

    assert leap_day_birthday(date(2027, 2, 27)) == ["2027-02-28"]
    assert leap_day_birthday(date(2028, 2, 27)) == ["2028-02-29"]
    assert leap_day_birthday(date(2028, 3, 1)) == []
