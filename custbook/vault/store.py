"""An unlocked book: the in-memory SQLite database, the key to save it, and its file.

`create_book` and `unlock_book` return a `Vault`. Opened for writing, a Vault holds the
book's lock until `close`; `Vault.save` writes the database back atomically, keeping the
file it replaces as a backup. The passphrase key stays in memory while unlocked so a save
never re-runs the KDF; every save draws a fresh data key.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import replace
from pathlib import Path

from custbook import paths
from custbook.clock import Clock, system_clock
from custbook.i18n import _
from custbook.vault import backups, files, kdf
from custbook.vault import format as book_format
from custbook.vault.backups import Backup, KeyCache, RetentionPolicy
from custbook.vault.database import (
    check_integrity,
    load_database,
    new_database,
)
from custbook.vault.errors import (
    BookDamaged,
    BookExists,
    BookNotFound,
    BookTooLarge,
    SaveRefused,
    VaultError,
    WrongPassphrase,
)
from custbook.vault.format import (
    DEFAULT_RECORD_SIZE,
    BookMeta,
    Header,
    ImageSummary,
    read_header,
    unwrap_data_key,
)
from custbook.vault.kdf import KdfParams
from custbook.vault.lock import BookLock, LockHolder, live_holder
from custbook.vault.rollback import CounterLog, Rollback


def default_counters() -> CounterLog:
    return CounterLog(paths.state_dir() / "books")


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
        lock: BookLock | None,
        counters: CounterLog,
        record_size: int = DEFAULT_RECORD_SIZE,
        clock: Clock = system_clock,
    ) -> None:
        self.path = path
        self.db = db
        self.header = header
        self.last_summary = summary  # of the file last read or written
        self.record_size = record_size
        self.retention = RetentionPolicy()
        meta = header.meta
        self.rollback: Rollback | None = counters.check(meta.file_id, meta.save_counter)
        self.open_elsewhere: LockHolder | None = None  # read-only: who has it open for writing
        self._lock = lock
        self._counters = counters
        self._passphrase_key: bytes | None = passphrase_key
        self._clock = clock
        counters.record(meta.file_id, meta.save_counter)

    @property
    def is_open(self) -> bool:
        return self._passphrase_key is not None

    @property
    def read_only(self) -> bool:
        return self._lock is None

    def save(self) -> ImageSummary:
        """Write the committed database to the book file; on failure the file is unchanged
        and the changes stay in memory."""
        key = self._writable_key()
        return self._save_with(key, self.header.meta.kdf, self.header.meta.salt)

    def change_passphrase(self, new_passphrase: str, params: KdfParams | None = None) -> None:
        """Save under a new passphrase: the old one opens nothing written from now on.

        Uses the current default KDF parameters unless told otherwise, so old books move up.
        """
        self._writable_key()
        params = params or kdf.DEFAULT_PARAMS
        salt = os.urandom(kdf.SALT_BYTES)
        new_key = kdf.derive_key(new_passphrase, salt, params)
        self._save_with(new_key, params, salt)
        self._passphrase_key = new_key

    def integrity_check(self) -> None:
        """Run SQLite's full integrity check; raise BookDamaged naming the first problem."""
        self._require_key()
        check_integrity(self.db, str(self.path))

    def close(self) -> None:
        """Drop the key and the data from memory and free the lock (unsaved changes are lost)."""
        self._passphrase_key = None
        self.db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _require_key(self) -> bytes:
        if self._passphrase_key is None:
            raise SaveRefused(_("The book is locked; unlock it first."))
        return self._passphrase_key

    def _writable_key(self) -> bytes:
        key = self._require_key()
        if self._lock is None:
            raise SaveRefused(_("The book was opened read-only; it was not saved."))
        return key

    def _next_counter(self) -> int:
        """One past the highest counter seen, so an acknowledged rollback warns only once."""
        seen = self._counters.seen(self.header.meta.file_id) or 0
        return max(self.header.meta.save_counter, seen) + 1

    def _save_with(self, key: bytes, params: KdfParams, salt: bytes) -> ImageSummary:
        if self.db.in_transaction:
            raise SaveRefused(
                _("A change is still in progress; the book was not saved. Try again in a moment.")
            )
        image = self.db.serialize()
        if len(image) > book_format.MAX_IMAGE_BYTES:
            raise BookTooLarge(str(self.path), len(image), book_format.MAX_IMAGE_BYTES)
        meta = replace(
            self.header.meta,
            kdf=params,
            salt=salt,
            save_counter=self._next_counter(),
            saved_at_ms=_milliseconds(self._clock),
        )
        kept: list[Path] = []
        outgoing = self.header

        def keep_backup(real: Path) -> None:
            if (path := backups.keep_outgoing(real, outgoing)) is not None:
                kept.append(path)

        header, summary = files.replace_atomically(
            self.path, image, meta, key, self.record_size, before_replace=keep_backup
        )
        self.header, self.last_summary = header, summary
        self._counters.record(meta.file_id, meta.save_counter)
        _prune_quietly(self.path, self.retention, kept)
        return summary


def _milliseconds(clock: Clock) -> int:
    return int(clock().timestamp() * 1000)


def _prune_quietly(book: Path, policy: RetentionPolicy, protect: list[Path]) -> None:
    """Pruning is housekeeping: a failure leaves extra backups, never fails the save."""
    with contextlib.suppress(OSError):
        backups.prune(book, policy, protect)


def create_book(
    path: Path,
    passphrase: str,
    *,
    params: KdfParams | None = None,
    record_size: int = DEFAULT_RECORD_SIZE,
    clock: Clock = system_clock,
    counters: CounterLog | None = None,
) -> Vault:
    """A new book file with an empty database, open for writing. Never overwrites anything."""
    params = params or kdf.DEFAULT_PARAMS
    if os.path.lexists(path):
        raise BookExists(str(path))
    files.make_private_dirs(path.parent)
    lock = BookLock.acquire(path)
    try:
        db = new_database()
        salt = os.urandom(kdf.SALT_BYTES)
        key = kdf.derive_key(passphrase, salt, params)
        meta = BookMeta(params, salt, os.urandom(16), 1, _milliseconds(clock))
        header, summary = files.write_new(path, db.serialize(), meta, key, record_size)
    except BaseException:
        lock.release()
        raise
    return Vault(
        path,
        db,
        key,
        header,
        summary,
        lock=lock,
        counters=counters or default_counters(),
        record_size=record_size,
        clock=clock,
    )


def unlock_book(
    path: Path,
    passphrase: str,
    *,
    write: bool = True,
    clock: Clock = system_clock,
    counters: CounterLog | None = None,
) -> Vault:
    """Decrypt the book at `path` into memory.

    With `write`, take the book's lock first (OpenElsewhere if another process has it) and
    clean up what a crashed save left behind. Without, only read the last saved file.
    """
    if not os.path.lexists(path):
        raise BookNotFound(str(path))
    lock = BookLock.acquire(path) if write else None
    try:
        if lock is not None:
            backups.clean_leftovers(path)
        vault = _read_vault(path, passphrase, lock, clock, counters or default_counters())
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    if lock is None:
        vault.open_elsewhere = live_holder(path)
    return vault


def _read_vault(
    path: Path, passphrase: str, lock: BookLock | None, clock: Clock, counters: CounterLog
) -> Vault:
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below, before the database is built
    except FileNotFoundError:
        raise BookNotFound(str(path)) from None
    try:
        with source:
            header = read_header(source, str(path))
            key = kdf.derive_key(passphrase, header.meta.salt, header.meta.kdf)
            data_key = unwrap_data_key(header, key)
            if data_key is None:
                raise WrongPassphrase(str(path))
            db, summary = load_database(source, header, data_key, str(path))
    except BookDamaged as damage:
        raise with_restore_hint(damage, path, passphrase) from None
    return Vault(path, db, key, header, summary, lock=lock, counters=counters, clock=clock)


def with_restore_hint(damage: BookDamaged, path: Path, passphrase: str | None) -> BookDamaged:
    """The same damage, its message naming the newest backup that verifies, if any."""
    hint = restore_hint(path, passphrase)
    return damage if hint is None else BookDamaged(str(path), damage.reason, hint)


def restore_hint(path: Path, passphrase: str | None) -> str | None:
    """ "The newest backup that verifies is N ... restore it with ..." or None.

    Without a passphrase, names the newest backup whose header reads, unverified.
    """
    if passphrase is not None:
        good = backups.newest_good_backup(path, KeyCache(passphrase))
        return None if good is None else backups.describe_restore(path, good.backup)
    for backup in backups.list_backups(path):
        try:
            with open(backup.path, "rb") as source:
                read_header(source, str(backup.path))
        except (OSError, VaultError):
            continue
        return backups.describe_restore(path, backup)
    return None


def read_book_header(path: Path) -> Header:
    """The checked header of the book at `path`: tells a wrong or newer file before any
    passphrase is asked for."""
    try:
        with open(path, "rb") as source:
            return read_header(source, str(path))
    except FileNotFoundError:
        raise BookNotFound(str(path)) from None


def check_passphrase(path: Path, passphrase: str) -> None:
    """WrongPassphrase unless `passphrase` opens the book at `path` (runs the KDF once)."""
    header = read_book_header(path)
    if (
        unwrap_data_key(header, kdf.derive_key(passphrase, header.meta.salt, header.meta.kdf))
        is None
    ):
        raise WrongPassphrase(str(path))


def restore_backup(
    path: Path,
    backup: Backup,
    passphrase: str,
    *,
    clock: Clock = system_clock,
    counters: CounterLog | None = None,
) -> tuple[Vault, Path | None]:
    """Make `backup` the book again, keeping the file it replaces as a backup first.

    Returns the restored book, open, and where the replaced file was kept. The restored
    book opens with the backup's passphrase. Its save counter goes past every counter seen,
    so the restore is not mistaken for an older copy put back.
    """
    counters = counters or default_counters()
    lock = BookLock.acquire(path)
    try:
        opened = backups.open_backup(backup.path, KeyCache(passphrase))
        if opened is None:
            raise WrongPassphrase(str(backup.path))
        header, key, db = opened
        check_integrity(db, str(backup.path))
        kept = backups.keep_outgoing(Path(os.path.realpath(path)), None)
        meta = replace(
            header.meta,
            save_counter=_highest_counter(path, header, counters) + 1,
            saved_at_ms=_milliseconds(clock),
        )
        new_header, summary = files.replace_atomically(path, db.serialize(), meta, key)
    except BaseException:
        lock.release()
        raise
    counters.record(meta.file_id, meta.save_counter)
    vault = Vault(path, db, key, new_header, summary, lock=lock, counters=counters, clock=clock)
    return vault, kept


def _highest_counter(path: Path, backup_header: Header, counters: CounterLog) -> int:
    highest = max(backup_header.meta.save_counter, counters.seen(backup_header.meta.file_id) or 0)
    try:
        current = read_book_header(path)
    except (VaultError, OSError):
        return highest
    return max(highest, current.meta.save_counter)
