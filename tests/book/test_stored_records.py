"""What a write hands back as stored is what reading the record gives, for every kind of
record: rows.insert_stored makes it from the record and the table's defaults, not read
back, unless SQLite would store a value otherwise than given."""

from __future__ import annotations

from datetime import date

import pytest

from custbook.book import rows
from tests.book.conftest import ZHANG


@pytest.fixture
def handed_back(monkeypatch):
    """Every (entity, record) insert_stored returns, as the services write."""
    found = []
    insert_stored = rows.insert_stored

    def recording(db, entity, record):
        stored = insert_stored(db, entity, record)
        found.append((entity, stored))
        return stored

    monkeypatch.setattr(rows, "insert_stored", recording)
    return found


def test_every_record_a_service_inserts_is_handed_back_as_stored(book, handed_back):
    customer = book.customers.create(
        {**ZHANG, "satisfaction": 4, "do_not_contact": True, "consent_date": "2026-01-05",
         "custom.来源": "展会", "phones": ["138 0013 8000 转 12", "021-62345678"]},
        source="t",
    )  # fmt: skip
    book.customers.create({"name": "Acme Ltd", "kind": "company"}, source="t")  # defaults
    book.customers.add_contact(
        customer.id, {"name": "王芳", "is_primary": "yes", "birthday": "1990-02-28"}, source="t"
    )
    book.activity.log(
        customer.id, {"kind": "visit", "subject": "拜访", "rating": "5"}, source="t",
        follow_up=date(2026, 4, 1),
    )  # fmt: skip
    book.activity.remind("续约", date(2026, 5, 1), source="t", repeat_rule="every 30 days")
    book.deals.add_order(
        customer.id, {"product": "打印机", "quantity": "3", "unit_price": "¥1,250.50"}, source="t"
    )
    book.deals.add_opportunity(
        customer.id, {"title": "扩容", "amount": "1.2万", "probability": "60"}, source="t"
    )
    entities = [entity for entity, _stored in handed_back]
    assert entities == ["customer", "customer", "contact", "interaction", "reminder", "reminder",
                        "order", "opportunity"]  # fmt: skip
    for entity, stored in handed_back:
        assert stored == rows.snapshot(book.db, entity, stored["id"]), entity
        assert list(stored) == list(rows.snapshot(book.db, entity, stored["id"]) or {})


def test_a_value_sqlite_would_store_otherwise_is_read_back(book):
    """An integer column given text, a text column given a number: what is handed back
    is what SQLite made of them."""
    record = {"name": 12345, "kind": "person", "satisfaction": "4", "do_not_contact": True,
              "created_at": "2026-03-01T09:00:00+08:00", "updated_at": "x"}  # fmt: skip
    stored = rows.insert_stored(book.db, "customer", record)
    assert stored == rows.snapshot(book.db, "customer", stored["id"])
    assert (stored["name"], stored["satisfaction"], stored["do_not_contact"]) == ("12345", 4, 1)


def test_a_table_whose_defaults_are_not_constants_is_read_back(book):
    """A default SQLite works out at each insert (the time), or one stored otherwise
    than SQLite gives it (text in an integer column): no defaults are kept for it."""
    book.db.execute(
        "CREATE TABLE temp.stamped (id INTEGER PRIMARY KEY, at TEXT DEFAULT CURRENT_TIMESTAMP)"
    )
    book.db.execute("CREATE TABLE temp.odd (id INTEGER PRIMARY KEY, n INTEGER DEFAULT '0')")
    book.db.execute("CREATE TABLE temp.plain (id INTEGER PRIMARY KEY, k TEXT DEFAULT 'x')")
    try:
        assert rows._schema_of(book.db, "stamped")[1] is None
        assert rows._schema_of(book.db, "odd")[1] is None
        assert rows._schema_of(book.db, "plain")[1] == {"id": None, "k": "x"}
    finally:
        rows.forget_schema()  # these tables are this test's own
