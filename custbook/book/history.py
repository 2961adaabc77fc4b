"""Change sets: every change recorded field by field, so it can be shown and undone.

One command, one screen save or one import is one change set. Each changed field is a
row with its value before and after (JSON); a created or deleted record is one row holding
the whole record. Undo walks back through change sets newest first, applying each one's
inverse as a new change set of its own; it passes over erases, which keep nothing to undo.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from custbook.book import jsontext, rows
from custbook.book.db import transaction
from custbook.book.derived import Derived
from custbook.clock import Clock
from custbook.errors import InvalidInput
from custbook.i18n import _


@dataclass(frozen=True)
class Change:
    entity: str
    entity_id: int
    customer_id: int | None
    action: str  # create, update, delete
    field: str | None
    before: Any
    after: Any


@dataclass(frozen=True)
class ChangeSet:
    id: int
    made_at: str
    source: str
    kind: str  # change, undo, erase
    undoes: int | None
    undone_by: int | None
    changes: tuple[Change, ...]


class Recorder:
    """Writes the rows of one open change set."""

    def __init__(self, db: sqlite3.Connection, change_set_id: int, made_at: str) -> None:
        self.db = db
        self.change_set_id = change_set_id
        self.made_at = made_at
        self.count = 0
        self.derived = Derived()

    def record(self, change: Change) -> None:
        """Store the change (already applied) and note the derived rows it moves."""
        self.derived.note(change)
        self.db.execute(
            "INSERT INTO changes (change_set_id, entity, entity_id, customer_id, action, field,"
            " before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.change_set_id,
                change.entity,
                change.entity_id,
                change.customer_id,
                change.action,
                change.field,
                _dump(change.before),
                _dump(change.after),
            ),
        )
        self.count += 1

    def record_created(self, entity: str, ids: list[int], snapshot_sql: str) -> None:
        """Record the creation of the consecutive records `ids` (already inserted), each
        snapshot made by SQL (rows.snapshot_json) rather than read into Python."""
        table = rows.TABLES[entity]
        owner = "id" if entity == "customer" else "customer_id"
        self.db.execute(
            "INSERT INTO changes (change_set_id, entity, entity_id, customer_id, action, field,"
            f" before, after) SELECT ?, ?, id, {owner}, 'create', NULL, NULL, {snapshot_sql}"
            f" FROM {table} WHERE id BETWEEN ? AND ? ORDER BY id",
            (self.change_set_id, entity, ids[0], ids[-1]),
        )
        owners = [
            r[0]
            for r in self.db.execute(
                f"SELECT {owner} FROM {table} WHERE id BETWEEN ? AND ? ORDER BY id",
                (ids[0], ids[-1]),
            )
        ]
        self.derived.note_created(entity, owners)
        self.count += len(ids)


def _dump(value: Any) -> str | None:
    return None if value is None else _encode(value)


_encode = jsontext.encoder(compact=False, sort_keys=False)


def _load(text: str | None) -> Any:
    return None if text is None else jsontext.decode(text)


# The change set open on each connection (by id: connections are not hashable by value).
_OPEN: dict[int, Recorder] = {}


def open_made_at(db: sqlite3.Connection) -> str | None:
    """When the change set open on `db` was made (what it writes is stamped so), or None."""
    recorder = _OPEN.get(id(db))
    return None if recorder is None else recorder.made_at


@contextmanager
def change_set(
    db: sqlite3.Connection,
    clock: Clock,
    source: str,
    *,
    kind: str = "change",
    undoes: int | None = None,
) -> Iterator[Recorder]:
    """A transaction that records what it changes; an ordinary one that changed nothing
    leaves no trace. An ordinary change set opened inside another joins it: an import
    made of many service calls is one change set, one undo."""
    outer = _OPEN.get(id(db))
    if outer is not None and kind == "change":
        yield outer
        return
    with transaction(db):
        made_at = clock().isoformat(timespec="seconds")
        cursor = db.execute(
            "INSERT INTO change_sets (made_at, source, kind, undoes) VALUES (?, ?, ?, ?)",
            (made_at, source, kind, undoes),
        )
        recorder = Recorder(db, cursor.lastrowid or 0, made_at)
        _OPEN[id(db)] = recorder
        try:
            yield recorder
        finally:
            del _OPEN[id(db)]
        recorder.derived.refresh(db, erased=kind == "erase")
        if recorder.count == 0 and kind == "change":
            db.execute("DELETE FROM change_sets WHERE id = ?", (recorder.change_set_id,))


def load_change_set(db: sqlite3.Connection, row: sqlite3.Row) -> ChangeSet:
    changes = tuple(
        Change(
            c["entity"],
            c["entity_id"],
            c["customer_id"],
            c["action"],
            c["field"],
            _load(c["before"]),
            _load(c["after"]),
        )
        for c in db.execute(
            "SELECT * FROM changes WHERE change_set_id = ? ORDER BY id", (row["id"],)
        )
    )
    return ChangeSet(
        row["id"],
        row["made_at"],
        row["source"],
        row["kind"],
        row["undoes"],
        row["undone_by"],
        changes,
    )


def customer_history(db: sqlite3.Connection, customer_id: int) -> list[ChangeSet]:
    """The change sets touching one customer, newest first, with only that customer's rows."""
    found = []
    for row in db.execute(
        "SELECT DISTINCT s.* FROM change_sets s JOIN changes c ON c.change_set_id = s.id"
        " WHERE c.customer_id = ? ORDER BY s.id DESC",
        (customer_id,),
    ):
        full = load_change_set(db, row)
        mine = tuple(c for c in full.changes if c.customer_id == customer_id)
        found.append(ChangeSet(**{**full.__dict__, "changes": mine}))
    return found


class NothingToUndo(InvalidInput):
    pass


def next_to_undo(db: sqlite3.Connection) -> ChangeSet | None:
    """The newest ordinary change set not yet undone. Erases are passed over: they cannot
    be undone, and they left nothing in older change sets that refers to the erased."""
    row = db.execute(
        "SELECT * FROM change_sets WHERE kind = 'change' AND undone_by IS NULL"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return None if row is None else load_change_set(db, row)


def undo(db: sqlite3.Connection, clock: Clock, source: str) -> tuple[ChangeSet, ChangeSet]:
    """Revert the newest change set not yet undone. Returns (the one undone, the undo)."""
    target = next_to_undo(db)
    if target is None:
        raise NothingToUndo(_("There is nothing to undo."))
    inverses = tuple(_inverse(change) for change in reversed(target.changes))
    with change_set(db, clock, source, kind="undo", undoes=target.id) as recorder:
        for inverse in inverses:
            rows.apply(db, inverse, recorder.made_at)
            recorder.record(inverse)
        db.execute(
            "UPDATE change_sets SET undone_by = ? WHERE id = ?",
            (recorder.change_set_id, target.id),
        )
    done = ChangeSet(
        recorder.change_set_id, recorder.made_at, source, "undo", target.id, None, inverses
    )
    return target, done


def _inverse(change: Change) -> Change:
    action = {"create": "delete", "delete": "create", "update": "update"}[change.action]
    return Change(
        change.entity,
        change.entity_id,
        change.customer_id,
        action,
        change.field,
        change.after,
        change.before,
    )


def known_in_history(db: sqlite3.Connection, entity: str, entity_id: int) -> str | None:
    """The name a record had in the history (for one no longer live), or None."""
    for before, after in db.execute(
        "SELECT before, after FROM changes WHERE entity = ? AND entity_id = ? AND field IS NULL"
        " ORDER BY id DESC",
        (entity, entity_id),
    ):
        snapshot = _load(after) or _load(before) or {}
        if snapshot.get("name"):
            return str(snapshot["name"])
    return None


def forget_customer(db: sqlite3.Connection, customer_id: int) -> None:
    """Remove every trace of a customer from the history (PIPL erase)."""
    _forget(db, "customer_id = ?", (customer_id,))


def forget_contact(db: sqlite3.Connection, contact_id: int) -> None:
    """Remove every trace of one contact person from the history (PIPL erase)."""
    _forget(db, "entity = 'contact' AND entity_id = ?", (contact_id,))


def _forget(db: sqlite3.Connection, where: str, arguments: tuple[Any, ...]) -> None:
    """Delete the matching change rows; change sets left empty go too."""
    db.execute(f"DELETE FROM changes WHERE {where}", arguments)
    empty = (
        "SELECT id FROM change_sets s"
        " WHERE NOT EXISTS (SELECT 1 FROM changes WHERE change_set_id = s.id)"
    )
    db.execute(f"UPDATE change_sets SET undone_by = NULL WHERE undone_by IN ({empty})")
    db.execute(f"UPDATE change_sets SET undoes = NULL WHERE undoes IN ({empty})")
    db.execute(f"DELETE FROM change_sets WHERE id IN ({empty}) AND kind != 'erase'")
