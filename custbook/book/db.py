"""Plain helpers over the sqlite3 connection every service shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from custbook.errors import InvalidInput
from custbook.i18n import _
from custbook.sqlite_check import require_sqlite


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
        db.commit()  # FTS5 writes what it buffered here: the ceiling can be hit here too
    except sqlite3.OperationalError as error:
        db.rollback()
        if "full" in str(error):  # SQLITE_FULL: the in-memory database hit its ceiling
            raise BookFull() from None
        raise
    except BaseException:
        db.rollback()
        raise


class BookFull(InvalidInput):
    """SQLite's in-memory ceiling (1 GiB) is reached; the change was rolled back."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "The book is full: an unlocked book holds at most 1 GiB, and this change did "
                "not fit. Nothing of it was saved; erase records you no longer need first."
            )
        )


def prepare_connection(db: sqlite3.Connection) -> None:
    """Pragmas every book connection needs: erased data is overwritten, not just unlinked;
    foreign keys hold; temp data stays in memory. A SQLite too old is told first."""
    require_sqlite()
    db.execute("PRAGMA secure_delete = ON")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA temp_store = MEMORY")
    db.row_factory = sqlite3.Row
