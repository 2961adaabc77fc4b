"""The SQLite side of a book file: in-memory connections built from a decrypted image."""

from __future__ import annotations

import sqlite3
from typing import BinaryIO

from custbook.i18n import _
from custbook.sqlite_check import require_sqlite
from custbook.vault import format as book_format
from custbook.vault.errors import BookDamaged, BookTooLarge
from custbook.vault.format import Header, ImageSummary, read_image

# 'CBK1': marks the SQLite database inside a book file as custbook's.
APPLICATION_ID = 0x43424B31


def open_memory_database(image: memoryview | bytes | None = None) -> sqlite3.Connection:
    """An in-memory connection, optionally loaded from a serialized image.

    temp_store=MEMORY keeps sorts and temp tables off the disk: no plaintext in TMPDIR.
    """
    require_sqlite()  # before deserialize, which an old SQLite lacks
    db = sqlite3.connect(":memory:")
    if image is not None:
        db.deserialize(image)
    db.execute("PRAGMA temp_store=MEMORY")
    return db


def new_database() -> sqlite3.Connection:
    """An empty database, loaded the way every unlocked book is (by deserialize), so it has
    the same 1 GiB ceiling and serializes with one copy, not two."""
    seed = sqlite3.connect(":memory:")
    seed.execute(f"PRAGMA application_id={APPLICATION_ID}")  # at least one page to serialize
    image = seed.serialize()
    seed.close()
    return open_memory_database(image)


def database_from_image(image: memoryview | bytes, path: str) -> sqlite3.Connection:
    """Load a decrypted image; BookDamaged when SQLite cannot read it."""
    limit = book_format.MAX_IMAGE_BYTES
    if len(image) > limit:
        raise BookTooLarge(path, len(image), limit)
    try:
        db = open_memory_database(image)
        db.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BookDamaged(
            path, _("the database inside cannot be read ({error})").format(error=error)
        ) from None
    except MemoryError:
        raise BookTooLarge(path, len(image), limit) from None
    return db


def check_integrity(db: sqlite3.Connection, path: str) -> None:
    """SQLite's full integrity check; BookDamaged naming the first problem."""
    try:
        rows = [tuple(row) for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        rows = [(str(error),)]
    if rows != [("ok",)]:
        raise BookDamaged(
            path,
            _("the database inside fails its integrity check ({problem})").format(
                problem=rows[0][0]
            ),
        )


def load_database(
    source: BinaryIO, header: Header, data_key: bytes, path: str
) -> tuple[sqlite3.Connection, ImageSummary]:
    """Decrypt the records after `header` and load them as an in-memory database."""
    image, summary = read_image(source, header, data_key, path)
    try:
        return database_from_image(image.view, path), summary
    finally:
        image.close()
