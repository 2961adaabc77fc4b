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
from dataclasses import dataclass
from pathlib import Path

from custbook.errors import ExitCode
from custbook.i18n import _
from custbook.vault.errors import VaultError

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    host: str | None


class OpenElsewhere(VaultError):
    exit_code = ExitCode.OPEN_ELSEWHERE

    def __init__(self, path: Path, holder: LockHolder) -> None:
        self.holder = holder
        if holder.pid is not None:
            message = _(
                "{path} is open in another custbook (pid {pid} on {host}). Close it there, "
                "then try again."
            ).format(path=path, pid=holder.pid, host=holder.host or "?")
        else:
            message = _("{path} is open in another custbook. Close it there, then try again.")
            message = message.format(path=path)
        super().__init__(message)


class LockRefused(VaultError):
    exit_code = ExitCode.INVALID_INPUT


def lock_path_for(book: Path) -> Path:
    """Beside the real file, so every path to the same book (symlinks too) shares one lock."""
    real = Path(os.path.realpath(book))
    return real.with_name(real.name + ".lock")


def read_holder(lock_path: Path) -> LockHolder:
    try:
        fields = lock_path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        return LockHolder(None, None)
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
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the file releases the lock
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC, 0o600)
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
