"""Pages of the customer list: a few customers with their kept figures, risk flags and
suggested grade, in a fixed number of indexed reads whatever the size of the book.

Pages go by key (the last name and id shown), not by OFFSET, so the hundredth page costs
what the first does: the name index is walked from the key, never from the top.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from custbook.book import figures, insight

if TYPE_CHECKING:
    from custbook.book.book import Book

PAGE_SIZE = 50
# What a line of the list shows of the customer itself (the figures come whole).
_FIELDS = ("id", "name", "company", "city", "grade", "stage", "phones", "archived_at")


@dataclass(frozen=True)
class ListedCustomer:
    record: dict[str, Any]  # the _FIELDS of the customer
    tags: list[str]
    figures: dict[str, Any]
    risk: list[str]
    suggested_grade: str

    @property
    def id(self) -> int:
        return int(self.record["id"])

    @property
    def key(self) -> tuple[str, int]:
        """Where the next page starts."""
        return (str(self.record["name"]), self.id)


def page(
    book: Book,
    today: date,
    *,
    after: tuple[str, int] | None = None,
    limit: int = PAGE_SIZE,
    archived: bool = False,
) -> list[ListedCustomer]:
    """Up to `limit` live (or, with `archived`, archived) customers by name, after `after`."""
    where = "c.archived_at IS NOT NULL" if archived else "c.archived_at IS NULL"
    arguments: list[Any] = []
    if after is not None:
        where += " AND (c.name, c.id) > (?, ?)"
        arguments += after
    columns = ", ".join(f"c.{name}" for name in _FIELDS)
    kept = ", ".join(f"f.{name}" for name in figures.COLUMNS)
    cursor = book.db.execute(
        f"SELECT {columns}, {kept} FROM customers c INDEXED BY customers_name"
        " LEFT JOIN customer_figures f ON f.customer_id = c.id"
        f" WHERE {where} ORDER BY c.name, c.id LIMIT ?",
        (*arguments, limit),
    )
    return _listed(book, cursor.fetchall(), today)


def _listed(book: Book, found: list[Any], today: date) -> list[ListedCustomer]:
    ids = [row[0] for row in found]
    tags = _tags_of(book, ids)
    judge = insight.judge(book, today)
    revenue = figures.monthly_revenue_of(book.db, ids, judge.revenue_since)
    listed = []
    for row in found:
        record = dict(zip(_FIELDS, row[: len(_FIELDS)], strict=True))
        record["phones"] = json.loads(record["phones"] or "[]")
        kept = dict(zip(figures.COLUMNS, row[len(_FIELDS) :], strict=True))
        customer_id = record["id"]
        listed.append(
            ListedCustomer(
                record,
                tags.get(customer_id, []),
                kept,
                judge.flags(kept, record["grade"], revenue[customer_id]),
                judge.grade(kept),
            )
        )
    return listed


def _tags_of(book: Book, ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    tags: dict[int, list[str]] = defaultdict(list)
    for customer_id, name in book.db.execute(
        "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
        f" WHERE ct.customer_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
        ids,
    ):
        tags[customer_id].append(name)
    return tags
