"""The demo book: deterministic, realistic, made through the services, with every kind of
work the agenda shows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from custbook.book import Book, figures
from custbook.book.demo import DemoSummary, fill_demo_book

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=CHINA)
TODAY = NOW.date()
COUNTED = {
    "customers": "customers",
    "contacts": "contacts",
    "interactions": "interactions",
    "orders": "orders",
    "opportunities": "opportunities",
    "reminders": "reminders",
}


def clock_at(now: datetime):
    return lambda: now


def fill(customers: int = 300, seed: int = 1, now: datetime = NOW) -> tuple[Book, DemoSummary]:
    book = Book.in_memory(clock=clock_at(now))
    return book, fill_demo_book(book, customers=customers, seed=seed, today=now.date())


def dump(book: Book) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (kept figures and history included), in key order."""
    tables = [r[0] for r in book.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert {"customers", "orders", "interactions", "changes"} <= set(tables)

    def order(table: str) -> str:
        width = len(book.db.execute(f"PRAGMA table_info({table})").fetchall())
        return "1, 2" if width > 1 else "1"

    return {
        table: [tuple(r) for r in book.db.execute(f"SELECT * FROM {table} ORDER BY {order(table)}")]
        for table in tables
    }


def scalar(book: Book, sql: str, *arguments: object) -> object:
    return book.db.execute(sql, arguments).fetchone()[0]


@pytest.fixture(scope="module")
def demo() -> tuple[Book, DemoSummary]:
    return fill()


@pytest.fixture(scope="module")
def other() -> tuple[Book, DemoSummary]:
    return fill(seed=2)


def test_300_customers_by_default_and_the_summary_counts_the_database(demo):
    book, summary = demo
    assert summary.customers == 300
    for field, table in COUNTED.items():
        assert getattr(summary, field) == scalar(book, f"SELECT count(*) FROM {table}"), field
    assert summary.contacts > 0 and summary.interactions > summary.customers
    assert summary.orders > 0 and summary.opportunities > 0 and summary.reminders > 0


def test_the_same_seed_and_day_give_the_same_book(demo):
    book, summary = demo
    again, summary_again = fill()
    assert summary_again == summary
    assert dump(again) == dump(book)


def test_another_seed_gives_another_book(demo, other):
    assert dump(other[0])["customers"] != dump(demo[0])["customers"]
    assert dump(other[0])["interactions"] != dump(demo[0])["interactions"]


def test_every_write_went_through_the_services_as_demo(demo):
    book, _summary = demo
    sources = [r[0] for r in book.db.execute("SELECT DISTINCT source FROM change_sets")]
    assert sources == ["demo"]
    never_recorded = scalar(
        book,
        "SELECT count(*) FROM customers c WHERE NOT EXISTS"
        " (SELECT 1 FROM changes WHERE entity = 'customer' AND entity_id = c.id)",
    )
    assert never_recorded == 0
    first = book.customers.get(1)
    assert book.history(first.id)  # its history is there to show


def test_kept_figures_equal_a_rebuild(demo, other):
    for book, _summary in (demo, other):
        kept = figures.kept(book.db)
        assert len(kept) >= 300
        figures.rebuild(book.db)
        assert figures.kept(book.db) == kept


def test_figures_of_many_at_once_equal_one_by_one(demo, other):
    """The grouped statement an import uses gives each customer's figures as `refresh`
    does (archived, lost, do-not-contact, snoozed, unpaid, refunded: the demo has all)."""
    for book, _summary in (demo, other):
        figures.rebuild(book.db)
        one_by_one = figures.kept(book.db)
        book.db.execute("DELETE FROM customer_figures")
        book.db.execute("DELETE FROM customer_revenue_months")
        ids = [r[0] for r in book.db.execute("SELECT id FROM customers")]
        figures.refresh_many(book.db, ids, revenue=ids)
        assert figures.kept(book.db) == one_by_one
        book.db.execute("UPDATE customer_figures SET revenue_minor = -1")  # upserts, too
        figures.refresh_many(book.db, ids, revenue=ids)
        assert figures.kept(book.db) == one_by_one


def assert_has_the_agenda_work(book: Book, today: date) -> None:
    """What the agenda should find in any demo book of 25 customers or more."""
    month_ago = (today - timedelta(days=30)).isoformat()
    silent_a = scalar(
        book,
        "SELECT count(*) FROM customers c WHERE grade = 'A' AND"
        " (SELECT max(happened_at) FROM interactions WHERE customer_id = c.id) < ?",
        month_ago,
    )
    assert silent_a >= 3
    overdue_orders = scalar(
        book,
        "SELECT count(*) FROM orders WHERE status = 'open' AND payment_due < ?",
        today.isoformat(),
    )
    assert overdue_orders >= 3
    assert scalar(book, "SELECT count(*) FROM orders WHERE status = 'refunded'") >= 1
    assert scalar(book, "SELECT count(*) FROM orders WHERE status = 'cancelled'") >= 1
    wakes = "done_at IS NULL AND coalesce(snoozed_until, due)"
    assert scalar(book, f"SELECT count(*) FROM reminders WHERE {wakes} < ?", str(today)) >= 1
    assert scalar(book, f"SELECT count(*) FROM reminders WHERE {wakes} = ?", str(today)) >= 1
    snoozed = "SELECT count(*) FROM reminders WHERE done_at IS NULL AND snoozed_until > ?"
    assert scalar(book, snoozed, today.isoformat()) >= 1
    monthly = "SELECT count(*) FROM reminders WHERE done_at IS NULL AND repeat_rule = 'monthly'"
    assert scalar(book, monthly) >= 1
    names = [r[0] for r in book.db.execute("SELECT name FROM customers WHERE kind = 'person'")]
    assert any(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name) for name in names)
    assert any(re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", name) for name in names)
    assert scalar(book, "SELECT count(*) FROM customers WHERE birthday LIKE '%-02-29'") >= 1


def test_the_book_holds_every_kind_of_work(demo):
    assert_has_the_agenda_work(demo[0], TODAY)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2028, 2, 29, 9, 0, tzinfo=CHINA),  # a leap day
        datetime(2027, 12, 31, 23, 30, tzinfo=UTC),  # the year's end, in UTC
    ],
)
def test_every_date_is_relative_to_today(now):
    book, summary = fill(customers=40, seed=7, now=now)
    today = now.date()
    assert summary.customers == 40
    assert_has_the_agenda_work(book, today)
    offset = now.isoformat()[-6:]
    year_ago = (today - timedelta(days=370)).isoformat()
    for (happened,) in book.db.execute("SELECT happened_at FROM interactions"):
        assert happened.endswith(offset)  # aware, in the clock's offset
        assert year_ago < happened < today.isoformat()
    for ordered, paid in book.db.execute("SELECT ordered_on, paid_on FROM orders"):
        assert year_ago < ordered < today.isoformat()
        assert paid is None or ordered <= paid <= today.isoformat()


def test_a_realistic_mix(demo):
    book, _summary = demo

    def share(sql: str) -> float:
        return scalar(book, sql) / 300

    assert 0.08 <= share("SELECT count(*) FROM customers WHERE grade = 'A'") <= 0.25
    assert 0.25 <= share("SELECT count(*) FROM customers WHERE grade = 'B'") <= 0.45
    assert 0.40 <= share("SELECT count(*) FROM customers WHERE grade = 'C'") <= 0.60
    assert 0.22 <= share("SELECT count(*) FROM customers WHERE kind = 'company'") <= 0.45
    stages = {r[0] for r in book.db.execute("SELECT DISTINCT stage FROM customers")}
    assert stages == {"lead", "prospect", "active", "loyal", "dormant", "lost"}
    per_company = [
        r[0]
        for r in book.db.execute(
            "SELECT count(k.id) FROM customers c LEFT JOIN contacts k ON k.customer_id = c.id"
            " WHERE c.kind = 'company' GROUP BY c.id"
        )
    ]
    assert min(per_company) == 1 and max(per_company) == 3
    per_customer = [
        r[0]
        for r in book.db.execute(
            "SELECT count(i.id) FROM customers c LEFT JOIN interactions i"
            " ON i.customer_id = c.id GROUP BY c.id"
        )
    ]
    assert min(per_customer) == 0 and max(per_customer) == 12
    tags = {r[0] for r in book.db.execute("SELECT name FROM tags")}
    assert {"VIP", "老客户", "华东", "重点跟进", "价格敏感"} <= tags
    paid = scalar(book, "SELECT count(*) FROM orders WHERE status = 'paid'")
    assert paid > scalar(book, "SELECT count(*) FROM orders") / 2  # mostly paid
    assert scalar(book, "SELECT count(*) FROM customers WHERE birthday LIKE '--%'") >= 1
    for (phones,) in book.db.execute("SELECT phones FROM customers"):
        assert '"e164":"+86' in phones  # every customer reachable, numbers valid for CN


def test_small_and_empty_books():
    book, summary = fill(customers=0)
    assert summary == DemoSummary(0, 0, 0, 0, 0, 0)
    assert scalar(book, "SELECT count(*) FROM change_sets") == 0
    book, summary = fill(customers=3)
    assert summary.customers == 3 == scalar(book, "SELECT count(*) FROM customers")
    with pytest.raises(ValueError):
        fill_demo_book(book, customers=-1, today=TODAY)


def test_a_failed_fill_leaves_the_book_as_it_was(monkeypatch):
    """The whole fill is one transaction: the services' change sets join it."""
    book = Book.in_memory(clock=clock_at(NOW))
    book.customers.create({"name": "已有客户"}, source="test")
    before = dump(book)
    add_order, calls = book.deals.add_order, []

    def failing_add_order(*args, **kwargs):
        calls.append(1)
        if len(calls) == 50:
            raise RuntimeError("disk on fire")
        return add_order(*args, **kwargs)

    monkeypatch.setattr(book.deals, "add_order", failing_add_order)
    with pytest.raises(RuntimeError):
        fill_demo_book(book, customers=100, today=TODAY)
    assert not book.db.in_transaction
    assert dump(book) == before
