"""Opening the book for a command: read-only for looking, locked and saved for changing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from custbook.book import Book
from custbook.cli.book_commands import open_book
from custbook.cli.main import CliState
from custbook.vault import Vault


@contextmanager
def reading(state: CliState) -> Iterator[Book]:
    """The last saved state; works while the app has the book open."""
    vault = open_book(state, write=False)
    try:
        yield Book(vault.db)
    finally:
        vault.close()


@contextmanager
def changing(state: CliState) -> Iterator[tuple[Book, Vault]]:
    """The book under its lock; saved through the vault before the command returns, and
    only if the command's body finished."""
    vault = open_book(state, write=True)
    try:
        book = Book(vault.db)
        before = vault.db.total_changes
        yield book, vault
        if vault.db.total_changes != before:  # a command that changed nothing saves nothing
            vault.save()
    finally:
        vault.close()
