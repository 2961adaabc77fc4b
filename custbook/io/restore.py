"""A custbook JSON export brought back into an empty book: the same records with the
same ids, as one change set (one undo), with figures and search rows rebuilt as it
closes. Settings and saved views come back too (they have no history to undo)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from custbook.book import recorded, rows
from custbook.book.book import DEFAULT_SETTINGS, Book
from custbook.book.history import Recorder, change_set
from custbook.errors import InvalidInput
from custbook.i18n import _

SOURCE = "import"
_OWNED = ("contacts", "interactions", "reminders", "orders", "opportunities")
_ENTITY = {"contacts": "contact", "interactions": "interaction", "reminders": "reminder",
           "orders": "order", "opportunities": "opportunity"}  # fmt: skip


def is_export(path: Path) -> bool:
    """Whether the file is custbook's own JSON export."""
    if path.suffix.casefold() != ".json":
        return False
    with path.open("rb") as head:
        return head.read(1).strip() in (b"{", b"")


def read_export(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(
            _("{path} is not readable JSON ({reason}).").format(path=path.name, reason=error)
        ) from None
    if not isinstance(data, dict) or data.get("format") != "custbook" or data.get("version") != 1:
        raise InvalidInput(
            _("{path} is not a custbook JSON export (version 1).").format(path=path.name)
        )
    return data


def restore(book: Book, data: dict[str, Any], *, dry_run: bool = False) -> dict[str, int]:
    """Every record of the export, with its id, into `book`, which must be empty."""
    db = book.db
    if db.execute("SELECT 1 FROM customers UNION ALL SELECT 1 FROM reminders").fetchone():
        raise InvalidInput(
            _(
                "A JSON export comes back only into an empty book (its ids are kept). To add "
                "customers to this book, export and import CSV or XLSX."
            )
        )
    counts = {"customers": 0, **dict.fromkeys(_OWNED, 0)}
    savepoint = "restore_json"
    db.execute(f"SAVEPOINT {savepoint}")
    try:
        with change_set(db, book.clock, SOURCE) as recorder:
            for customer in _list(data, "customers"):
                _restore_customer(book, customer, recorder, counts)
            for reminder in _list(data, "reminders"):
                _create(book, "reminder", reminder, recorder)
                counts["reminders"] += 1
        for key, value in _dict(data, "settings").items():
            if key not in DEFAULT_SETTINGS or not isinstance(value, type(DEFAULT_SETTINGS[key])):
                raise InvalidInput(
                    _("The export's setting “{key}” is not one this custbook knows.").format(
                        key=key
                    )
                )
            book.set_setting(key, value)
        for view in _list(data, "saved_views"):
            _insert_plain(db, "saved_views", view)
    except InvalidInput:
        _undo_all(db, savepoint)
        raise
    except (sqlite3.Error, TypeError, ValueError, AttributeError) as error:  # what it holds
        _undo_all(db, savepoint)
        raise InvalidInput(
            _(
                "The export holds a record the book refuses ({reason}); nothing was imported."
            ).format(reason=error)
        ) from None
    if dry_run:
        db.execute(f"ROLLBACK TO {savepoint}")
    db.execute(f"RELEASE {savepoint}")
    if db.in_transaction:
        db.commit()
    return counts


def _undo_all(db: sqlite3.Connection, savepoint: str) -> None:
    db.execute(f"ROLLBACK TO {savepoint}")
    db.execute(f"RELEASE {savepoint}")
    if db.in_transaction:
        db.commit()  # nothing is left in it


def _restore_customer(
    book: Book, customer: dict[str, Any], recorder: Recorder, counts: dict[str, int]
) -> None:
    record = {k: v for k, v in customer.items() if k not in _OWNED}
    _create(book, "customer", record, recorder)
    counts["customers"] += 1
    for key in _OWNED:
        for owned in _list(customer, key):
            _create(book, _ENTITY[key], owned, recorder)
            counts[key] += 1


def _create(book: Book, entity: str, record: dict[str, Any], recorder: Recorder) -> None:
    _check_columns(book.db, rows.TABLES[entity], record, extra=frozenset({"tags"}))
    owner = record.get("id") if entity == "customer" else record.get("customer_id")
    recorded.create(book, entity, record, owner, recorder)


def _insert_plain(db: sqlite3.Connection, table: str, record: dict[str, Any]) -> None:
    _check_columns(db, table, record)
    names = ", ".join(record)
    db.execute(
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in record)})",
        list(record.values()),
    )


def _check_columns(
    db: sqlite3.Connection, table: str, record: Any, extra: frozenset[str] = frozenset()
) -> None:
    if not isinstance(record, dict):
        raise InvalidInput(
            _("The export's {table} hold something that is no record.").format(table=table)
        )
    known = {r[0] for r in db.execute(f"SELECT name FROM pragma_table_info('{table}')")} | extra
    unknown = sorted(set(record) - known)
    if unknown:
        raise InvalidInput(
            _("The export's {table} have fields this custbook does not know: {fields}").format(
                table=table, fields=", ".join(unknown)
            )
        )


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise InvalidInput(_("The export's “{key}” is not a list.").format(key=key))
    return value


def _dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise InvalidInput(_("The export's “{key}” is not a table of values.").format(key=key))
    return value
