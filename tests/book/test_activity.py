"""Interactions and reminders, and the figures kept from them."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book import Book, ValidationError, figures
from custbook.book.schema import migrate
from tests.book.conftest import ZHANG, StepClock


def test_log_with_a_follow_up_and_undo(book):
    customer = book.customers.create(ZHANG, source="add")
    logged = book.activity.log(
        customer.id,
        {"kind": "电话", "subject": "报价", "rating": "4"},
        source="log",
        follow_up=date(2026, 3, 10),
    )
    assert (logged["kind"], logged["rating"]) == ("call", 4)
    assert logged["happened_at"].endswith("+08:00")
    (reminder,) = book.activity.open_reminders(customer.id)
    assert (reminder["due"], reminder["title"]) == ("2026-03-10", "Follow up: 报价")
    assert figures.kept(book.db)[0][:4] == (customer.id, logged["happened_at"], 1, "2026-03-10")
    # made at one time, though this clock moves a minute at each reading
    (made_at,) = book.db.execute("SELECT made_at FROM change_sets WHERE source = 'log'").fetchone()
    assert logged["created_at"] == reminder["created_at"] == made_at
    book.undo(source="undo")  # the log and its follow-up go together
    assert book.activity.interactions(customer.id) == []
    assert book.activity.open_reminders() == []
    assert figures.kept(book.db)[0][:4] == (customer.id, None, 0, None)


def test_bad_log_names_the_field(book):
    customer = book.customers.create(ZHANG, source="add")
    with pytest.raises(ValidationError) as raised:
        book.activity.log(customer.id, {"kind": "fax", "rating": "9"}, source="log")
    assert [p.field for p in raised.value.problems] == ["kind", "rating"]
    assert book.activity.interactions(customer.id) == []


def test_snooze_and_done(book):
    customer = book.customers.create(ZHANG, source="add")
    reminder = book.activity.remind("回访", date(2026, 3, 5), customer_id=customer.id, source="r")
    book.activity.snooze(reminder["id"], date(2026, 3, 8), source="snooze")
    assert figures.kept(book.db)[0][3] == "2026-03-08"
    moved = book.activity.done(reminder["id"], date(2026, 4, 5), source="done")  # repeating
    assert (moved["due"], moved["snoozed_until"], moved["done_at"]) == ("2026-04-05", None, None)
    finished = book.activity.done(reminder["id"], None, source="done")
    assert finished["done_at"] is not None
    assert book.activity.open_reminders() == []
    assert figures.kept(book.db)[0][3] is None


def test_migrating_a_v1_book_fills_the_figures():
    db = sqlite3.connect(":memory:")
    migrate(db, target=1)
    db.execute("INSERT INTO customers (name, created_at, updated_at) VALUES ('甲', 'x', 'x')")
    db.execute(
        "INSERT INTO interactions (customer_id, kind, happened_at, created_at)"
        " VALUES (1, 'call', '2026-01-02T10:00:00+08:00', 'x')"
    )
    db.commit()
    book = Book(db)
    assert figures.kept(book.db)[0][:4] == (1, "2026-01-02T10:00:00+08:00", 1, None)


@settings(deadline=None, max_examples=40)
@given(
    st.lists(
        st.sampled_from(["log", "log+next", "remind", "snooze", "done", "undo", "erase"]),
        max_size=12,
    )
)
def test_kept_figures_always_equal_recomputed(actions):
    book = Book.in_memory(clock=StepClock())
    ids = [book.customers.create({"name": n}, source="add").id for n in ("甲", "乙")]
    adds = book.next_to_undo().id  # undo goes no further back than the two adds
    for step, action in enumerate(actions):
        who = ids[step % len(ids)] if ids else None
        open_ones = book.activity.open_reminders()
        if action.startswith("log") and who:
            follow = date(2026, 4, 1 + step) if action == "log+next" else None
            book.activity.log(who, {"subject": f"s{step}"}, source="log", follow_up=follow)
        elif action == "remind" and who:
            book.activity.remind("r", date(2026, 5, 1 + step), customer_id=who, source="r")
        elif action == "snooze" and open_ones:
            book.activity.snooze(open_ones[0]["id"], date(2026, 6, 1 + step), source="s")
        elif action == "done" and open_ones:
            book.activity.done(open_ones[-1]["id"], None, source="d")
        elif action == "undo" and (newest := book.next_to_undo()) and newest.id > adds:
            book.undo(source="undo")
        elif action == "erase" and ids:
            book.customers.erase(ids.pop(), source="erase")
    kept = figures.kept(book.db)
    figures.rebuild(book.db)
    assert figures.kept(book.db) == kept


def test_log_checks_the_contact_and_remind_the_rule(book):
    from datetime import datetime

    customer = book.customers.create(ZHANG, source="add")
    other = book.customers.create({"name": "别人"}, source="add")
    stranger = book.customers.add_contact(other.id, {"name": "外人"}, source="c")
    with pytest.raises(ValidationError, match="not a contact of this customer"):
        book.activity.log(customer.id, {"contact_id": stranger["id"]}, source="log")
    naive = book.activity.log(
        customer.id, {"happened_at": datetime(2026, 2, 1, 10, 0)}, source="log"
    )
    assert naive["happened_at"] == "2026-02-01T10:00:00+08:00"
    made = book.activity.remind("月报", date(2026, 3, 31), repeat_rule="每月", source="r")
    assert made["repeat_rule"] == "monthly"
    with pytest.raises(ValidationError, match="repeat rule"):
        book.activity.remind("x", date(2026, 3, 31), repeat_rule="often", source="r")
    sets = book.db.execute("SELECT count(*) FROM change_sets").fetchone()
    for far in (date(2926, 3, 1), date(1026, 3, 1)):  # a typo for 2026, either way
        with pytest.raises(ValidationError) as refused:
            book.activity.remind("x", far, source="r")
        assert [p.field for p in refused.value.problems] == ["due"]
        with pytest.raises(ValidationError) as refused:
            book.activity.log(customer.id, {"subject": "s"}, source="log", follow_up=far)
        assert [p.field for p in refused.value.problems] == ["next"]
        with pytest.raises(ValidationError) as refused:
            book.activity.snooze(made["id"], far, source="s")
        assert [p.field for p in refused.value.problems] == ["snoozed_until"]
    assert (
        book.db.execute("SELECT count(*) FROM change_sets").fetchone() == sets
    )  # nothing of any of them was written


def test_editing_a_reminder_checks_it_and_a_new_day_wakes_it(book):
    customer = book.customers.create({"name": "李娜"}, source="add")
    reminder = book.activity.remind("回访", date(2026, 3, 1), source="r", customer_id=customer.id)
    book.activity.snooze(reminder["id"], date(2026, 3, 9), source="s")
    with pytest.raises(ValidationError) as refused:
        book.activity.edit_reminder(
            reminder["id"], {"repeat_rule": "sometimes", "due": "3月"}, source="e"
        )
    assert {p.field for p in refused.value.problems} == {"repeat_rule", "due"}
    edited = book.activity.edit_reminder(
        reminder["id"], {"due": "2026-03-05", "repeat_rule": "每月"}, source="e"
    )
    assert (edited["due"], edited["snoozed_until"]) == ("2026-03-05", None)
    assert edited["repeat_rule"]


def test_completing_a_repeating_reminder_at_the_end_of_the_calendar_marks_it_done(book):
    reminder = book.activity.remind("年检", date(2026, 12, 28), source="r", repeat_rule="每周")
    # set before due days were held to the years the book accepts (1900-2199)
    book.db.execute("UPDATE reminders SET due = '9999-12-28' WHERE id = ?", (reminder["id"],))
    done = book.activity.complete(reminder["id"], source="d")
    assert done["done_at"] is not None  # no next week after 9999: done, not a crash


def test_a_repeating_reminder_ends_with_the_years_the_book_keeps(book):
    reminder = book.activity.remind("年检", date(2199, 12, 28), source="r", repeat_rule="每周")
    done = book.activity.complete(reminder["id"], source="d")
    assert (done["due"], done["done_at"] is not None) == ("2199-12-28", True)
    monthly = book.activity.remind("对账", date(2199, 11, 30), source="r", repeat_rule="每月")
    moved = book.activity.complete(monthly["id"], source="d")
    assert (moved["due"], moved["done_at"]) == ("2199-12-30", None)  # still within the years


def test_a_reminder_done_already_stays_done_and_nothing_is_recorded(book):
    once = book.activity.remind("打电话", date(2026, 3, 1), source="r")
    weekly = book.activity.remind("周报", date(2026, 3, 1), source="r", repeat_rule="每周")
    book.db.execute("UPDATE reminders SET done_at = '2026-02-01T09:00:00+08:00' WHERE id = ?",
                    (weekly["id"],))  # a series that ended  # fmt: skip
    first = book.activity.complete(once["id"], source="d")
    sets = book.db.execute("SELECT count(*) FROM change_sets").fetchone()[0]
    for reminder in (first, book.activity.reminder(weekly["id"])):
        assert book.activity.complete(reminder["id"], source="d") == reminder
    assert book.db.execute("SELECT count(*) FROM change_sets").fetchone()[0] == sets


def test_a_reminder_an_order_and_done_are_stamped_with_their_change_sets(book):
    """What a change stamps is its change set's time, though this clock moves at each
    reading (they were read before the change set opened)."""

    def made_at(source: str) -> str:
        return book.db.execute(
            "SELECT made_at FROM change_sets WHERE source = ? ORDER BY id DESC", (source,)
        ).fetchone()[0]

    reminder = book.activity.remind("回访", date(2026, 3, 10), source="remind")
    assert reminder["created_at"] == made_at("remind")
    assert book.activity.done(reminder["id"], None, source="done")["done_at"] == made_at("done")
    customer = book.customers.create(ZHANG, source="add")
    order = book.deals.add_order(customer.id, {"amount": "3000元"}, source="order")
    assert order["created_at"] == made_at("order")
