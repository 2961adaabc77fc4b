"""Tags across the book: list them with their counts, rename one, delete one.

A rename or a delete is one change set touching each tagged customer's `tags` field, so
each customer's history shows it and one undo reverts it everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from custbook.book import rows
from custbook.book.history import Change, change_set
from custbook.book.validation import clean_text
from custbook.errors import InvalidInput, NotFound
from custbook.i18n import _

if TYPE_CHECKING:
    from custbook.book.book import Book


@dataclass(frozen=True)
class TagCount:
    name: str
    customers: int


class Tags:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.db = book.db

    def all(self) -> list[TagCount]:
        """Every tag in use, most used first."""
        return [
            TagCount(r[0], r[1])
            for r in self.db.execute(
                "SELECT t.name, count(*) FROM tags t JOIN customer_tags ct ON ct.tag_id = t.id"
                " GROUP BY t.id ORDER BY count(*) DESC, t.name COLLATE NOCASE"
            )
        ]

    def rename(self, old: str, new: str, *, source: str) -> int:
        """Rename a tag on every customer (merging into `new` if it exists). Returns how
        many customers changed."""
        target = clean_text(new)
        if target is None:
            raise InvalidInput(_("A tag needs a name."))
        folded = old.casefold()
        return self._retag(
            old, lambda tags: [target if t.casefold() == folded else t for t in tags], source
        )

    def delete(self, name: str, *, source: str) -> int:
        """Take a tag off every customer. Returns how many customers changed."""
        folded = name.casefold()
        return self._retag(name, lambda tags: [t for t in tags if t.casefold() != folded], source)

    def _retag(self, name: str, change: Callable[[list[str]], list[str]], source: str) -> int:
        tagged = [
            r[0]
            for r in self.db.execute(
                "SELECT ct.customer_id FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
                " WHERE t.name = ? ORDER BY ct.customer_id",
                (clean_text(name) or "",),
            )
        ]
        if not tagged:
            raise NotFound(_("No customer has the tag “{name}”.").format(name=name))
        with change_set(self.db, self.book.clock, source) as recorder:
            for customer_id in tagged:
                before = rows.tags_of(self.db, customer_id)
                after = sorted(dict.fromkeys(change(before)), key=str.casefold)
                step = Change("customer", customer_id, customer_id, "update", "tags", before, after)
                rows.apply(self.db, step, recorder.made_at)
                recorder.record(step)
            self.db.execute(
                "DELETE FROM tags WHERE NOT EXISTS"
                " (SELECT 1 FROM customer_tags WHERE tag_id = tags.id)"
            )
        return len(tagged)
