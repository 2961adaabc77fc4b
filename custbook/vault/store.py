"""An unlocked book: the in-memory SQLite database, the key to save it, and its file.

`create_book` and `unlock_book` return a `Vault`; `Vault.save` writes the database back
atomically (temp file in the book's folder, fsync, read back and verify, rename, fsync the
folder). The passphrase key stays in memory while unlocked so a save never re-runs the KDF;
every save draws a fresh data key.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import Path

from custbook.clock import Clock, system_clock
from custbook.i18n import _
from custbook.vault import files, kdf
from custbook.vault.errors import (
    BookDamaged,
    BookExists,
    BookNotFound,
    BookTooLarge,
    SaveRefused,
    WrongPassphrase,
)
from custbook.vault.format import (
    DEFAULT_RECORD_SIZE,
    MAX_IMAGE_BYTES,
    BookMeta,
    Header,
    ImageSummary,
    read_header,
    read_image,
    unwrap_data_key,
)
from custbook.vault.kdf import KdfParams

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


class Vault:
    """An unlocked book file. Holds the database connection and the passphrase key."""

    def __init__(
        self,
        path: Path,
        db: sqlite3.Connection,
        passphrase_key: bytes,
        header: Header,
        summary: ImageSummary,
        *,
        record_size: int = DEFAULT_RECORD_SIZE,
        clock: Clock = system_clock,
    ) -> None:
        self.path = path
        self.db = db
        self.header = header
        self.record_size = record_size
        self.last_summary = summary  # of the file last read or written
        self._passphrase_key: bytes | None = passphrase_key
        self._clock = clock

    @property
    def is_open(self) -> bool:
        return self._passphrase_key is not None

    def save(self) -> ImageSummary:
        """Write the committed database to the book file; on failure the file is unchanged."""
        key = self._require_key()
        return self._save_with(key, self.header.meta.kdf, self.header.meta.salt)

    def change_passphrase(self, new_passphrase: str, params: KdfParams | None = None) -> None:
        """Save under a new passphrase: the old one opens nothing written from now on.

        Uses the current default KDF parameters unless told otherwise, so old books move up.
        """
        self._require_key()
        params = params or kdf.DEFAULT_PARAMS
        salt = os.urandom(kdf.SALT_BYTES)
        new_key = kdf.derive_key(new_passphrase, salt, params)
        self._save_with(new_key, params, salt)
        self._passphrase_key = new_key

    def integrity_check(self) -> None:
        """Run SQLite's full integrity check; raise BookDamaged naming the first problem."""
        self._require_key()
        rows = self.db.execute("PRAGMA integrity_check").fetchall()
        if rows != [("ok",)]:
            raise BookDamaged(
                str(self.path),
                _("the database inside fails its integrity check ({problem})").format(
                    problem=rows[0][0]
                ),
            )

    def close(self) -> None:
        """Drop the key and the data from memory (unsaved changes are lost)."""
        self._passphrase_key = None
        self.db.close()

    def _require_key(self) -> bytes:
        if self._passphrase_key is None:
            raise SaveRefused(_("The book is locked; unlock it first."))
        return self._passphrase_key

    def _save_with(self, key: bytes, params: KdfParams, salt: bytes) -> ImageSummary:
        if self.db.in_transaction:
            raise SaveRefused(
                _("A change is still in progress; the book was not saved. Try again in a moment.")
            )
        image = self.db.serialize()
        meta = replace(
            self.header.meta,
            kdf=params,
            salt=salt,
            save_counter=self.header.meta.save_counter + 1,
            saved_at_ms=int(self._clock().timestamp() * 1000),
        )
        header, summary = files.replace_atomically(
            self.path, image, meta, key, record_size=self.record_size
        )
        self.header = header
        self.last_summary = summary
        return summary


def create_book(
    path: Path,
    passphrase: str,
    *,
    params: KdfParams | None = None,
    record_size: int = DEFAULT_RECORD_SIZE,
    clock: Clock = system_clock,
) -> Vault:
    """A new book file with an empty database. Refuses to overwrite anything."""
    params = params or kdf.DEFAULT_PARAMS
    if os.path.lexists(path):
        raise BookExists(str(path))
    files.make_private_dirs(path.parent)
    db = open_memory_database()
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    salt = os.urandom(kdf.SALT_BYTES)
    key = kdf.derive_key(passphrase, salt, params)
    meta = BookMeta(params, salt, os.urandom(16), save_counter=0, saved_at_ms=0)
    image = db.serialize()
    header, summary = files.write_new(
        path,
        image,
        replace(meta, save_counter=1, saved_at_ms=int(clock().timestamp() * 1000)),
        key,
        record_size=record_size,
    )
    return Vault(path, db, key, header, summary, record_size=record_size, clock=clock)


def unlock_book(path: Path, passphrase: str, *, clock: Clock = system_clock) -> Vault:
    """Decrypt the book at `path` into memory. The file is only read."""
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below, before the database is built
    except FileNotFoundError:
        raise BookNotFound(str(path)) from None
    with source:
        header = read_header(source, str(path))
        key = kdf.derive_key(passphrase, header.meta.salt, header.meta.kdf)
        data_key = unwrap_data_key(header, key)
        if data_key is None:
            raise WrongPassphrase(str(path))
        image, summary = read_image(source, header, data_key, str(path))
    return Vault(path, _database_from(image, str(path)), key, header, summary, clock=clock)


def _database_from(image: memoryview, path: str) -> sqlite3.Connection:
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


def read_book_header(path: Path) -> Header:
    """The checked header of the book at `path`: tells a wrong or newer file before any
    passphrase is asked for."""
    try:
        with open(path, "rb") as source:
            return read_header(source, str(path))
    except FileNotFoundError:
        raise BookNotFound(str(path)) from None
