"""Automatic rotating backups in `backups/` beside the book.

Before a save renames its new file over the book, the outgoing file is hard-linked into
`backups/` (a copy where the filesystem has no hard links): a backup costs no extra write.
Backups are then pruned with borg's `prune` rules (keep-last, then daily, weekly, monthly;
local time; weeks Monday to Sunday; a period whose newest backup an earlier rule kept gives
no other; when a rule cannot fill its quota the oldest backup is kept).

A backup is named `<book name>.<save counter>.<UTC time of that save>Z`, so listing and
pruning need no file reads; the counter is the ID a person types to restore it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shlex
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from enum import Enum
from pathlib import Path

from custbook.i18n import _
from custbook.vault import kdf
from custbook.vault.database import check_integrity, load_database
from custbook.vault.errors import BookNotFound, VaultError
from custbook.vault.files import (
    TEMP_SUFFIX,
    create_private_file,
    fsync_file,
    fsync_folder,
    make_private_dirs,
    open_for_reading,
    temp_path_for,
)
from custbook.vault.format import BookMeta, Header, read_header, unwrap_data_key

BACKUP_DIR = "backups"
_STAMP = "%Y%m%dT%H%M%S"


@dataclass(frozen=True)
class RetentionPolicy:
    """How many backups each rule keeps (book settings may change these)."""

    last: int = 10
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


# borg's period of each rule. Its --keep-last is --keep-secondly; our backup times have
# millisecond resolution, so "last" keeps the last N backups even when saves come fast.
_RULES = (
    ("last", "%Y-%m-%d %H:%M:%S.%f"),
    ("daily", "%Y-%m-%d"),
    ("weekly", "%G-%V"),
    ("monthly", "%Y-%m"),
)


@dataclass(frozen=True)
class Backup:
    path: Path
    counter: int
    saved_at: datetime  # UTC

    @property
    def id(self) -> str:
        return str(self.counter)


def select_kept(
    backups: Sequence[tuple[str, datetime]], policy: RetentionPolicy, tz: tzinfo | None = None
) -> dict[str, str]:
    """Which backups borg's prune keeps, and the rule that keeps each: {name: rule}.

    `tz` is the zone periods are counted in (the machine's local zone by default).
    """
    newest_first = sorted(backups, key=lambda item: item[1], reverse=True)
    kept: dict[str, str] = {}
    for rule, pattern in _RULES:
        quota = getattr(policy, rule)
        if quota <= 0:
            continue
        _keep_by_period(newest_first, rule, pattern, quota, kept, tz)
    return kept


def _keep_by_period(
    newest_first: Sequence[tuple[str, datetime]],
    rule: str,
    pattern: str,
    quota: int,
    kept: dict[str, str],
    tz: tzinfo | None,
) -> None:
    taken = 0
    last_period = None
    for name, when in newest_first:
        period = when.astimezone(tz).strftime(pattern)
        if period == last_period:
            continue
        last_period = period
        if name not in kept:
            kept[name] = rule
            taken += 1
            if taken == quota:
                return
    if newest_first and taken < quota:
        oldest = newest_first[-1][0]
        kept.setdefault(oldest, f"{rule}[oldest]")


def backups_dir(book: Path) -> Path:
    return Path(os.path.realpath(book)).parent / BACKUP_DIR


def backup_name(book_name: str, counter: int, saved_at_ms: int) -> str:
    when = datetime.fromtimestamp(saved_at_ms / 1000, UTC)
    return f"{book_name}.{counter}.{when.strftime(_STAMP)}{saved_at_ms % 1000:03d}Z"


_BACKUP_SUFFIX = r"\.(\d+)\.(\d{8}T\d{6})(\d{3})Z(?:\.\d+)?"
_TEMP_SUFFIX = r"\.[0-9a-f]{12}" + re.escape(TEMP_SUFFIX)


def _name_pattern(book_name: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(book_name) + _BACKUP_SUFFIX + "$")


def list_backups(book: Path) -> list[Backup]:
    """This book's backups, newest first (by save time, then counter)."""
    folder = backups_dir(book)
    pattern = _name_pattern(Path(os.path.realpath(book)).name)
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            match = pattern.match(entry.name)
            if match and entry.is_file(follow_symlinks=False):
                stamp = datetime.strptime(match[2], _STAMP).replace(tzinfo=UTC)
                saved_at = stamp.replace(microsecond=int(match[3]) * 1000)
                found.append(Backup(Path(entry.path), int(match[1]), saved_at))
    return sorted(found, key=lambda b: (b.saved_at, b.counter), reverse=True)


def keep_outgoing(book_real: Path, header: Header | None) -> Path | None:
    """Put the book file that is about to be replaced into backups/ and return its path.

    `header` is that file's header as last read or written (None: read it from the file;
    a file whose header cannot be read is kept all the same, named by its mtime).
    """
    if not book_real.exists():
        return None
    folder = book_real.parent / BACKUP_DIR
    make_private_dirs(folder)
    counter, saved_at_ms = _identity(book_real, header)
    target = _free_name(folder, backup_name(book_real.name, counter, saved_at_ms), book_real)
    if target.exists():
        return target  # this very file is already kept (same inode)
    try:
        os.link(book_real, target)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.EACCES):
            raise
        _copy_durably(book_real, target)
    fsync_folder(folder)
    return target


def _identity(book_real: Path, header: Header | None) -> tuple[int, int]:
    if header is None:
        try:
            with open_for_reading(book_real) as source:
                header = read_header(source, str(book_real))
        except VaultError:
            return 0, int(book_real.stat().st_mtime * 1000)
    return header.meta.save_counter, header.meta.saved_at_ms


def _free_name(folder: Path, name: str, source: Path) -> Path:
    """`name`, or `name.1`, `name.2`... unless one of them already is `source` itself."""
    candidate = folder / name
    suffix = 0
    while candidate.exists() and not os.path.samefile(candidate, source):
        suffix += 1
        candidate = folder / f"{name}.{suffix}"
    return candidate


def _copy_durably(source: Path, target: Path) -> None:
    temp = temp_path_for(target)
    fd = create_private_file(temp)
    try:
        with open(source, "rb") as reader, os.fdopen(os.dup(fd), "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
        fsync_file(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    os.close(fd)
    os.replace(temp, target)


def prune(book: Path, policy: RetentionPolicy, protect: Iterable[Path] = ()) -> list[Path]:
    """Delete the backups the policy does not keep; never one in `protect`. Returns them."""
    backups = list_backups(book)
    kept = select_kept([(b.path.name, b.saved_at) for b in backups], policy)
    protected = {p.name for p in protect}
    removed = []
    for backup in backups:
        if backup.path.name in kept or backup.path.name in protected:
            continue
        with contextlib.suppress(FileNotFoundError):
            backup.path.unlink()
            removed.append(backup.path)
    if removed:
        with contextlib.suppress(OSError):
            fsync_folder(backups_dir(book))
    return removed


def clean_leftovers(book: Path) -> list[Path]:
    """Remove temp files a crashed save left beside the book or in backups/.

    Only this book's (another book in the same folder may be saving right now), only
    regular files, and only while holding the book's lock: a live save's temp file looks
    the same.
    """
    real = Path(os.path.realpath(book))
    name = re.escape(real.name)
    patterns = (
        (real.parent, re.compile(rf"^\.{name}{_TEMP_SUFFIX}$")),
        (backups_dir(book), re.compile(rf"^\.{name}{_BACKUP_SUFFIX}{_TEMP_SUFFIX}$")),
    )
    removed = []
    for folder, pattern in patterns:
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(folder):
                if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    return removed


class BackupState(Enum):
    OK = "ok"
    DAMAGED = "damaged"
    OLDER_PASSPHRASE = "older passphrase"


@dataclass(frozen=True)
class BackupCheck:
    backup: Backup
    state: BackupState
    size: int
    reason: str | None = None


class KeyCache:
    """Passphrase keys per (salt, parameters): one KDF run per passphrase era, not per file.

    Without a passphrase it knows only the keys it was told (an unlocked book's own)."""

    def __init__(self, passphrase: str | None) -> None:
        self._passphrase = passphrase
        self._keys: dict[tuple[bytes, kdf.KdfParams], bytes] = {}

    def remember(self, meta: BookMeta, key: bytes) -> None:
        self._keys[(meta.salt, meta.kdf)] = key

    def key_for(self, meta: BookMeta) -> bytes | None:
        index = (meta.salt, meta.kdf)
        if index not in self._keys and self._passphrase is not None:
            self._keys[index] = kdf.derive_key(self._passphrase, meta.salt, meta.kdf)
        return self._keys.get(index)


def open_backup(path: Path, keys: KeyCache) -> tuple[Header, bytes, sqlite3.Connection] | None:
    """Decrypt a backup fully: (header, passphrase key, database), or None when the
    passphrase does not open it. Raises VaultError subclasses on damage."""
    with open_for_reading(path) as source:
        header = read_header(source, str(path))
        key = keys.key_for(header.meta)
        data_key = None if key is None else unwrap_data_key(header, key)
        if key is None or data_key is None:
            return None
        db, _summary = load_database(source, header, data_key, str(path))
    return header, key, db


def check_backup(backup: Backup, keys: KeyCache) -> BackupCheck | None:
    """Decrypt every record and run SQLite's integrity check (restic's check --read-data).

    None when the backup is gone (pruned by a save meanwhile)."""
    try:
        size = backup.path.stat().st_size
        opened = open_backup(backup.path, keys)
        if opened is None:
            return BackupCheck(backup, BackupState.OLDER_PASSPHRASE, size)
        db = opened[2]
        try:
            check_integrity(db, str(backup.path))
        finally:
            db.close()
    except (FileNotFoundError, BookNotFound):
        return None
    except VaultError as problem:
        reason = getattr(problem, "reason", problem.message)
        return BackupCheck(backup, BackupState.DAMAGED, size, reason)
    except OSError as problem:
        return BackupCheck(backup, BackupState.DAMAGED, size, problem.strerror or str(problem))
    return BackupCheck(backup, BackupState.OK, size)


def newest_good_backup(book: Path, keys: KeyCache) -> BackupCheck | None:
    """The newest backup that opens with this passphrase and verifies."""
    for backup in list_backups(book):
        checked = check_backup(backup, keys)
        if checked is not None and checked.state is BackupState.OK:
            return checked
    return None


def find_backup(book: Path, backup_id: str) -> list[Backup]:
    """Backups matching an ID (save counter) or a file name."""
    return [b for b in list_backups(book) if backup_id in (b.id, b.path.name)]


def describe_restore(book: Path, backup: Backup, *, verified: bool) -> str:
    if verified:
        sentence = _("The newest backup that verifies is {id}, saved {when}.")
    else:
        sentence = _(
            "The newest backup is {id}, saved {when} (not checked without the passphrase)."
        )
    command = _("Restore it with: custbook --book {book} backup restore {id}")
    when = backup.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
    quoted = shlex.quote(str(book))
    return f"{sentence.format(id=backup.id, when=when)} {command.format(book=quoted, id=backup.id)}"
