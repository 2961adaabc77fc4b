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
        self.last_kept: Path | None = None  # the backup the last save kept
        self._counter_floor = 0
        self._lock = lock
        self._counters = counters
        self._passphrase_key: bytes | None = passphrase_key
        self._clock = clock
        counters.record(meta.file_id, meta.save_counter)

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
        """Run SQLite's full integrity check; raise BookDamaged naming the first problem
        and the newest backup that verifies."""
        key = self._require_key()
        try:
            check_integrity(self.db, str(self.path))
        except BookDamaged as damage:
            keys = KeyCache(None)
            keys.remember(self.header.meta, key)
            raise with_restore_hint(damage, self.path, keys) from None

    def close(self) -> None:
        """Forget the key, close the database and free the lock (unsaved changes are lost).

        Python cannot wipe memory it has freed; the pages go back to the allocator."""
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
        """One past every counter seen (in this file, in the state folder, in backups), so
        an acknowledged rollback warns only once and backup IDs never repeat."""
        seen = self._counters.seen(self.header.meta.file_id) or 0
        kept = max((b.counter for b in backups.list_backups(self.path)), default=0)
        return max(self.header.meta.save_counter, seen, kept, self._counter_floor) + 1

    def _save_with(
        self, key: bytes, params: KdfParams, salt: bytes, *, outgoing_known: bool = True
    ) -> ImageSummary:
        """The save itself. `outgoing_known`: the file on disk is the state this Vault
        read or wrote last (False for a restore, whose Vault comes from a backup)."""
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
        outgoing = self.header if outgoing_known else None

        def keep_backup(real: Path) -> None:
            if (path := backups.keep_outgoing(real, outgoing)) is not None:
                kept.append(path)

        header, summary = files.replace_atomically(
            self.path, image, meta, key, self.record_size, before_replace=keep_backup
        )
        self.header, self.last_summary = header, summary
        self.last_kept = kept[0] if kept else None
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
    source = files.open_for_reading(path)
    try:
        with source:
            header = read_header(source, str(path))
            key = kdf.derive_key(passphrase, header.meta.salt, header.meta.kdf)
            data_key = unwrap_data_key(header, key)
            if data_key is None:
                raise WrongPassphrase(str(path))
            db, summary = load_database(source, header, data_key, str(path))
    except BookDamaged as damage:
        raise with_restore_hint(damage, path, KeyCache(passphrase)) from None
    return Vault(path, db, key, header, summary, lock=lock, counters=counters, clock=clock)


def with_restore_hint(damage: BookDamaged, path: Path, keys: KeyCache | None) -> BookDamaged:
    """The same damage, its message naming the newest backup that verifies, if any."""
    hint = restore_hint(path, keys)
    return damage if hint is None else BookDamaged(str(path), damage.reason, hint)


def restore_hint(path: Path, keys: KeyCache | None) -> str | None:
    """Names the newest backup that verifies with these keys, and how to restore it.

    Without keys (no passphrase to be had), names the newest backup whose header reads,
    and says it was not checked.
    """
    if keys is not None:
        good = backups.newest_good_backup(path, keys)
        if good is None:
            return None
        return backups.describe_restore(path, good.backup, verified=True)
    for backup in backups.list_backups(path):
        try:
            with files.open_for_reading(backup.path) as source:
                read_header(source, str(backup.path))
        except VaultError:
            continue
        return backups.describe_restore(path, backup, verified=False)
    return None


def read_book_header(path: Path) -> Header:
    """The checked header of the book at `path`: tells a wrong or newer file before any
    passphrase is asked for."""
    with files.open_for_reading(path) as source:
        return read_header(source, str(path))


def check_passphrase(path: Path, keys: KeyCache) -> None:
    """WrongPassphrase unless the passphrase behind `keys` opens the book at `path`."""
    header = read_book_header(path)
    key = keys.key_for(header.meta)
    if key is None or unwrap_data_key(header, key) is None:
        raise WrongPassphrase(str(path))


def restore_backup(
    path: Path,
    backup: Backup,
    passphrase: str,
    *,
    lock: BookLock | None = None,
    clock: Clock = system_clock,
    counters: CounterLog | None = None,
) -> Vault:
    """Make `backup` the book again, through an ordinary save: the file it replaces is kept
    as a backup first (`Vault.last_kept`), and the save counter goes past every counter
    seen, so the restore is not mistaken for an older copy put back.

    The restored book opens with the backup's passphrase. `lock`: the book's lock, when
    the caller took it first (to refuse before asking for a passphrase).
    """
    owned = lock is None
    lock = lock or BookLock.acquire(path)
    try:
        opened = backups.open_backup(backup.path, KeyCache(passphrase))
        if opened is None:
            raise WrongPassphrase(str(backup.path))
        header, key, db = opened
        check_integrity(db, str(backup.path))
        summary = ImageSummary(0, b"", 0)  # replaced by the save below
        vault = Vault(
            path,
            db,
            key,
            header,
            summary,
            lock=lock,
            counters=counters or default_counters(),
            clock=clock,
        )
        vault._counter_floor = _current_counter(path)
        vault._save_with(key, header.meta.kdf, header.meta.salt, outgoing_known=False)
    except BaseException:
        if owned:  # a lock the caller took stays the caller's to release
            lock.release()
        raise
    return vault


def _current_counter(path: Path) -> int:
    try:
        return read_book_header(path).meta.save_counter
    except VaultError:
        return 0
