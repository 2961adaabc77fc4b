"""What can go wrong with a book file, one exception per thing a person does about it."""

from __future__ import annotations

from dataclasses import dataclass

from custbook.errors import CustbookError, ExitCode, InvalidInput, NotFound
from custbook.i18n import _


class VaultError(CustbookError):
    """A book file could not be opened or written."""


class NotACustbookFile(VaultError):
    """The file does not start with custbook's signature: the wrong file was named."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, path: str) -> None:
        super().__init__(
            _(
                "{path} is not a custbook book (it does not start with custbook's signature)."
            ).format(path=path)
        )


class NewerVersion(VaultError):
    """Made by a newer custbook: refused before any key derivation runs."""

    exit_code = ExitCode.NEWER_VERSION

    def __init__(self, path: str, version: str) -> None:
        super().__init__(
            _(
                "{path} was written by a newer custbook (book format {version}). "
                "Update custbook to open it; the file was not changed."
            ).format(path=path, version=version)
        )


class WrongPassphrase(VaultError):
    """The passphrase key does not unwrap the data key."""

    exit_code = ExitCode.WRONG_PASSPHRASE

    def __init__(self, path: str) -> None:
        super().__init__(
            _("Wrong passphrase for {path}. The file was not changed.").format(path=path)
        )


class BookDamaged(VaultError):
    """The file is a custbook book but fails a check: header, a record, length or SQLite."""

    exit_code = ExitCode.DAMAGED

    def __init__(self, path: str, reason: str, hint: str | None = None) -> None:
        self.reason = reason
        message = _("{path} is damaged: {reason}. The file was not changed.").format(
            path=path, reason=reason
        )
        super().__init__(message if hint is None else f"{message} {hint}")


class BookTooLarge(VaultError):
    """The database is past what SQLite can hold in memory (1 GiB)."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(
            _(
                "{path} holds a {size} MiB database, more than the {limit} MiB an unlocked book "
                "can hold in memory. Nothing was changed."
            ).format(path=path, size=size >> 20, limit=limit >> 20)
        )


class BookNotFound(VaultError, NotFound):
    exit_code = ExitCode.NOT_FOUND

    def __init__(self, path: str) -> None:
        super().__init__(
            _("There is no book at {path}. Create one with `custbook init`.").format(path=path)
        )


class BookExists(VaultError, InvalidInput):
    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, path: str) -> None:
        super().__init__(
            _("{path} already exists; custbook will not overwrite it.").format(path=path)
        )


class SaveRefused(VaultError):
    """A save was asked for at a moment it cannot be done safely; nothing was written."""

    exit_code = ExitCode.INVALID_INPUT


class SaveFailed(VaultError):
    """Writing the book failed; the file on disk is unchanged and the changes stay in memory."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, path: object, reason: str) -> None:
        self.reason = reason
        super().__init__(
            _(
                "Could not save {path}: {reason}. The book file is unchanged and your changes "
                "are still in memory."
            ).format(path=path, reason=reason)
        )


class UnreadableBook(VaultError):
    """The path exists but is no file custbook can read: a folder, a device, no permission."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, path: object, reason: str) -> None:
        self.reason = reason
        super().__init__(
            _("{path} cannot be read: {reason}. Nothing was changed.").format(
                path=path, reason=reason
            )
        )


@dataclass(frozen=True)
class LockHolder:
    """Who holds a book's lock, as written in the lock file (for messages only)."""

    pid: int | None
    host: str | None


class OpenElsewhere(VaultError):
    exit_code = ExitCode.OPEN_ELSEWHERE

    def __init__(self, path: object, holder: LockHolder) -> None:
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
