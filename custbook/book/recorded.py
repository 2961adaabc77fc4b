"""Writing a record and its history row in one step, for every service.

`create` inserts inside an open change set (several creates may share one, as a log and
its follow-up do); `update` changes fields in a change set of its own, skipping the ones
already equal. Kept figures follow when the change set closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from custbook.book import rows
from custbook.book.history import Change, Recorder, change_set

if TYPE_CHECKING:
    from custbook.book.book import Book


def create(
    book: Book, entity: str, record: dict[str, Any], customer_id: int | None, recorder: Recorder
) -> dict[str, Any]:
    """Insert and record a new record; returns it as stored. A customer is its own owner
    (`customer_id` is ignored: its id is known only once inserted)."""
    created = rows.insert_stored(book.db, entity, record)
    owner = created["id"] if entity == "customer" else customer_id
    change = Change(entity, created["id"], owner, "create", None, None, created)
    recorder.record(change)
    return created


def create_many(
    book: Book, entity: str, records: list[dict[str, Any]], recorder: Recorder
) -> list[int]:
    """`create` for many records at once (an import): one executemany to insert them,
    one statement to record their snapshots. Returns their ids."""
    ids = rows.insert_many(book.db, entity, records)
    if ids:
        recorder.record_created(entity, ids, rows.snapshot_json(book.db, entity))
    return ids


def update(
    book: Book, entity: str, current: dict[str, Any], updates: dict[str, Any], source: str
) -> dict[str, Any]:
    with change_set(book.db, book.clock, source) as recorder:
        for field, value in updates.items():
            before = current.get(field)
            if before == value:
                continue
            change = Change(
                entity, current["id"], current["customer_id"], "update", field, before, value
            )
            rows.apply(book.db, change, recorder.made_at)
            recorder.record(change)
    return rows.snapshot(book.db, entity, current["id"]) or {}
