"""Notice when an older copy of a book has been put back over it.

A file cannot prove it is the newest copy (no format can: research/vault.md section 7),
so custbook remembers, per book file id, the highest save counter it has seen, in the
platformdirs state folder. One small file per book, holding only a number.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from custbook.i18n import _
from custbook.vault.files import create_private_file, make_private_dirs, temp_path_for


@dataclass(frozen=True)
class Rollback:
    """The file's counter is below one seen before: an older copy is in place."""

    file_counter: int
    seen_counter: int

    def describe(self) -> str:
        return _(
            "Warning: this is an older copy of the book (save {file} of {seen} seen "
            "before). If you did not put it back on purpose, look for the newer file; "
            "`custbook backup list` shows the backups."
        ).format(file=self.file_counter, seen=self.seen_counter)


class CounterLog:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, file_id: bytes) -> Path:
        return self.folder / f"{file_id.hex()}.counter"

    def seen(self, file_id: bytes) -> int | None:
        try:
            return int(self._path(file_id).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None

    def check(self, file_id: bytes, counter: int) -> Rollback | None:
        seen = self.seen(file_id)
        if seen is not None and counter < seen:
            return Rollback(counter, seen)
        return None

    def record(self, file_id: bytes, counter: int) -> None:
        """Remember `counter` if it is the highest yet. Best effort: never fails a save."""
        seen = self.seen(file_id)
        if seen is not None and seen >= counter:
            return
        with contextlib.suppress(OSError):
            make_private_dirs(self.folder)
            target = self._path(file_id)
            temp = temp_path_for(target)
            fd = create_private_file(temp)
            try:
                os.write(fd, f"{counter}\n".encode("ascii"))
            finally:
                os.close(fd)
            os.replace(temp, target)
