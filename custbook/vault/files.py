"""Durable file operations for book files: private folders, temp files, fsync, atomic rename.

A book file is created 0600 with O_EXCL|O_NOFOLLOW in the folder it ends up in, fully
written, fsynced (F_FULLFSYNC on macOS, where plain fsync does not reach the disk), read
back and verified, then renamed (or, when new, linked) into place; the folder is fsynced
after. Other small files (lock, counters, backup copies) share the 0600 creation.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from custbook.i18n import _
from custbook.vault.errors import BookExists, BookNotFound, SaveFailed, UnreadableBook, VaultError
from custbook.vault.format import (
    DEFAULT_RECORD_SIZE,
    BookMeta,
    Header,
    ImageSummary,
    read_header,
    seal_header,
    unwrap_data_key,
    verify_records,
    write_book,
)

TEMP_SUFFIX = ".custbook-tmp"
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


def open_for_reading(path: Path) -> BinaryIO:
    """Open a book or backup file to read, refusing anything but a regular file.

    O_NONBLOCK so a FIFO planted at the path cannot hang the open; a folder, a device or
    a file without read permission is a clear error, never a traceback.
    """
    try:
        fd = os.open(path, os.O_RDONLY | O_NONBLOCK | O_CLOEXEC | _O_BINARY)
    except FileNotFoundError:
        raise BookNotFound(str(path)) from None
    except IsADirectoryError:
        raise UnreadableBook(path, _("it is a folder")) from None
    except PermissionError:
        raise UnreadableBook(path, _("permission denied")) from None
    except OSError as error:
        raise UnreadableBook(path, error.strerror or str(error)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        reason = _("it is a folder") if stat.S_ISDIR(mode) else _("it is not a regular file")
        raise UnreadableBook(path, reason)
    return os.fdopen(fd, "rb")


class _FdWriter:
    """Writes through os.write, looping over short writes (and so it can be fault-injected)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def write(self, data: bytes | memoryview, /) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        return done


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and any missing parents with mode 0700; leave existing ones alone."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        os.mkdir(path, 0o700)
        os.chmod(path, 0o700)


def fsync_file(fd: int) -> None:
    if sys.platform == "darwin":
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
    os.fsync(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable. Windows has no folder fsync (and needs none)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fsync_file(fd)
    finally:
        os.close(fd)


def temp_path_for(real: Path) -> Path:
    return real.with_name(f".{real.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def create_private_file(path: Path) -> int:
    """Open a new file 0600 for writing; never follows a link, never reuses a file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | O_CLOEXEC | _O_BINARY
    return os.open(path, flags, 0o600)


def write_verified_temp(
    real: Path,
    image: bytes | memoryview,
    header: Header,
    data_key: bytes,
    passphrase_key: bytes,
    record_size: int,
) -> tuple[Path, ImageSummary]:
    """Write a complete book beside `real`, fsync it, read it back and check it.

    Returns the temp file's path; on any failure the temp file is gone and OSError or
    SaveFailed is raised.
    """
    temp = temp_path_for(real)
    fd = create_private_file(temp)
    try:
        try:
            written = write_book(_FdWriter(fd), image, header, data_key, record_size)
            fsync_file(fd)
        finally:
            os.close(fd)
        try:
            read_back = verify_file(temp, passphrase_key, written)
        except VaultError:
            read_back = None
        if read_back != written:
            raise SaveFailed(real, _("the written file did not read back the same"))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp, written


def verify_file(path: Path, passphrase_key: bytes, expected: ImageSummary) -> ImageSummary:
    """Decrypt and check every record of `path` against what was written, keeping nothing."""
    with open_for_reading(path) as source:
        header = read_header(source, str(path))
        data_key = unwrap_data_key(header, passphrase_key)
        if data_key is None:
            raise SaveFailed(path, _("the written file does not open with the book's key"))
        return verify_records(source, header, data_key, str(path), expected)


def write_new(
    path: Path,
    image: bytes | memoryview,
    meta: BookMeta,
    passphrase_key: bytes,
    record_size: int = DEFAULT_RECORD_SIZE,
) -> tuple[Header, ImageSummary]:
    """Write a new book file at `path`, refusing to replace anything already there."""
    return _commit(path, image, meta, passphrase_key, record_size, _place_without_replacing)


def replace_atomically(
    path: Path,
    image: bytes | memoryview,
    meta: BookMeta,
    passphrase_key: bytes,
    record_size: int = DEFAULT_RECORD_SIZE,
    before_replace: Callable[[Path], object] | None = None,
) -> tuple[Header, ImageSummary]:
    """Replace the book at `path` (through a symlink, which survives) with a new save.

    `before_replace(real_path)` runs once the new file is written and verified, just before
    the rename: that is where the outgoing file is kept as a backup.
    """

    def place(temp: Path, real: Path) -> None:
        if before_replace is not None:
            before_replace(real)
        os.replace(temp, real)

    return _commit(path, image, meta, passphrase_key, record_size, place)


def _commit(
    path: Path,
    image: bytes | memoryview,
    meta: BookMeta,
    passphrase_key: bytes,
    record_size: int,
    place: Callable[[Path, Path], None],
) -> tuple[Header, ImageSummary]:
    """Seal, write and verify a temp file beside the real path, `place` it, sync the folder.

    Until `place` succeeds the book is untouched and any error is SaveFailed with the temp
    file gone; after, a failed folder sync only leaves the rename less durable.
    """
    real = Path(os.path.realpath(path))
    header, data_key = seal_header(meta, passphrase_key)
    try:
        temp, summary = write_verified_temp(
            real, image, header, data_key, passphrase_key, record_size
        )
        try:
            place(temp, real)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)  # gone after a rename; still there after a link or a failure
    except OSError as error:
        raise SaveFailed(path, error.strerror or str(error)) from None
    with contextlib.suppress(OSError):
        fsync_folder(real.parent)
    return header, summary


def _place_without_replacing(temp: Path, real: Path) -> None:
    """link() never replaces an existing file, unlike rename(); filesystems without hard
    links fall back to a rename after a check."""
    try:
        os.link(temp, real)
    except FileExistsError:
        raise BookExists(str(real)) from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EACCES):
            raise
        if os.path.lexists(real):
            raise BookExists(str(real)) from None
        os.replace(temp, real)
