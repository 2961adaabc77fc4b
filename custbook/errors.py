"""The errors a person can act on, each with its exit code (DESIGN.md's one table).

Messages are complete sentences that say what happened and what to do. They may quote
what the person typed and name the customers it matches (so they can pick one by id):
they are shown to the person, never written to a file or a log.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID_INPUT = 1
    USAGE = 2
    WRONG_PASSPHRASE = 3
    DAMAGED = 4
    NEWER_VERSION = 5
    OPEN_ELSEWHERE = 6
    NO_PASSPHRASE_SOURCE = 7
    NOT_FOUND = 8


class CustbookError(Exception):
    """Base of every error custbook reports to a person instead of a traceback."""

    exit_code: ExitCode = ExitCode.INVALID_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as it is, not remade through `__init__` (whose arguments differ from
        one error to the next: a ValidationError's problems, a name's matches)."""
        return (_rebuilt, (type(self), self.message, self.__dict__))


def _rebuilt(kind: type[CustbookError], message: str, state: dict[str, object]) -> CustbookError:
    error = kind.__new__(kind)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InvalidInput(CustbookError):
    exit_code = ExitCode.INVALID_INPUT


class NotFound(CustbookError):
    exit_code = ExitCode.NOT_FOUND


class NoPassphraseSource(CustbookError):
    exit_code = ExitCode.NO_PASSPHRASE_SOURCE
