"""log, remind, done, snooze through real processes on a real encrypted book."""

from __future__ import annotations

from datetime import date, timedelta

from custbook.book import Book
from custbook.vault import unlock_book
from tests.cli.conftest import custbook
from tests.conftest import PASSPHRASE


def saved_book_state(path):
    vault = unlock_book(path, PASSPHRASE, write=False)
    try:
        book = Book(vault.db)
        return book.activity.interactions(1), book.activity.open_reminders()
    finally:
        vault.close()


def test_log_with_next_then_undo(book_file):
    custbook(book_file, "add", "--name", "张伟")
    logged = custbook(
        book_file, "log", "张伟", "--kind", "拜访", "--subject", "报价", "--next", "3天"
    )
    assert logged.returncode == 0, logged.stderr
    interactions, reminders = saved_book_state(book_file)
    assert interactions[0]["kind"] == "visit"
    assert reminders[0]["due"] == (date.today() + timedelta(days=3)).isoformat()
    assert custbook(book_file, "undo").returncode == 0
    assert saved_book_state(book_file) == ([], [])  # the log and its follow-up together


def test_remind_done_snooze(book_file):
    custbook(book_file, "add", "--name", "李娜")
    made = custbook(
        book_file,
        "remind",
        "月度回访",
        "--due",
        "2026-01-31",
        "--customer",
        "李娜",
        "--repeat",
        "每月",
    )
    assert made.returncode == 0, made.stderr
    done = custbook(book_file, "done", "1")
    assert done.returncode == 0 and "comes back" in done.stderr
    _, (reminder,) = saved_book_state(book_file)
    assert reminder["repeat_rule"] == "monthly"
    assert date.fromisoformat(reminder["due"]) > date.today()
    assert date.fromisoformat(reminder["due"]).day in (28, 29, 30, 31)  # anchored at the 31st
    snoozed = custbook(book_file, "snooze", "1", "next mon")
    assert snoozed.returncode == 0, snoozed.stderr
    once = custbook(book_file, "remind", "打电话", "--due", "明天")
    assert once.returncode == 0
    assert custbook(book_file, "done", "2").returncode == 0
    _, open_ones = saved_book_state(book_file)
    assert [r["id"] for r in open_ones] == [1]
    before = book_file.read_bytes()
    again = custbook(book_file, "done", "2")  # done already: said, nothing recorded
    assert again.returncode == 0 and "was done already" in again.stderr
    assert book_file.read_bytes() == before


def test_bad_when_and_rule_say_what_to_type(book_file):
    result = custbook(book_file, "remind", "x", "--due", "next blursday")
    assert result.returncode == 1 and "明天" in result.stderr
    result = custbook(book_file, "remind", "x", "--due", "1d", "--repeat", "often")
    assert result.returncode == 1 and "每月" in result.stderr
    assert custbook(book_file, "done", "99").returncode == 8
    typo = custbook(book_file, "remind", "续约", "--due", "2926-03-01")  # for 2026
    assert typo.returncode == 1 and "2926-03-01" in typo.stderr and "2199" in typo.stderr
    custbook(book_file, "remind", "续约", "--due", "2026-03-01")
    assert custbook(book_file, "snooze", "1", "2926-03-01").returncode == 1


def test_due_shows_what_log_and_orders_left(book_file):
    import json

    custbook(book_file, "add", "--name", "张伟", "--grade", "A")
    custbook(book_file, "log", "张伟", "--subject", "报价", "--when", "-40d", "--next", "-2d")
    custbook(book_file, "order", "add", "张伟", "--amount", "5000", "--due", "-3d")
    custbook(book_file, "remind", "今天的", "--due", "today")
    agenda = json.loads(custbook(book_file, "due", "--json").stdout)
    assert [r["title"] for r in agenda["overdue"]] == ["Follow up: 报价"]
    assert [r["title"] for r in agenda["due_today"]] == ["今天的"]
    assert [s["name"] for s in agenda["silent"]] == ["张伟"] and agenda["silent"][0][
        "days_silent"
    ] == 40
    assert [u["amount_minor"] for u in agenda["unpaid"]] == [500000]

    assert custbook(book_file, "order", "paid", "1").returncode == 0
    shown = json.loads(custbook(book_file, "show", "张伟", "--json").stdout)["figures"]
    assert shown["lifetime_revenue"] == {"amount_minor": 500000, "currency": "CNY"}
    assert shown["earliest_unpaid_due"] is None and shown["orders"] == 1
    assert json.loads(custbook(book_file, "due", "--json").stdout)["unpaid"] == []
    rebuilt = custbook(book_file, "rebuild")
    assert rebuilt.returncode == 0 and "rows that had drifted: 0" in rebuilt.stderr
