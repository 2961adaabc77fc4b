"""Pages of the customer list: a few customers with their kept figures, risk flags and
suggested grade, in a fixed number of indexed reads whatever the size of the book.

Lines sort by the pinyin of the name (search.keys.sort_key). Pages go by key (the last
sort key and id shown), not by OFFSET, so the hundredth page costs what the first does:
the sort index is walked from the key, never from the top.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from custbook.book import figures, insight

if TYPE_CHECKING:
    from custbook.book.book import Book

PAGE_SIZE = 50
# What a line of the list shows of the customer itself (the figures come whole). Not its
# phones: no list shows them, and decoding their JSON was a tenth of a page.
_FIELDS = ("id", "name", "company", "city", "grade", "stage", "archived_at")


class ListedCustomer(NamedTuple):  # not a frozen dataclass: a page makes fifty, at 2.5× the cost
    record: dict[str, Any]  # the _FIELDS of the customer
    tags: list[str]
    figures: dict[str, Any]
    risk: list[str]
    suggested_grade: str
    sort_key: str  # the pinyin of the name (search.keys.sort_key)

    @property
    def id(self) -> int:
        return int(self.record["id"])

    @property
    def key(self) -> tuple[str, int]:
        """Where the next page starts."""
        return (self.sort_key, self.id)


Condition = tuple[str, list[Any]]  # SQL over customers c and customer_figures f, arguments


# How a list can be sorted: name (pinyin) pages by key; the others by offset.
ORDERS = {
    "name": "s.sort_key, s.customer_id",
    "last_contact": "f.last_contact_at IS NULL, f.last_contact_at DESC, c.id",
    "next_due": "f.next_due IS NULL, f.next_due, c.id",
    "revenue": "f.revenue_minor DESC, s.sort_key, c.id",
    "grade": "c.grade IS NULL, c.grade, s.sort_key, c.id",
}


def page(
    book: Book,
    today: date,
    *,
    after: tuple[str, int] | None = None,
    limit: int = PAGE_SIZE,
    archived: bool = False,
    condition: Condition | None = None,
    order: str = "name",
    offset: int = 0,
) -> list[ListedCustomer]:
    """Up to `limit` customers: the live ones, the archived ones with `archived`, or those
    meeting `condition`; by name (pinyin order) after the key `after`, or in another of
    ORDERS from `offset`."""
    where, arguments = condition or _live(archived)
    if after is not None:
        where = f"({where}) AND (s.sort_key, s.customer_id) > (?, ?)"
        arguments = [*arguments, *after]
    index = "INDEXED BY customer_search_sort" if order == "name" else ""
    return _listed(
        book,
        book.db.execute(
            f"SELECT {_SELECTED} FROM customer_search s {index}"
            " JOIN customers c ON c.id = s.customer_id"
            " LEFT JOIN customer_figures f ON f.customer_id = c.id"
            f" WHERE {where} ORDER BY {ORDERS[order]} LIMIT ? OFFSET ?",
            (*arguments, limit, offset),
        ).fetchall(),
        today,
    )


def count(book: Book, *, archived: bool = False, condition: Condition | None = None) -> int:
    """How many customers `page` would list in all."""
    where, arguments = condition or _live(archived)
    return int(
        book.db.execute(
            "SELECT count(*) FROM customers c LEFT JOIN customer_figures f"
            f" ON f.customer_id = c.id WHERE {where}",
            arguments,
        ).fetchone()[0]
    )


def sort_lines(lines: list[ListedCustomer], order: str) -> list[ListedCustomer]:
    """Lines already found (a text search's best matches) in another of ORDERS."""
    if order == "name":
        return sorted(lines, key=lambda line: line.key)
    kept = {
        "last_contact": lambda line: (line.figures["last_contact_at"] is None,
                                      _descending(line.figures["last_contact_at"] or "")),
        "next_due": lambda line: (line.figures["next_due"] is None, line.figures["next_due"] or ""),
        "revenue": lambda line: -(line.figures["revenue_minor"] or 0),
        "grade": lambda line: (line.record["grade"] is None, line.record["grade"] or ""),
    }[order]  # fmt: skip
    return sorted(lines, key=kept)


def _descending(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


def _live(archived: bool) -> Condition:
    return ("c.archived_at IS NOT NULL" if archived else "c.archived_at IS NULL", [])


def by_ids(book: Book, ids: list[int], today: date) -> list[ListedCustomer]:
    """These customers as list lines, in this order (ids not in the book are left out)."""
    marks = ", ".join("?" for _ in ids)
    found = book.db.execute(
        f"SELECT {_SELECTED} FROM customers c JOIN customer_search s ON s.customer_id = c.id"
        f" LEFT JOIN customer_figures f ON f.customer_id = c.id WHERE c.id IN ({marks})",
        ids,
    ).fetchall()
    place = {customer_id: index for index, customer_id in enumerate(ids)}
    return _listed(book, sorted(found, key=lambda row: place[row[0]]), today)


_SELECTED = ", ".join(
    [f"c.{name}" for name in _FIELDS] + ["s.sort_key"] + [f"f.{name}" for name in figures.COLUMNS]
)


def _listed(book: Book, found: list[Any], today: date) -> list[ListedCustomer]:
    ids = [row[0] for row in found]
    tags = _tags_of(book, ids)
    judge = insight.judge(book, today)
    revenue = figures.monthly_revenue_of(book.db, ids, judge.revenue_since)
    width = len(_FIELDS)
    listed = []
    for row in found:
        record = dict(zip(_FIELDS, row[:width], strict=True))
        kept = dict(zip(figures.COLUMNS, row[width + 1 :], strict=True))
        customer_id = record["id"]
        listed.append(
            ListedCustomer(
                record,
                tags.get(customer_id, []),
                kept,
                judge.flags(kept, record["grade"], revenue[customer_id]),
                judge.grade(kept),
                row[width],
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
