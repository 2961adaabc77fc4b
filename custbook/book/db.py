"""Plain helpers over the sqlite3 connection every service shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One explicit transaction: DDL and DML alike commit together or not at all.

    (Python's sqlite3 only opens transactions implicitly before DML, so a migration's
    CREATE TABLE would otherwise commit on its own.) Nested use joins the outer one.
    """
    if db.in_transaction:
        yield db
        return
    db.execute("BEGIN")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()


def prepare_connection(db: sqlite3.Connection) -> None:
    """Pragmas every book connection needs: erased data is overwritten, not just unlinked;
    foreign keys hold; temp data stays in memory."""
    db.execute("PRAGMA secure_delete = ON")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA temp_store = MEMORY")
    db.row_factory = sqlite3.Row
