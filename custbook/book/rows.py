"""Records as plain dicts, read and written field by field: the one place that knows how a
field is stored (a column, a JSON list, a tag link, a key of the custom fields).

Services and undo both write through `apply`, so an undo stores exactly what an edit does.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from custbook.book import figures
from custbook.clock import Clock

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
# Writes to these change a customer's kept figures (see figures.py).
# (the customer itself too: its grade, stage and archiving decide whether the agenda watches it)
FIGURE_SOURCES = {"customer", "interaction", "reminder", "order", "opportunity"}
JSON_COLUMNS = {"phones", "emails", "custom_fields"}
CUSTOM_PREFIX = "custom."


def snapshot(db: sqlite3.Connection, entity: str, entity_id: int) -> dict[str, Any] | None:
    """The whole record as JSON-ready values, or None when it does not exist."""
    row = db.execute(f"SELECT * FROM {TABLES[entity]} WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        return None
    record = {key: _from_column(key, row[key]) for key in row.keys()}  # noqa: SIM118 - a Row
    if entity == "customer":
        record["tags"] = tags_of(db, entity_id)
    return record


def _from_column(key: str, value: Any) -> Any:
    return json.loads(value) if key in JSON_COLUMNS else value


def _to_column(key: str, value: Any) -> Any:
    """JSON in one canonical spelling (compact, keys sorted), so equal values store equal."""
    if key not in JSON_COLUMNS:
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


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
    columns = {k: v for k, v in record.items() if k != "tags" and (k != "id" or v is not None)}
    values = [_to_column(k, v) for k, v in columns.items()]
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    cursor = db.execute(f"INSERT INTO {TABLES[entity]} ({names}) VALUES ({marks})", values)
    entity_id = record.get("id") or cursor.lastrowid or 0
    if entity == "customer":
        set_tags(db, entity_id, record.get("tags", []))
        figures.refresh(db, entity_id)  # every customer has its figures row
    return entity_id


def delete(db: sqlite3.Connection, entity: str, entity_id: int) -> None:
    db.execute(f"DELETE FROM {TABLES[entity]} WHERE id = ?", (entity_id,))
    if entity == "customer":
        delete_orphan_tags(db)  # its tag links went with it (ON DELETE CASCADE)


def write_field(
    db: sqlite3.Connection, entity: str, entity_id: int, field: str, value: Any
) -> None:
    table = TABLES[entity]
    if field == "tags":
        set_tags(db, entity_id, value or [])
    elif field.startswith(CUSTOM_PREFIX):
        row = db.execute(f"SELECT custom_fields FROM {table} WHERE id = ?", (entity_id,)).fetchone()
        custom = json.loads(row[0]) if row else {}
        key = field.removeprefix(CUSTOM_PREFIX)
        if value is None:
            custom.pop(key, None)
        else:
            custom[key] = value
        stored = _to_column("custom_fields", custom)
        db.execute(f"UPDATE {table} SET custom_fields = ? WHERE id = ?", (stored, entity_id))
    else:
        stored = _to_column(field, value)
        db.execute(f"UPDATE {table} SET {_column(field)} = ? WHERE id = ?", (stored, entity_id))


def _column(field: str) -> str:
    if not field.replace("_", "").isalnum():
        raise ValueError(f"not a column name: {field!r}")
    return field


def set_tags(db: sqlite3.Connection, customer_id: int, names: list[str]) -> None:
    """Link exactly these tags; a tag no customer has any more is deleted (its name could
    be personal: an erase must not leave it behind)."""
    db.execute("DELETE FROM customer_tags WHERE customer_id = ?", (customer_id,))
    for name in names:
        db.execute("INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING", (name,))
        db.execute(
            "INSERT OR IGNORE INTO customer_tags (customer_id, tag_id)"
            " SELECT ?, id FROM tags WHERE name = ?",
            (customer_id, name),
        )
    delete_orphan_tags(db)


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


def apply(db: sqlite3.Connection, change: Change, clock: Clock) -> None:
    """Make the database say what `change.after` says."""
    if change.action == "create":
        insert(db, change.entity, change.after)
    elif change.action == "delete":
        delete(db, change.entity, change.entity_id)
    else:
        write_field(db, change.entity, change.entity_id, change.field or "", change.after)
        touch(db, change.entity, change.entity_id, clock)
    apply_side_effects(db, change)


def apply_side_effects(db: sqlite3.Connection, change: Change) -> None:
    """What follows from a change besides its own row: the customer's kept figures."""
    if change.entity in FIGURE_SOURCES and change.customer_id is not None:
        figures.refresh(db, change.customer_id)


def touch(db: sqlite3.Connection, entity: str, entity_id: int, clock: Clock) -> None:
    if entity not in ("customer", "contact", "opportunity"):
        return  # only these carry updated_at
    db.execute(
        f"UPDATE {TABLES[entity]} SET updated_at = ? WHERE id = ?",
        (clock().isoformat(timespec="seconds"), entity_id),
    )
