"""Ranked search: free text in tiers, filters as SQL, the first `limit` lines.

Tiers, best first (the first free word decides the tier; every other word must match
somewhere): the exact name, a name that starts with it, pinyin of the name (full or
initials) that starts with it, company and contact people (and any word or part of the
name), then the rest (phones, emails, places, tags, notes). With several words, a tier
first reads the rows where each other word starts a word (one FTS5 query on search_all),
then, only when some other word is inside a value where it starts no word, the rows that
need that. Within a tier the most recent contact comes first: the FTS rowid is the
recency (index.py), so each read of a tier goes newest first and stops at `limit`,
whatever the number of matches. Without free text, the
lines come in the list's own order (pinyin of the name).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from custbook.book import listing
from custbook.book.listing import Condition, ListedCustomer
from custbook.book.search import index, keys
from custbook.book.search.query import Query, compile_filters, context_for, parse

if TYPE_CHECKING:
    from custbook.book.book import Book

_SUBSTRING = 3  # the trigram index finds parts this long or longer


def search(
    book: Book, text: str, today: date, *, limit: int = 50, order: str | None = None
) -> list[ListedCustomer]:
    """The customers `text` finds, best first (QueryError for a filter it cannot read).
    With `order` (listing.ORDERS), a filter-only query lists in that order, and a text
    query's best matches are sorted by it."""
    query = parse(text)
    condition = compile_filters(query, context_for(book, today))
    if not query.words:
        return listing.page(book, today, limit=limit, condition=condition, order=order or "name")
    found = listing.by_ids(book, ranked_ids(book, query, condition, limit), today)
    return found if order is None else listing.sort_lines(found, order)


def count(book: Book, text: str, today: date) -> int | None:
    """How many customers a filter-only query lists in all; None for free text (its reads
    stop after the best; counting every match would cost what they save)."""
    query = parse(text)
    if query.words:
        return None
    return listing.count(book, condition=compile_filters(query, context_for(book, today)))


def ranked_ids(book: Book, query: Query, condition: Condition, limit: int) -> list[int]:
    first, *rest = query.words
    others = _OtherWords(book, rest)
    found: dict[int, None] = {}
    for tier in _tiers(first):
        for reads, checked in others.passes(tier):
            rowids: list[int] = []
            for read in reads:
                rowids += _read(book, read, condition, limit + len(found), checked)
            for rowid in sorted(set(rowids), reverse=True):
                found.setdefault(rowid & index.ID_MASK)
            if len(found) >= limit:
                return list(found)[:limit]
    return list(found)[:limit]


@dataclass
class _OtherWords:
    """The words after the first, and what finding them costs reads for, worked out once
    per search (on first need), not once per tier."""

    book: Book
    words: list[str]

    def passes(self, tier: list[Read]) -> Iterator[tuple[list[Read], list[OtherWord]]]:
        """A tier's reads with the other words: first the rows where each other word
        starts a word (one FTS5 query on search_all, which intersects the doclists
        itself), then, if some other word is found only inside a word somewhere (three
        characters or more: the trigram tables), the rows that need it, checked as
        before."""
        if not self.words:
            yield tier, []
            return
        if self.starts is not None:
            yield [_starting_others(read, self.starts) for read in tier], []
        if self.inside_only:
            yield tier, self.checked

    @cached_property
    def starts(self) -> str | None:
        """Each word starting a word anywhere; None if one is only punctuation."""
        if not all(_has_word(word) for word in self.words):
            return None
        return " AND ".join(_starting(word, _ANY) for word in self.words)

    @cached_property
    def inside_only(self) -> bool:
        return _found_inside_only(self.book, self.words)

    @cached_property
    def checked(self) -> list[OtherWord]:
        return [OtherWord.of(self.book, word) for word in self.words]


def _starting_others(read: Read, starts: str) -> Read:
    """The read of rows that also hold a word starting with each other word: on
    search_all, the same MATCH (FTS5 intersects them); on other tables, a check of each
    row."""
    if read.table == index.ALL_WORDS:
        return Read(read.table, f"({read.match}) AND {starts}", read.also)
    holds = f"EXISTS (SELECT 1 FROM {index.ALL_WORDS} a WHERE a.{index.ALL_WORDS} MATCH ?"
    where, arguments = read.also
    also = f"({where}) AND {holds} AND a.rowid = s.rowid)"
    return Read(read.table, read.match, (also, [*arguments, starts]))


def _found_inside_only(book: Book, rest: list[str]) -> bool:
    """Whether some other word is inside a value (a trigram match) of a row where it
    starts no word; unknown (True) when either set is too large to read."""
    for word in rest:
        if len(word) < _SUBSTRING:
            continue
        inside = _rows_of(book, [(t, _phrase(word)) for t in index.TEXT_TABLES])
        if inside and not _has_word(word):
            return True
        starting = _rows_of(book, _anywhere(word)[:1]) if inside else set()
        if inside is None or starting is None or not inside <= starting:
            return True
    return False


def _rows_of(book: Book, reads: list[tuple[str, str]]) -> set[int] | None:
    """The rowids these FTS queries match together; None above _SET_CAP."""
    rows: set[int] = set()
    for table, match in reads:
        found = book.db.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?", (match, _SET_CAP + 1)
        ).fetchall()
        if len(found) > _SET_CAP:
            return None
        rows.update(r[0] for r in found)
    return rows


_SET_CAP = 2_000  # a rarer word filters by its set of rows; a commoner one row by row


# One row's marked words (every group), then its texts as the trigram tables hold them.
_TEXTS_OF_ROW = [
    (index.ALL_WORDS, " || ' ' || ".join(index.ALL_TABLE[index.ALL_WORDS])),
    *((table, " || ' ' || ".join(columns)) for table, columns in index.TEXT_TABLES.items()),
]
_WORDS_OF_ROW = "SELECT " + ", ".join(
    f"(SELECT {text} FROM {table} WHERE rowid = ?1)" for table, text in _TEXTS_OF_ROW
)


@dataclass(frozen=True)
class OtherWord:
    """A word after the first: every row found must hold it too, somewhere. A rare word is
    the set of rows it matches, filtered in SQL; a common one (more than _SET_CAP rows) is
    checked on each candidate's own text, since most candidates hold it and the reads stop
    early."""

    word: str
    rows: frozenset[int] | None  # None: too common to list

    @classmethod
    def of(cls, book: Book, word: str) -> OtherWord:
        rows = _rows_of(book, _anywhere(word))
        return cls(word, None if rows is None else frozenset(rows))

    def held_by(self, book: Book, rowid: int) -> bool:
        """As the indexes would answer for this row: a word starting with it, or (three
        characters or more) any part of the texts."""
        words, *texts = book.db.execute(_WORDS_OF_ROW, (rowid,)).fetchone() or ("",)
        if len(self.word) >= _SUBSTRING and any(self.word in (t or "") for t in texts):
            return True
        starts = keys.tokens(self.word)
        marked = keys.tokens(words or "")  # each behind its group's one-letter mark
        return len(starts) == 1 and any(t[1:].startswith(starts[0]) for t in marked)


@dataclass(frozen=True)
class Read:
    """One indexed read of a tier: an FTS5 query on a table, or (table None) the exact
    name key; `also` is SQL on its rowid `s.rowid` for the other words of the query."""

    table: str | None
    match: str
    also: Condition = ("1", [])  # SQL on the candidate (s.rowid), with its arguments


def _anywhere(word: str) -> list[tuple[str, str]]:
    """(table, FTS query) pairs that find the word at the start of a word of any value, or
    (three characters or more) anywhere."""
    found = [(index.ALL_WORDS, _starting(word, _ANY))] if _has_word(word) else []
    if len(word) >= _SUBSTRING:
        found += [(table, _phrase(word)) for table in index.TEXT_TABLES]
    return found


def _read(
    book: Book, read: Read, condition: Condition, limit: int, others: list[OtherWord]
) -> list[int]:
    where, arguments = condition
    if read.table is None:
        source = "(SELECT text_rowid AS rowid, name_key FROM customer_search) s"
        match = "s.name_key = ?"
    else:
        source, match = f"{read.table} s", f"s.{read.table} MATCH ?"
    also, also_arguments = read.also
    for other in others:
        if other.rows is not None:  # + : a filter, not a driver of the plan
            also += " AND +s.rowid IN (SELECT value FROM json_each(?))"
            also_arguments = [*also_arguments, json.dumps(sorted(other.rows))]
    checked = [other for other in others if other.rows is None]
    cursor = book.db.execute(
        f"SELECT s.rowid FROM {source} JOIN customers c ON c.id = s.rowid & ?"
        " LEFT JOIN customer_figures f ON f.customer_id = c.id"
        f" WHERE {match} AND ({where}) AND ({also}) ORDER BY s.rowid DESC"
        + ("" if checked else " LIMIT ?"),
        (index.ID_MASK, read.match, *arguments, *also_arguments, *([] if checked else [limit])),
    )
    found: list[int] = []
    for (rowid,) in cursor:  # with words checked here, the read stops when enough hold them
        if all(other.held_by(book, rowid) for other in checked):
            found.append(rowid)
            if len(found) >= limit:
                break
    cursor.close()
    return found


def _tiers(word: str) -> Iterator[list[Read]]:
    yield [Read(None, word)]
    substring = len(word) >= _SUBSTRING
    if not _has_word(word):  # only punctuation: nothing for the word index
        if substring:
            yield [Read(table, _phrase(word)) for table in index.TEXT_TABLES]
        return
    yield [Read(index.ALL_WORDS, "name : ^ " + _starting(word, "n"))]
    pinyin = _pinyin(word)
    if pinyin is not None:
        yield [pinyin]
    middle = [Read(index.ALL_WORDS, _starting(word, "cn"))]
    rest = [Read(index.ALL_WORDS, _starting(word, "r"))]
    if substring:
        middle.append(Read("search_text", _phrase(word)))
        rest.append(Read("search_rest_text", _phrase(word)))
    yield middle
    yield rest


def _pinyin(word: str) -> Read | None:
    """Latin letters (and Chinese mixed in: 张w) against the pinyin forms of the name."""
    if not any(c.isascii() and c.isalpha() for c in word):
        return None
    spelled = " OR ".join(_starting(s, "p") for s in _spellings(word))
    chinese_start = "".join(itertools.takewhile(keys.is_han, word))
    if not chinese_start:
        return Read(index.ALL_WORDS, f"({spelled})")
    # 张w: the name starts with 张, not only with zhang
    both = f"({spelled}) AND ({{name}} : (^ {_starting(chinese_start, 'n')}))"
    return Read(index.ALL_WORDS, both)


def _spellings(word: str) -> list[str]:
    """The word with each Chinese character as each of its readings (capped)."""
    forms = [""]
    for char in word:
        choices = keys.readings(char) if keys.is_han(char) else (char,)
        forms = [f + c for f in forms for c in choices][:16]
    return forms


def _has_word(word: str) -> bool:
    """Whether the word index finds a word in it (letters or digits)."""
    return bool(keys.tokens(word))


_ANY = "npcr"  # every column group's mark (index.MARKS)


def _starting(word: str, marks: str) -> str:
    """An FTS5 query for a word of these groups (their marks) that starts with `word`;
    a word of several parts (grace.huang) is a phrase whose last part is a prefix."""
    parts = keys.tokens(word)
    forms = ['"' + " ".join(mark + part for part in parts) + '"*' for mark in marks]
    return forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")"


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
