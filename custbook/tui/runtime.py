"""The book's own thread: every use of the connection, the vault's saves included, runs on
one worker thread (datasette's single write thread is the model), so the UI thread never
blocks on SQLite and no two pieces of work ever interleave.

Screens `await runtime.run(fn)`; `fn(book)` runs on the book's thread between other work,
never inside another's transaction, so a save there always sees committed data. A search
carries a generation number: a newer one makes an older one give up, before it starts or,
through SQLite's progress handler, in the middle of its query.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from custbook.book import Book
from custbook.book.listing import ListedCustomer
from custbook.clock import Clock, system_clock
from custbook.vault import Vault, unlock_book
from custbook.vault.backups import KeyCache
from custbook.vault.store import check_passphrase

T = TypeVar("T")
_PROGRESS_STEPS = 100_000  # SQLite instructions between checks for a newer search: each
# check takes the GIL from the UI thread (up to its 5 ms switch interval), so not often


class NotUnlocked(RuntimeError):
    """Work was asked of a runtime with no book open (a programming error)."""


class BookRuntime:
    def __init__(self, clock: Clock = system_clock) -> None:
        self.clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="custbook-book")
        self._vault: Vault | None = None
        self._book: Book | None = None
        self._generation = 0
        self._saved_changes = 0  # total_changes at the last save

    @property
    def is_open(self) -> bool:
        return self._book is not None

    @property
    def path(self) -> Path | None:
        return None if self._vault is None else self._vault.path

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            raise NotUnlocked
        return self._vault

    async def _call(self, work: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self._executor.submit(work))

    async def run(self, work: Callable[[Book], T]) -> T:
        """`work(book)` on the book's thread."""

        def job() -> T:
            if self._book is None:
                raise NotUnlocked
            return work(self._book)

        return await self._call(job)

    # -- opening, saving, locking ------------------------------------------------------

    async def unlock(self, path: Path, passphrase: str) -> Vault:
        """Decrypt and lock the book for writing (vault errors pass through)."""

        def job() -> Vault:
            vault = unlock_book(path, passphrase, write=True, clock=self.clock)
            try:
                book = Book(vault.db, clock=self.clock)  # migrates an older book
            except BaseException:
                vault.close()
                raise
            self._vault, self._book = vault, book
            self._saved_changes = 0  # a migration's changes count as unsaved: saved soon
            return vault

        return await self._call(job)

    async def has_unsaved_changes(self) -> bool:
        return await self.run(lambda book: book.db.total_changes != self._saved_changes)

    async def save(self) -> bool:
        """Save if anything changed since the last save; True if it saved."""

        def job() -> bool:
            if self._book is None or self._vault is None:
                raise NotUnlocked
            changes = self._book.db.total_changes
            if changes == self._saved_changes:
                return False
            self._vault.save()
            self._saved_changes = changes
            return True

        return await self._call(job)

    async def check_passphrase(self, passphrase: str) -> None:
        """WrongPassphrase unless it opens the book file (for unlocking a book kept in
        memory after a failed save)."""
        path = self.vault.path
        await self._call(lambda: check_passphrase(path, KeyCache(passphrase)))

    async def close(self) -> None:
        """Forget the key and the data (unsaved changes are lost: save first). Searches
        still queued find no book and give up."""
        self._generation += 1

        def job() -> None:
            if self._vault is not None:
                self._vault.close()
            self._vault = self._book = None

        await self._call(job)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)

    # -- searching ---------------------------------------------------------------------

    async def search(
        self, text: str, limit: int, *, order: str | None = None
    ) -> list[ListedCustomer] | None:
        """The customers `text` finds, or None when a newer search came first."""
        return await self._latest(lambda book: book.search(text, limit=limit, order=order))

    async def count(self, text: str) -> int | None:
        """How many a filter-only query finds in all (None: free text, or superseded)."""
        return await self._latest(lambda book: book.count(text), new=False)

    async def _latest(self, work: Callable[[Book], T], *, new: bool = True) -> T | None:
        """`work` unless a newer search has been asked for meanwhile (then None)."""
        if new:
            self._generation += 1
        generation = self._generation

        def superseded() -> bool:
            return generation != self._generation

        def job() -> T | None:
            book = self._book
            if superseded() or book is None:  # newer search, or locked meanwhile
                return None
            book.db.set_progress_handler(lambda: int(superseded()), _PROGRESS_STEPS)
            try:
                return work(book)
            except sqlite3.OperationalError:
                if superseded():
                    return None  # interrupted for a newer search
                raise
            finally:
                book.db.set_progress_handler(None, 0)

        return await self._call(job)
