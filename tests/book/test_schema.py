"""Migrations: every version upgrades to the latest, and a newer book is refused."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from custbook.book import Book, listing
from custbook.book.schema import LATEST, MIGRATIONS, NewerBook, migrate, schema_version
from custbook.book.search import index as search_index
from custbook.book.search import keys
from custbook.sqlite_check import OldSQLite
from custbook.vault.database import open_memory_database


@pytest.mark.parametrize("start", range(0, LATEST))
def test_each_older_version_migrates_to_the_latest(start):
    db = sqlite3.connect(":memory:")
    migrate(db, target=start)
    assert schema_version(db) == start
    migrate(db)
    assert schema_version(db) == LATEST
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_migrations_are_numbered_in_order():
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST + 1))


def test_the_whole_data_model_is_there():
    book = Book.in_memory()
    tables = {r[0] for r in book.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "customers",
        "contacts",
        "tags",
        "customer_tags",
        "interactions",
        "reminders",
        "orders",
        "opportunities",
        "change_sets",
        "changes",
        "settings",
        "saved_views",
    } <= tables
    money = {r[1] for r in book.db.execute("PRAGMA table_info(orders)")}
    assert {"amount_minor", "currency", "unit_price_minor"} <= money


def test_a_failed_migration_changes_nothing(monkeypatch):
    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    from custbook.book import schema

    monkeypatch.setattr(schema, "MIGRATIONS", [schema.Migration(1, "broken", broken)])
    monkeypatch.setattr(schema, "LATEST", 1)
    db = sqlite3.connect(":memory:")
    with pytest.raises(RuntimeError):
        schema.migrate(db)
    assert schema_version(db) == 0
    assert db.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_a_newer_book_is_refused():
    db = sqlite3.connect(":memory:")
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(NewerBook):
        Book(db)


def test_secure_delete_is_on():
    assert Book.in_memory().db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_a_book_from_before_search_is_indexed_by_the_upgrade():
    db = sqlite3.connect(":memory:")
    migrate(db, target=2)
    now = "2026-03-01T09:00:00+08:00"
    db.execute(
        "INSERT INTO customers (name, company, phones, created_at, updated_at)"
        " VALUES ('曾小明', '重庆火锅有限公司', ?, ?, ?)",
        ('[{"e164": "+8613800138000", "typed": "138-0013-8000"}]', now, now),
    )
    db.execute(
        "INSERT INTO contacts (customer_id, name, created_at, updated_at) VALUES (1, '王芳', ?, ?)",
        (now, now),
    )
    db.commit()
    book = Book(db)  # migrates to the latest
    assert schema_version(db) == LATEST
    for query in ("zeng", "zxm", "8000", "王芳", "重庆", "火锅有限"):
        assert [line.record["name"] for line in book.search(query)] == ["曾小明"], query
    assert [line.record["name"] for line in book.page()] == ["曾小明"]


def _unmarked(text: str | None) -> str:
    """A search_all value as the words stood before the marks (migrations 3 and 4)."""
    return " ".join(word[1:] for word in (text or "").split())


def _indexed_book() -> tuple[Book, list[tuple[object, ...]]]:
    book = Book.in_memory()
    for name, company in (("曾小明", "重庆火锅有限公司"), ("Alice Zhang", "Blue Harbor")):
        book.customers.create({"name": name, "company": company}, source="test")
    return book, search_index.kept(book.db)


def _old_words(db: sqlite3.Connection) -> list[tuple[object, ...]]:
    names = ", ".join(search_index.ALL_TABLE["search_all"])
    rows = db.execute(f"SELECT rowid, {names} FROM search_all").fetchall()
    return [(row[0], *(_unmarked(v) for v in row[1:])) for row in rows]


def _reopened(db: sqlite3.Connection, version: int) -> Book:
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    book = Book(db)
    assert schema_version(db) == LATEST
    return book


def _finds_as_before(book: Book) -> None:
    assert [line.record["name"] for line in book.search("上海 zeng")] == []
    assert [line.record["name"] for line in book.search("重庆 zeng")] == ["曾小明"]


def test_a_book_indexed_by_migration_3_gets_search_all_as_a_rebuild_writes_it():
    book, rebuilt = _indexed_book()
    db = book.db
    words = _old_words(db)
    for table, columns in search_index._V3_WORD_TABLES.items():  # as migration 3 left it
        db.execute(search_index._create({table: columns}))
        for rowid, *values in words:
            row = dict(zip(search_index.ALL_TABLE["search_all"], values, strict=True))
            marks = ", ".join("?" for _ in columns)
            db.execute(
                f"INSERT INTO {table} (rowid, {', '.join(columns)}) VALUES (?, {marks})",
                (rowid, *(row[c] for c in columns)),
            )
    db.execute("DROP TABLE search_all")
    upgraded = _reopened(db, 3)
    assert search_index.kept(db) == rebuilt
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & set(search_index._V3_WORD_TABLES)  # dropped once copied
    _finds_as_before(upgraded)


def test_a_search_all_without_marks_gets_them():
    book, rebuilt = _indexed_book()
    db = book.db
    words = _old_words(db)
    db.execute("DROP TABLE search_all")  # as migration 4 wrote it before the marks
    names = ", ".join(search_index.ALL_TABLE["search_all"])
    db.execute(
        f"CREATE VIRTUAL TABLE search_all USING fts5({names}, "
        "tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5')"
    )
    marks = ", ".join("?" for _ in search_index.ALL_TABLE["search_all"])
    db.executemany(f"INSERT INTO search_all (rowid, {names}) VALUES (?, {marks})", words)
    db.execute(search_index._create({"search_names": ("name", "inner")}))  # an early build's
    upgraded = _reopened(db, 4)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "search_names" not in tables  # leftovers of an early migration 4 are dropped
    assert search_index.kept(db) == rebuilt
    _finds_as_before(upgraded)


def test_sort_keys_of_an_older_book_read_two_character_words_as_words():
    book = Book.in_memory()
    for name, kind in (("重庆火锅有限公司", "company"), ("长沙银行", "company"),
                       ("曾重庆", "person"), ("陈明", "person"), ("张伟", "person")):  # fmt: skip
        book.customers.create({"name": name, "kind": kind}, source="test")
    db = book.db
    kept = dict(db.execute("SELECT customer_id, sort_key FROM customer_search"))
    for customer_id, name, kind in db.execute("SELECT id, name, kind FROM customers").fetchall():
        db.execute(  # as migration 5 left them: every character by its first reading
            "UPDATE customer_search SET sort_key = ? WHERE customer_id = ?",
            (_key_before_words(name, person=kind == "person"), customer_id),
        )
    assert (
        db.execute("SELECT sort_key FROM customer_search WHERE customer_id = 1")
        .fetchone()[0]
        .startswith("zhong qing")
    )
    upgraded = _reopened(db, 5)
    assert dict(db.execute("SELECT customer_id, sort_key FROM customer_search")) == kept
    names = [line.record["name"] for line in listing.page(upgraded, date(2026, 11, 26))]
    assert names == ["长沙银行", "陈明", "重庆火锅有限公司", "曾重庆", "张伟"]


def test_latin_names_of_an_older_book_sort_by_their_words_among_chinese_ones():
    book = Book.in_memory()
    for name in ("Cindy Xie", "蔡斌", "崔健", "Anna Li", "曾Frank"):
        book.customers.create({"name": name}, source="test")
    db = book.db
    kept = dict(db.execute("SELECT customer_id, sort_key FROM customer_search"))
    for customer_id, name, kind in db.execute("SELECT id, name, kind FROM customers").fetchall():
        db.execute(  # as migration 6 left them: a letter at a time
            "UPDATE customer_search SET sort_key = ? WHERE customer_id = ?",
            (_key_before_words(name, person=kind == "person"), customer_id),
        )
    before = [line.record["name"] for line in listing.page(book, date(2026, 11, 26))]
    assert before == ["Anna Li", "Cindy Xie", "蔡斌", "崔健", "曾Frank"]  # c i n… before cai
    upgraded = _reopened(db, 6)
    assert dict(db.execute("SELECT customer_id, sort_key FROM customer_search")) == kept
    names = [line.record["name"] for line in listing.page(upgraded, date(2026, 11, 26))]
    assert names == ["Anna Li", "蔡斌", "Cindy Xie", "崔健", "曾Frank"]


def _key_before_words(name: str, *, person: bool) -> str:
    chars = keys.normal(name)
    spelled = [
        keys._SURNAMES[c] if person and i == 0 and c in keys._SURNAMES else keys.readings(c)[0]
        for i, c in enumerate(chars)
    ]
    return " ".join(spelled) + "\x00" + chars


def test_a_sqlite_too_old_is_told_before_anything_is_read(monkeypatch):
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(OldSQLite) as raised:
        Book.in_memory()
    assert "3.35.0" in raised.value.message and "3.31.1" in raised.value.message
    with pytest.raises(OldSQLite):  # and before a book file's image is loaded
        open_memory_database(b"")
