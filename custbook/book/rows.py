"""Records as plain dicts, read and written field by field: the one place that knows how a
field is stored (a column, a JSON list, a tag link, a key of the custom fields).

Services and undo both write through `apply`, so an undo stores exactly what an edit does.
"""

from __future__ import annotations

import json
import re
import sqlite3
import string
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from custbook.book import jsontext

if TYPE_CHECKING:
    from custbook.book.history import Change

TABLES = {
    "customer": "customers",
    "contact": "contacts",
    "interaction": "interactions",
    "reminder": "reminders",
    "order": "orders",
    "opportunity": "opportunities",
}
JSON_COLUMNS = {"phones", "emails", "custom_fields"}
CUSTOM_PREFIX = "custom."
_STAMPED = {"customer", "contact", "opportunity"}  # the records that carry updated_at


# A customer's tags, read with the customer (names in the order tags_of gives them).
_TAGS_COLUMN = (
    "(SELECT json_group_array(t.name) FROM tags t JOIN customer_tags ct ON ct.tag_id = t.id"
    " WHERE ct.customer_id = customers.id) AS tags"
)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def snapshot(db: sqlite3.Connection, entity: str, entity_id: int) -> dict[str, Any] | None:
    """The whole record as JSON-ready values, or None when it does not exist."""
    extra = f", {_TAGS_COLUMN}" if entity == "customer" else ""
    cursor = db.execute(f"SELECT *{extra} FROM {TABLES[entity]} WHERE id = ?", (entity_id,))
    found = records(cursor)
    return found[0] if found else None


def fields(
    db: sqlite3.Connection, entity: str, entity_id: int, names: Iterable[str]
) -> dict[str, Any] | None:
    """Some fields of a record as `snapshot` gives them (`custom.x` reads custom_fields),
    or None when it does not exist: an edit compares only what it changes (decoding the
    whole customer was a tenth of an edit). `names` are known fields (check_values)."""
    wanted = {"custom_fields" if n.startswith(CUSTOM_PREFIX) else n for n in names}
    columns = ["id", *sorted(wanted - {"tags"})]
    if "tags" in wanted and entity == "customer":
        columns.append(_TAGS_COLUMN)
    cursor = db.execute(
        f"SELECT {', '.join(columns)} FROM {TABLES[entity]} WHERE id = ?", (entity_id,)
    )
    found = records(cursor)
    return found[0] if found else None


def records(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """The cursor's rows as records: JSON columns decoded, tags in tags_of order."""
    names = [d[0] for d in cursor.description]
    decoded = JSON_COLUMNS.intersection(names)
    found = []
    for row in cursor:
        record = dict(zip(names, row, strict=True))
        for key in decoded:
            record[key] = jsontext.decode(record[key])
        if "tags" in record:
            record["tags"] = sorted(json.loads(record["tags"]), key=nocase)
        found.append(record)
    return found


def nocase(name: str) -> str:
    """SQLite's NOCASE order: only ASCII letters fold."""
    return name.translate(_ASCII_LOWER)


def to_column(key: str, value: Any) -> Any:
    """JSON in one canonical spelling (compact, keys sorted), so equal values store equal."""
    return _json_column(value) if key in JSON_COLUMNS else value


_json_column = jsontext.encoder(compact=True, sort_keys=True)


def tags_of(db: sqlite3.Connection, customer_id: int) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT t.name FROM tags t JOIN customer_tags ct ON ct.tag_id = t.id"
            " WHERE ct.customer_id = ? ORDER BY t.name COLLATE NOCASE",
            (customer_id,),
        )
    ]


def field_value(record: dict[str, Any], field: str) -> Any:
    if field.startswith(CUSTOM_PREFIX):
        return record["custom_fields"].get(field.removeprefix(CUSTOM_PREFIX))
    return record.get(field)


def insert(db: sqlite3.Connection, entity: str, record: dict[str, Any]) -> int:
    """Insert a record (with its id when it has one, as an undone delete does)."""
    cursor = _inserted(db, TABLES[entity], _columns(record), "")
    entity_id = record.get("id") or cursor.lastrowid or 0
    if entity == "customer":
        _link_tags(db, entity_id, record.get("tags", []))  # a new record has no links yet
    return entity_id


def insert_stored(db: sqlite3.Connection, entity: str, record: dict[str, Any]) -> dict[str, Any]:
    """Insert a new record and return it as stored (as `snapshot` gives it): made from
    the record and the table's defaults when SQLite stores each value as it is given,
    else read back from the INSERT (RETURNING, and reading the record again, each cost a
    tenth of adding a customer)."""
    table = TABLES[entity]
    given = _columns(record)
    as_given, defaults = _schema_of(db, table)
    if defaults is not None and _stored_as_given(as_given, given):
        cursor = _inserted(db, table, given, "")
        stored = {**defaults, **given, "id": given.get("id") or cursor.lastrowid}
        for key in JSON_COLUMNS.intersection(stored):  # as records() decodes them
            stored[key] = jsontext.decode(stored[key])
    else:
        (stored,) = records(_inserted(db, table, given, " RETURNING *"))
    if entity == "customer":
        names = record.get("tags", [])
        _link_tags(db, stored["id"], names)
        stored["tags"] = tags_of(db, stored["id"]) if names else []
    return stored


def _columns(record: dict[str, Any]) -> dict[str, Any]:
    """A record's column values as stored (JSON as text); no id unless it has one. (Made
    without a loop over every field: an add runs this, and bytecode is what it costs.)"""
    columns = dict(record)
    columns.pop("tags", None)
    if "id" in columns and columns["id"] is None:
        del columns["id"]
    for key in JSON_COLUMNS.intersection(columns):
        columns[key] = _json_column(columns[key])
    return columns


def _inserted(
    db: sqlite3.Connection, table: str, columns: dict[str, Any], returning: str
) -> sqlite3.Cursor:
    names = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    return db.execute(
        f"INSERT INTO {table} ({names}) VALUES ({marks}){returning}", list(columns.values())
    )


# A table's (column, type) pairs that SQLite stores as they are given: None anywhere, an
# int in an INTEGER column, a str in a TEXT one (an integer column turns the text "5"
# into 5, a text column 5 into "5"; a bool is not an int here)
AsGiven = frozenset[tuple[str, type]]


def _stored_as_given(as_given: AsGiven, columns: dict[str, Any]) -> bool:
    """Whether SQLite gives back each of `columns`' values as it was given (a column the
    table lacks: no; the INSERT says so). Asked in C, without a loop of bytecode."""
    return all(map(as_given.__contains__, zip(columns, map(type, columns.values()), strict=True)))


def _as_given(declared: dict[str, str]) -> AsGiven:
    kept = {"INTEGER": int, "TEXT": str}
    return frozenset(
        [(column, type(None)) for column in declared]
        + [(column, kept[kind]) for column, kind in declared.items() if kind in kept]
    )


# Each table's columns as `AsGiven`, and their defaults' values (None when a default is
# more than a constant, or would not be stored as SQLite gives it: such a table's records
# are read back). Every book is at the latest schema once open; migrations forget what
# was kept here (forget_schema).
_SCHEMA: dict[str, tuple[AsGiven, dict[str, Any] | None]] = {}
_CONSTANT = re.compile(r"NULL|-?[0-9]+|'[^']*'", re.IGNORECASE)


def _schema_of(db: sqlite3.Connection, table: str) -> tuple[AsGiven, dict[str, Any] | None]:
    found = _SCHEMA.get(table)
    if found is None:
        columns = db.execute(f"PRAGMA table_info({table})").fetchall()
        as_given = _as_given({c[1]: c[2].upper() for c in columns})
        texts = [c[4] or "NULL" for c in columns]  # SQL: 'person', 0, '[]'
        values = db.execute(f"SELECT {', '.join(texts)}").fetchone()
        defaults: dict[str, Any] | None = dict(zip([c[1] for c in columns], values, strict=True))
        constant = all(_CONSTANT.fullmatch(text) for text in texts)
        if not constant or not _stored_as_given(as_given, defaults):
            defaults = None
        found = _SCHEMA[table] = (as_given, defaults)
    return found


def forget_schema() -> None:
    _SCHEMA.clear()


def insert_many(db: sqlite3.Connection, entity: str, records: list[dict[str, Any]]) -> list[int]:
    """Insert new records (no ids) with one executemany per set of fields; returns their
    ids, given in order after the highest the table ever used (AUTOINCREMENT's rule)."""
    table = TABLES[entity]
    (first,) = db.execute(
        f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0),"
        f" coalesce((SELECT max(id) FROM {table}), 0)) + 1"
    ).fetchone()
    ids = list(range(first, first + len(records)))
    shapes: dict[tuple[str, ...], list[list[Any]]] = {}
    for entity_id, record in zip(ids, records, strict=True):
        columns = tuple(k for k in record if k not in ("tags", "id"))
        values = [entity_id]
        for column in columns:  # to_column, inlined: an import converts millions
            value = record[column]
            values.append(_json_column(value) if column in JSON_COLUMNS else value)
        shapes.setdefault(columns, []).append(values)
    for columns, values in shapes.items():
        marks = ", ".join("?" for _ in range(len(columns) + 1))
        db.executemany(f"INSERT INTO {table} (id, {', '.join(columns)}) VALUES ({marks})", values)
    if entity == "customer":
        for entity_id, record in zip(ids, records, strict=True):
            _link_tags(db, entity_id, record.get("tags", []))
    return ids


def snapshot_json(db: sqlite3.Connection, entity: str) -> str:
    """An SQL expression of a row of `entity`'s table as the JSON of its `snapshot`
    (the same keys in the same order, JSON columns as JSON, a customer's tags sorted as
    tags_of sorts them), for recording many creates without a trip through Python."""
    table = TABLES[entity]
    pairs = [
        f"'{c}', json({c})" if c in JSON_COLUMNS else f"'{c}', {c}"
        for (c,) in db.execute(f"SELECT name FROM pragma_table_info('{table}')")
    ]
    if entity == "customer":
        pairs.append(
            "'tags', (SELECT json_group_array(name) FROM (SELECT t.name AS name FROM tags t"
            " JOIN customer_tags ct ON ct.tag_id = t.id WHERE ct.customer_id = customers.id"
            " ORDER BY t.name COLLATE NOCASE))"
        )
    return f"json_object({', '.join(pairs)})"


def delete(db: sqlite3.Connection, entity: str, entity_id: int) -> None:
    db.execute(f"DELETE FROM {TABLES[entity]} WHERE id = ?", (entity_id,))
    if entity == "customer":
        delete_orphan_tags(db)  # its tag links went with it (ON DELETE CASCADE)


def write_field(
    db: sqlite3.Connection,
    entity: str,
    entity_id: int,
    field: str,
    value: Any,
    stamp: str | None = None,
) -> None:
    """One field, and with `stamp` the record's updated_at, in one UPDATE."""
    table = TABLES[entity]
    column, stored = _column(field), to_column(field, value)
    if field == "tags":
        set_tags(db, entity_id, value or [])
        column = None
    elif field.startswith(CUSTOM_PREFIX):
        row = db.execute(f"SELECT custom_fields FROM {table} WHERE id = ?", (entity_id,)).fetchone()
        custom = json.loads(row[0]) if row else {}
        key = field.removeprefix(CUSTOM_PREFIX)
        if value is None:
            custom.pop(key, None)
        else:
            custom[key] = value
        column, stored = "custom_fields", to_column("custom_fields", custom)
    assignments = {column: stored} if column else {}
    if stamp is not None and entity in _STAMPED:
        assignments["updated_at"] = stamp
    if assignments:
        sets = ", ".join(f"{name} = ?" for name in assignments)
        db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*assignments.values(), entity_id))


def _column(field: str) -> str:
    if not field.removeprefix(CUSTOM_PREFIX).replace("_", "").isalnum():
        raise ValueError(f"not a column name: {field!r}")
    return field


def set_tags(db: sqlite3.Connection, customer_id: int, names: list[str]) -> None:
    """Link exactly these tags; a tag no customer has any more is deleted (its name could
    be personal: an erase must not leave it behind)."""
    db.execute("DELETE FROM customer_tags WHERE customer_id = ?", (customer_id,))
    _link_tags(db, customer_id, names)
    delete_orphan_tags(db)


def _link_tags(db: sqlite3.Connection, customer_id: int, names: list[str]) -> None:
    for name in names:
        db.execute("INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING", (name,))
        db.execute(
            "INSERT OR IGNORE INTO customer_tags (customer_id, tag_id)"
            " SELECT ?, id FROM tags WHERE name = ?",
            (customer_id, name),
        )


def delete_orphan_tags(db: sqlite3.Connection) -> None:
    db.execute(
        "DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM customer_tags WHERE tag_id = tags.id)"
    )


def canonical_tags(db: sqlite3.Connection, names: list[str]) -> list[str]:
    """Each name as the book already spells it (tags match in any case)."""
    spelled = []
    for name in names:
        row = db.execute("SELECT name FROM tags WHERE name = ?", (name,)).fetchone()
        spelled.append(row[0] if row else name)
    return sorted(dict.fromkeys(spelled), key=str.casefold)


def apply(db: sqlite3.Connection, change: Change, stamp: str) -> None:
    """Make the database say what `change.after` says; a changed record's updated_at is
    `stamp` (its change set's made_at). (The customer's kept figures follow when the
    change set that records it closes: see history.change_set.)"""
    if change.action == "create":
        insert(db, change.entity, change.after)
    elif change.action == "delete":
        delete(db, change.entity, change.entity_id)
    else:
        write_field(db, change.entity, change.entity_id, change.field or "", change.after, stamp)
