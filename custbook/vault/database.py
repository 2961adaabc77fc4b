"""The SQLite side of a book file: in-memory connections built from a decrypted image."""

from __future__ import annotations

import sqlite3

from custbook.i18n import _
from custbook.vault.errors import BookDamaged, BookTooLarge
from custbook.vault.format import MAX_IMAGE_BYTES

# 'CBK1': marks the SQLite database inside a book file as custbook's.
APPLICATION_ID = 0x43424B31


def open_memory_database(image: memoryview | bytes | None = None) -> sqlite3.Connection:
    """An in-memory connection, optionally loaded from a serialized image.

    temp_store=MEMORY keeps sorts and temp tables off the disk: no plaintext in TMPDIR.
    """
    db = sqlite3.connect(":memory:")
    if image is not None:
        db.deserialize(image)
    db.execute("PRAGMA temp_store=MEMORY")
    return db


def new_database() -> sqlite3.Connection:
    """An empty database that can be serialized (SQLite needs at least one page for that)."""
    db = open_memory_database()
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    return db


def database_from_image(image: memoryview | bytes, path: str) -> sqlite3.Connection:
    """Load a decrypted image; BookDamaged when SQLite cannot read it."""
    if len(image) > MAX_IMAGE_BYTES:
        raise BookTooLarge(path, len(image), MAX_IMAGE_BYTES)
    try:
        db = open_memory_database(image)
        db.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BookDamaged(
            path, _("the database inside cannot be read ({error})").format(error=error)
        ) from None
    except MemoryError:
        raise BookTooLarge(path, len(image), MAX_IMAGE_BYTES) from None
    return db


def check_integrity(db: sqlite3.Connection, path: str) -> None:
    """SQLite's full integrity check; BookDamaged naming the first problem."""
    try:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        rows = [(str(error),)]
    if rows != [("ok",)]:
        raise BookDamaged(
            path,
            _("the database inside fails its integrity check ({problem})").format(
                problem=rows[0][0]
            ),
        )
