"""Saved views: a named search ("A 客户沉默" → `grade:A last:>30d`), listed in the order
saved. A view's query is checked when it is saved, so running it later cannot fail on a
typo (it can still find nobody)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from custbook.book.db import transaction
from custbook.book.search.query import compile_filters, context_for, parse
from custbook.book.validation import clean_text
from custbook.errors import InvalidInput, NotFound
from custbook.i18n import _

if TYPE_CHECKING:
    from custbook.book.book import Book


@dataclass(frozen=True)
class View:
    id: int
    name: str
    query: str


class Views:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.db = book.db

    def all(self) -> list[View]:
        return [
            View(*row)
            for row in self.db.execute(
                "SELECT id, name, query FROM saved_views ORDER BY position, id"
            )
        ]

    def get(self, name: str) -> View:
        row = self.db.execute(
            "SELECT id, name, query FROM saved_views WHERE name = ?", (clean_text(name),)
        ).fetchone()
        if row is None:
            raise NotFound(_("There is no saved view “{name}”.").format(name=name))
        return View(*row)

    def save(self, name: str, query: str) -> tuple[View, bool]:
        """Save (or replace) a view; returns it and whether one of that name existed."""
        shown, text = clean_text(name), clean_text(query)
        if shown is None:
            raise InvalidInput(_("A view needs a name."))
        if text is None:
            raise InvalidInput(_("A view needs a query, like “grade:A last:>30d”."))
        compile_filters(parse(text), context_for(self.book, self.book.clock().date()))
        with transaction(self.db):
            existed = self.db.execute(
                "UPDATE saved_views SET query = ? WHERE name = ?", (text, shown)
            ).rowcount
            if not existed:
                self.db.execute(
                    "INSERT INTO saved_views (name, query, position, created_at)"
                    " VALUES (?, ?, (SELECT coalesce(max(position), 0) + 1 FROM saved_views), ?)",
                    (shown, text, self.book.now_text()),
                )
        return self.get(shown), bool(existed)

    def delete(self, name: str) -> View:
        view = self.get(name)
        with transaction(self.db):
            self.db.execute("DELETE FROM saved_views WHERE id = ?", (view.id,))
        return view
