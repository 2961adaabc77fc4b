"""Ranked search: free text in tiers, filters as SQL, the first `limit` lines.

Tiers, best first (the first free word decides the tier; every other word must match
somewhere): the exact name, a name that starts with it, pinyin of the name (full or
initials) that starts with it, company and contact people (and any part of the name),
then the rest (phones, emails, places, tags, notes). Within a tier the most recent
contact comes first: the FTS rowid is the recency (index.py), so each tier is one MATCH
read newest first that stops at `limit`, whatever the number of matches. Without free
text, the lines come in the list's own order (pinyin of the name).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from custbook.book import listing
from custbook.book.listing import ListedCustomer
from custbook.book.search import index, keys
from custbook.book.search.query import Query, compile_filters, context_for, parse

if TYPE_CHECKING:
    from custbook.book.book import Book


def search(book: Book, text: str, today: date, *, limit: int = 50) -> list[ListedCustomer]:
    """The customers `text` finds, best first (QueryError for a filter it cannot read)."""
    query = parse(text)
    where, arguments = compile_filters(query, context_for(book, today))
    if not query.words:
        return listing.page(book, today, limit=limit, condition=(where, arguments))
    ids = ranked_ids(book, query, (where, arguments), limit)
    return listing.by_ids(book, ids, today)


def ranked_ids(book: Book, query: Query, condition: tuple[str, list[Any]], limit: int) -> list[int]:
    first, *others = query.words
    also = [f"({_anywhere(word)})" for word in others]
    where, arguments = condition
    found: dict[int, None] = {}
    for tier in _tiers(first):
        match = " AND ".join([f"({tier})", *also])
        rows = book.db.execute(
            "SELECT s.rowid & ? FROM search_text s JOIN customers c ON c.id = s.rowid & ?"
            " LEFT JOIN customer_figures f ON f.customer_id = c.id"
            f" WHERE search_text MATCH ? AND ({where}) ORDER BY s.rowid DESC LIMIT ?",
            (index.ID_MASK, index.ID_MASK, match, *arguments, limit + len(found)),
        )
        for (customer_id,) in rows:
            found.setdefault(customer_id)
        if len(found) >= limit:
            break
    return list(found)[:limit]


def _tiers(word: str) -> Iterator[str]:
    start = keys.START + word
    yield f"name : {_phrase(start + keys.END)}"
    yield f"name : {_phrase(start)}"
    yield from _pinyin_tiers(word)
    middle = [f"{{company contacts}} : {_phrase(start)}", f"name : {_phrase(keys.INNER + word)}"]
    if len(word) >= 3:
        middle.append(f"{{name company contacts}} : {_phrase(word)}")
    yield " OR ".join(middle)
    yield _anywhere(word)


def _pinyin_tiers(word: str) -> Iterator[str]:
    """Latin letters (and Chinese mixed in: 张w) against the pinyin of the name."""
    if not any(c.isascii() and c.isalpha() for c in word):
        return
    spelled = " OR ".join(f"pinyin : {_phrase(keys.START + s)}" for s in _spellings(word))
    chinese_start = "".join(itertools.takewhile(keys.is_han, word))
    if chinese_start:  # 张w: the name starts with 张, not only with zhang
        spelled = f"({spelled}) AND name : {_phrase(keys.START + chinese_start)}"
    yield spelled


def _spellings(word: str) -> list[str]:
    """The word with each Chinese character as each of its readings (capped)."""
    forms = [""]
    for char in word:
        choices = keys.readings(char) if keys.is_han(char) else (char,)
        forms = [f + c for f in forms for c in choices][:16]
    return forms


def _anywhere(word: str) -> str:
    """The word anywhere (three characters or more), or at the start of any value."""
    starts = f"{_phrase(keys.START + word)} OR {_phrase(keys.INNER + word)}"
    return f"{_phrase(word)} OR {starts}" if len(word) >= 3 else starts


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
