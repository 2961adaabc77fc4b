"""The agenda on a hand-built book with known answers, under a frozen clock, and again
after the clock moves on with no writes at all."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from custbook.book import Book
from custbook.book.recurrence import birthday_on
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


def test_risk_flags_and_suggested_grade_move_with_the_clock():
    from custbook.book.insight import risk_flags, suggested_grade

    book, clock, ids = make_book()
    regular = book.customers.create({"name": "常客", "grade": "C"}, source="add").id
    for month in range(1, 7):  # ¥10,000 a month, January to June
        book.deals.add_order(
            regular,
            {"amount": "1万", "ordered_on": f"2026-0{month}-05", "status": "paid"},
            source="o",
        )
    refunded = book.deals.add_order(ids["甲A"], {"amount": "100"}, source="o")
    book.deals.set_order_status(refunded["id"], "refunded", source="o")

    def flags(name_or_id, day):
        clock.now = datetime.combine(day, time(9), tzinfo=CHINA)
        customer = book.customers.get(ids.get(name_or_id, name_or_id))
        return risk_flags(book, customer, day), suggested_grade(book, customer, day)

    assert flags("丁C", date(2026, 3, 1)) == (
        ["payment"],
        "B",
    )  # ¥1,500 in 2 orders; C waits 90 days
    assert flags("甲A", date(2026, 3, 1)) == (["cancelled"], "C")
    assert flags("乙A", date(2026, 3, 1)) == (["silent"], "C")
    assert flags(regular, date(2026, 6, 30)) == (["silent"], "A")  # never contacted since January
    assert flags(regular, date(2026, 9, 30)) == (["silent", "falling"], "A")  # nothing since June
    assert flags(regular, date(2027, 3, 1)) == (["silent"], "B")  # both windows empty: not falling


def test_recency_scores_ninety_and_a_hundred_and_eighty_days_in():
    from custbook.book.agenda import DEFAULT_CADENCE
    from custbook.book.insight import Judge

    today = date(2026, 6, 30)
    judge = Judge(today, DEFAULT_CADENCE, (1, 1))  # any revenue is top: money scores 3

    def recency(days_ago):
        last = None if days_ago is None else (today - timedelta(days=days_ago)).isoformat()
        # 2 orders score 2: 3 + 2 + recency gives A for 3, B for 2 or 1; 5 orders tell 2 from 1
        two = judge.grade({"last_order_on": last, "orders": 2, "revenue_minor": 100})
        five = judge.grade({"last_order_on": last, "orders": 5, "revenue_minor": 100})
        return 3 if two == "A" else 2 if five == "A" else 1

    assert [recency(d) for d in (-5, 0, 90, 91, 180, 181, 900, None)] == [3, 3, 3, 2, 2, 1, 1, 1]


def test_long_lists_show_their_first_fifty_and_count_all():
    from custbook.book.agenda import SHOWN

    book, _clock, _ids = make_book()
    for n in range(SHOWN + 10):
        book.activity.remind(f"old {n:03d}", date(2026, 1, 1) + timedelta(days=n % 40), source="r")
    agenda = book.agenda()
    assert len(agenda.overdue) == SHOWN
    assert agenda.totals["overdue"] == SHOWN + 11  # and "overdue one"
    dues = [r["due"] for r in agenda.overdue]
    assert dues == sorted(dues)  # oldest first


def test_the_watch_follows_grade_stage_and_archiving():
    book, _clock, ids = make_book()
    assert names(book.agenda().silent) == ["乙A"]
    book.customers.edit(ids["乙A"], {"grade": "C"}, source="e")  # C waits 90 days
    assert names(book.agenda().silent) == []
    book.undo(source="undo")
    assert names(book.agenda().silent) == ["乙A"]
    book.customers.archive(ids["乙A"], source="a")
    assert names(book.agenda().silent) == []
    book.customers.restore(ids["乙A"], source="r")
    book.customers.edit(ids["乙A"], {"stage": "流失"}, source="e")
    assert names(book.agenda().silent) == []
    assert book.agenda().totals["silent"] == 0


BIRTHDAYS = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)).map(
        lambda d: d.strftime("--%m-%d")
    ),
    st.sampled_from(["1985-02-30", "--13-01", "abc-03-05", "2023-02-29", "--02-29"]),
)


@settings(deadline=None, max_examples=150)
@example(birthdays=["--02-29", "1996-02-29", "2023-02-29"], today=date(2027, 2, 25))
@example(birthdays=["--01-02", "1990-12-31"], today=date(2026, 12, 28))  # a new year
@given(
    birthdays=st.lists(BIRTHDAYS, max_size=12),
    today=st.dates(min_value=date(1999, 1, 1), max_value=date(2101, 12, 31)),
)
def test_a_birthday_falls_on_the_day_its_definition_says(birthdays, today):
    """Each birthday in the coming week is listed on the first day of the window that
    birthday_on gives for that day's year (Feb 29 on Feb 28 in other years); a malformed
    one (written before birthdays were checked) never."""
    book = Book.in_memory()
    for n, birthday in enumerate(birthdays):
        book.db.execute(
            "INSERT INTO customers (kind, name, birthday, created_at, updated_at)"
            " VALUES ('person', ?, ?, '2020-01-01', '2020-01-01')",
            (f"c{n:02d}", birthday),
        )
    window = [today + timedelta(days=n) for n in range(8)]
    expected = []
    for n, birthday in enumerate(birthdays):
        days = [d for d in window if birthday_on(birthday, d.year) == d]
        if days:
            expected.append((days[0].isoformat(), f"c{n:02d}"))
    listed = [(b["on"], b["name"]) for b in book.agenda(today).birthdays]
    assert listed == sorted(expected)
