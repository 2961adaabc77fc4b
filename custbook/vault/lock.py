"""One writer per book: an OS lock on `<book>.lock`, held for as long as the book is open.

flock locks belong to the open file, so the kernel drops them the moment the process dies
(even by SIGKILL): there is no stale lock to clean up. The pid and host written into the
file only serve the message a second writer sees. The lock file is opened with O_NOFOLLOW,
so a symlink planted in its place is refused rather than followed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
from pathlib import Path

from custbook.i18n import _
from custbook.vault.errors import LockHolder, LockRefused, OpenElsewhere
from custbook.vault.files import O_CLOEXEC, O_NOFOLLOW, O_NONBLOCK

HOLDER_MAX_BYTES = 256


def lock_path_for(book: Path) -> Path:
    """Beside the real file, so every path to the same book (symlinks too) shares one lock."""
    real = Path(os.path.realpath(book))
    return real.with_name(real.name + ".lock")


def read_holder(lock_path: Path) -> LockHolder:
    """The pid and host in the lock file: never through a link, never more than a line."""
    try:
        fd = os.open(lock_path, os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    except OSError:
        return LockHolder(None, None)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return LockHolder(None, None)
        fields = os.read(fd, HOLDER_MAX_BYTES).decode("utf-8", "replace").split()
    except OSError:
        return LockHolder(None, None)
    finally:
        os.close(fd)
    pid = int(fields[0]) if fields and fields[0].isdigit() else None
    return LockHolder(pid, fields[1] if len(fields) > 1 else None)


def live_holder(book: Path) -> LockHolder | None:
    """Who seems to hold the book open, without touching the lock (for read-only commands).

    Reads the pid and host left in the lock file and, on this host, checks the process is
    alive; a crashed writer's leftovers therefore read as "nobody".
    """
    holder = read_holder(lock_path_for(book))
    if holder.pid is None:
        return None
    if holder.host != socket.gethostname():
        return holder  # another machine (a shared folder): it cannot be checked from here
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, but another user's
    return None if holder.pid == os.getpid() else holder


class BookLock:
    """The held lock; `release` (or process exit) frees it."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, book: Path) -> BookLock:
        path = lock_path_for(book)
        fd = _open_lock_file(path)
        try:
            _lock(fd)
        except BlockingIOError:
            os.close(fd)
            raise OpenElsewhere(book, read_holder(path)) from None
        except BaseException:
            os.close(fd)
            raise
        _write_holder(fd)
        return cls(fd, path)

    def release(self) -> None:
        """Free the lock (closing the file does it); the file itself stays."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        _unlock(self._fd)  # now: a forked child still ending holds a copy of this file
        os.close(self._fd)  # closing the file releases the lock (on Windows)
        self._fd = None


def _open_lock_file(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise LockRefused(
                _("{path} is a symbolic link; custbook refuses to use it as a lock.").format(
                    path=path
                )
            ) from None
        raise LockRefused(
            _("Cannot open the lock file {path}: {problem}.").format(
                path=path, problem=error.strerror or error
            )
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockRefused(
            _("{path} is not a regular file; custbook refuses to use it as a lock.").format(
                path=path
            )
        )
    return fd


def _lock(fd: int) -> None:
    """Take the lock without waiting; BlockingIOError when another process holds it."""
    if os.name == "nt":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise BlockingIOError from None
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _write_holder(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())


def _unlock(fd: int) -> None:
    """Let go of the lock at once: closing the file lets go only when no copy of it is
    open (an import's forked child is left to end by itself, and holds one until then).
    On Windows, where nothing is forked, closing it does."""
    if os.name == "nt":
        return
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
