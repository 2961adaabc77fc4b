"""Pages of the customer list: every live customer once, by name, each line saying what
get() + risk_flags + suggested_grade say of that customer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custbook.book import Book, insight, listing
from custbook.book.demo import fill_demo_book

from .test_demo import NOW, TODAY, clock_at


@pytest.fixture(scope="module")
def demo() -> Book:
    book = Book.in_memory(clock=clock_at(NOW))
    fill_demo_book(book, customers=120, seed=3, today=TODAY)
    return book


def every_page(book: Book, size: int, **options) -> list[listing.ListedCustomer]:
    found, after = [], None
    while page := listing.page(book, TODAY, after=after, limit=size, **options):
        assert len(page) <= size
        found += page
        after = page[-1].key
    return found


def test_pages_by_key_cover_every_live_customer_once_in_name_order(demo):
    archived = demo.db.execute("SELECT id FROM customers LIMIT 3").fetchall()
    for (customer_id,) in archived:
        demo.customers.archive(customer_id, source="test")
    for is_archived, where in ((False, "IS NULL"), (True, "IS NOT NULL")):
        expected = demo.db.execute(
            "SELECT c.id FROM customers c JOIN customer_search s ON s.customer_id = c.id"
            f" WHERE c.archived_at {where} ORDER BY s.sort_key, c.id"
        ).fetchall()
        found = every_page(demo, 7, archived=is_archived)
        assert [c.id for c in found] == [r[0] for r in expected]
    assert {r[0] for r in archived} <= {c.id for c in every_page(demo, 50, archived=True)}
    for (customer_id,) in archived:
        demo.customers.restore(customer_id, source="test")


@pytest.mark.parametrize("days_later", [0, 45, 200])
def test_each_line_agrees_with_the_customer_view(demo, days_later):
    today = TODAY + timedelta(days=days_later)
    flagged = 0
    for line in listing.page(demo, today, limit=1000):
        customer = demo.customers.get(line.id)
        for field in ("name", "company", "city", "grade", "stage"):
            assert line.record[field] == customer[field], field
        assert line.tags == customer["tags"]
        assert line.figures == customer.figures
        assert line.risk == insight.risk_flags(demo, customer, today)
        assert line.suggested_grade == insight.suggested_grade(demo, customer, today)
        flagged += bool(line.risk)
    assert flagged > 0  # the demo has customers at risk: the comparison means something


def test_an_empty_book_and_a_key_past_the_end():
    book = Book.in_memory(clock=clock_at(NOW))
    assert listing.page(book, TODAY) == []
    book.customers.create({"name": "张伟"}, source="test")
    assert [c.record["name"] for c in listing.page(book, TODAY)] == ["张伟"]
    (only,) = listing.page(book, TODAY)
    assert listing.page(book, TODAY, after=only.key) == []


MONTHS = [f"{y}-{m:02d}" for y in (2026, 2027) for m in range(1, 13)]


@settings(deadline=None, max_examples=300)
@given(
    st.dates(min_value=date(2026, 6, 1), max_value=date(2027, 6, 30)),
    st.dictionaries(st.sampled_from(MONTHS), st.integers(0, 10**9), max_size=12),
)
def test_falling_compares_the_last_three_months_with_the_three_before(today, revenue):
    """By its definition: the sums of this month and the two before, and of the three
    months before those; months after this one (orders dated ahead) count in neither."""
    windows = [(today.year * 12 + today.month - 1 - k) for k in range(6)]
    months = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in windows]
    recent = sum(revenue.get(m, 0) for m in months[:3])
    before = sum(revenue.get(m, 0) for m in months[3:])
    judge = insight.Judge(today, {"A": 30, "B": 60, "C": 90}, (1, 1))
    flags = judge.flags({}, "A", revenue)
    assert ("falling" in flags) == (before > 0 and recent * 2 < before)
