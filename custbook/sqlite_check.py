"""The oldest SQLite custbook runs on, told in words before any book is opened.

INSERT … RETURNING needs 3.35, FTS5's trigram tokenizer 3.34. Python's own sqlite3 is
usually far newer (the builds uv installs carry 3.40 or later); an old Linux's may not
be, and an SQL error midway through an unlock or a save says nothing a person can use.
"""

from __future__ import annotations

import sqlite3

from custbook.errors import CustbookError
from custbook.i18n import _

OLDEST_SQLITE = (3, 35, 0)


class OldSQLite(CustbookError):
    def __init__(self, version: str) -> None:
        super().__init__(
            _(
                "custbook needs SQLite {needed} or newer, and this Python has SQLite "
                "{version}. Run custbook with a newer Python (uv python install 3.12)."
            ).format(needed=".".join(map(str, OLDEST_SQLITE)), version=version)
        )


def require_sqlite() -> None:
    if sqlite3.sqlite_version_info < OLDEST_SQLITE:
        raise OldSQLite(sqlite3.sqlite_version)
