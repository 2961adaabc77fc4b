"""The search index, kept in step with every write (the change set refreshes it as it
closes, erase included) and rebuilt by `custbook rebuild`.

FTS5 tables, one row per customer each, all with the same rowid:

- `search_all` (unicode61, prefix indexes of 1-5 characters) answers "starts with", in
  column groups: the name (one word when Chinese: there are no spaces) and the rest of a
  Chinese name from each character; the pinyin forms; company and contact people; the
  rest (phone digits, email parts, places, tags, notes). A tier reads one group with a
  column filter (`pinyin : "zhang"*`), a prefix query reads one precomputed doclist, and
  a query of several words is one MATCH that FTS5 intersects itself (`{company contacts}
  : "上海"* AND "g"*`). (Migration 3 had a table per group; rows of separate tables can
  only be intersected row by row, tens of microseconds a row: `上海 g` took 126 ms at
  100,000 customers.)
- text tables (trigram) answer "contains", for three characters or more (Chinese has no
  spaces to split words on). Pinyin is not in them: its few syllables would make every
  trigram common.

The rowid is the customer's recency and id together, `minutes of the last contact << 24 |
id`, so FTS5 hands matches out newest contact first and a query with LIMIT stops early,
however many match. `customer_search` maps a customer to that rowid and holds the pinyin
sort key of its name.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from custbook import workers
from custbook.book import jsontext
from custbook.book.db import transaction
from custbook.book.rows import nocase
from custbook.book.search import keys
from custbook.errors import InvalidInput
from custbook.i18n import _

ALL_WORDS = "search_all"
WORD_COLUMNS = {  # the column groups of search_all, one per tier
    "names": ("name", "inner"),
    "pinyin": ("pinyin",),
    "people": ("company", "contacts"),
    "rest": ("rest",),
}
ALL_TABLE = {ALL_WORDS: tuple(c for columns in WORD_COLUMNS.values() for c in columns)}
# Every word in search_all starts with its group's mark (migration 5), so each group has
# doclists of its own in the one table: `n1`* (names starting with 1) is a handful of
# rows however many phone numbers (`r1`*) start with 1.
MARKS = {"names": "n", "pinyin": "p", "people": "c", "rest": "r"}
COLUMN_MARKS = {column: MARKS[group] for group, cols in WORD_COLUMNS.items() for column in cols}
TEXT_TABLES = {  # trigrams: "contains", three characters or more
    "search_text": ("name_text", "company_text", "contacts_text"),
    "search_rest_text": ("rest_text",),
}
TABLES = ALL_TABLE | TEXT_TABLES
_WORDS = "tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3'"
# Migration 3's tables, one per group; migration 4 copies them into search_all.
_V3_WORD_TABLES = {
    "search_names": ("name", "inner"),
    "search_pinyin": ("pinyin",),
    "search_people": ("company", "contacts"),
    "search_rest": ("rest",),
}
_TOKENIZERS = {
    **dict.fromkeys(_V3_WORD_TABLES, _WORDS),
    "search_pinyin": _WORDS.replace("'1 2 3'", "'1 2 3 4 5'"),
    # a mark and one to four characters: pinyin syllables share their first letters
    # (zhan… starts thousands of words), so four get their own doclists too; five and
    # more read the few terms that start so; no per-row column sizes (nothing ranks by
    # bm25). At 100,000 customers the book has no room for more (docs/PERFORMANCE.md).
    ALL_WORDS: _WORDS.replace("'1 2 3'", "'2 3 4 5', columnsize = 0"),
    **dict.fromkeys(TEXT_TABLES, "tokenize = 'trigram case_sensitive 1'"),
}


def _create(tables: dict[str, tuple[str, ...]]) -> str:
    return "\n".join(
        f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(columns)}, {_TOKENIZERS[table]});"
        for table, columns in tables.items()
    )


# Migration 3: the tables as they came then (their rows are written by migration 4).
SCHEMA = (
    _create(_V3_WORD_TABLES | TEXT_TABLES)
    + """
CREATE TABLE customer_search (
    customer_id INTEGER PRIMARY KEY,          -- no foreign key: refresh removes both rows
    text_rowid INTEGER NOT NULL UNIQUE,       -- its rowid in every search table
    sort_key TEXT NOT NULL,                   -- pinyin of the name, for lists
    name_key TEXT NOT NULL                    -- the name as searched (keys.normal)
);
CREATE INDEX customer_search_sort ON customer_search (sort_key, customer_id);
CREATE INDEX customer_search_name ON customer_search (name_key, text_rowid);
CREATE INDEX customers_live ON customers (id) WHERE archived_at IS NULL;
"""
)
ALL_SCHEMA = _create(ALL_TABLE)  # migrations 4 (without the marks) and 5
ID_BITS = 24
ID_MASK = (1 << ID_BITS) - 1
# The parts of a customer's search rows, each recomputed only when a change touches it:
# its name (words, pinyin, sort key), its company and contact people, and the rest.
NAME, PEOPLE, REST = "name", "people", "rest"
PARTS = frozenset({NAME, PEOPLE, REST})
PART_COLUMNS = {
    NAME: ("name", "inner", "pinyin", "name_text"),
    PEOPLE: ("company", "contacts", "company_text", "contacts_text"),
    REST: ("rest", "rest_text"),
}
# Customer fields the index reads (archiving is not one: lists filter it when they read).
_FIELD_PART = {
    "name": NAME, "kind": NAME, "company": PEOPLE,
    **dict.fromkeys(
        ("phones", "emails", "city", "province", "address", "industry", "wechat", "notes",
         "tags"),
        REST,
    ),
}  # fmt: skip
_CUSTOMER_FIELDS = ("name", "kind", "company", "phones", "emails", "city", "province",
                    "address", "industry", "wechat", "notes")  # fmt: skip
_CUSTOMER = (
    f"SELECT {', '.join(f'c.{field}' for field in _CUSTOMER_FIELDS)},"
    " (SELECT group_concat(name, ' ') FROM (SELECT t.name FROM tags t JOIN customer_tags ct"
    "  ON ct.tag_id = t.id WHERE ct.customer_id = c.id ORDER BY t.name COLLATE NOCASE)),"
    " f.last_contact_at"
    " FROM customers c LEFT JOIN customer_figures f ON f.customer_id = c.id WHERE c.id = ?"
)
# ... and where its rows are now (None: not indexed yet), in the same statement
_INDEXED_CUSTOMER = _CUSTOMER.replace(
    " FROM customers c", ", s.text_rowid FROM customers c"
).replace(" WHERE c.id", " LEFT JOIN customer_search s ON s.customer_id = c.id WHERE c.id")


def affected(entity: str, action: str, field: str | None) -> frozenset[str] | str | None:
    """What a change moves: the parts of the text the customer is found by (PARTS or
    some), "order" (only its recency), or None."""
    if entity == "customer":
        if action != "update":
            return PARTS
        part = _FIELD_PART.get(field or "")
        return frozenset({part}) if part else None
    if entity == "contact":
        return frozenset({PEOPLE, REST})  # contact names, and their phones and emails
    return "order" if entity == "interaction" else None


def refresh(db: sqlite3.Connection, customer_id: int, *, parts: frozenset[str] = PARTS) -> None:
    """Bring one customer's rows up to date (after its figures: recency comes from them).
    Only `parts` are computed again; with none, only its place in the recency order
    moves."""
    row = db.execute(_INDEXED_CUSTOMER, (customer_id,)).fetchone()
    if row is None:  # erased, or an add undone
        current = db.execute(
            "SELECT text_rowid FROM customer_search WHERE customer_id = ?", (customer_id,)
        ).fetchone()
        if current is not None:
            _remove(db, customer_id, current[0])
        return
    *row, current = row
    rowid = text_rowid(customer_id, row[-1])
    if current is None:
        _write(db, customer_id, rowid, row, None, PARTS)
        return
    if current != rowid:
        _move(db, customer_id, current, rowid)
    if parts:
        _write(db, customer_id, rowid, row, rowid, parts)


def text_rowid(customer_id: int, last_contact_at: str | None) -> int:
    if customer_id > ID_MASK:
        raise InvalidInput(_("This book holds more customers than search can index."))
    minutes = 0  # never contacted: after everyone who was
    if last_contact_at:
        minutes = max(int(datetime.fromisoformat(last_contact_at).timestamp()) // 60, 0)
    return minutes << ID_BITS | customer_id


PinyinOf = Callable[[str], tuple[str, ...]]


def _name_values(name: str, pinyin_of: PinyinOf) -> dict[str, str]:
    normal = keys.normal(name)
    return {
        "name": normal,
        "inner": keys.inner_starts(name),
        "pinyin": " ".join(pinyin_of(name)),  # normal already
        "name_text": normal,
    }


def _people_values(company: str, contact_names: list[str], pinyin_of: PinyinOf) -> dict[str, str]:
    company_text = keys.normal(company)
    contacts_text = keys.words(contact_names)
    return {
        "company": " ".join([company_text, *pinyin_of(company)]).strip(),
        "contacts": " ".join(
            filter(None, [contacts_text, *(f for n in contact_names for f in pinyin_of(n))])
        ),
        "company_text": company_text,
        "contacts_text": contacts_text,
    }


def _rest_values(phones: list[str], emails: list[str], others: list[str | None]) -> dict[str, str]:
    rest = keys.words([*keys.phone_forms(phones), *emails, *others])
    return {"rest": rest, "rest_text": rest}


def _contacts(db: sqlite3.Connection, customer_id: int, parts: frozenset[str]) -> list[Any]:
    if not parts & {PEOPLE, REST}:
        return []
    return db.execute(
        "SELECT name, phones, emails FROM contacts WHERE customer_id = ?", (customer_id,)
    ).fetchall()


def row_of(record: dict[str, Any]) -> tuple[Any, ...]:
    """A customer just inserted, never contacted, as _CUSTOMER reads it (but phones and
    emails as lists, not their column's JSON text; tags in SQLite's NOCASE order, not
    casefold's: Ärger before ähnlich): its search rows without reading it back."""
    _require_lists(record)
    return (
        *map(record.get, _CUSTOMER_FIELDS),
        " ".join(sorted(record.get("tags") or (), key=nocase)) or None,
        None,
    )


def _require_lists(record: dict[str, Any]) -> None:
    for field in ("phones", "emails"):
        value = record.get(field)
        if not isinstance(value, list):  # JSON text, say: not a record
            raise TypeError(f"{field} must be a list, not {type(value).__name__}")


def _listed(value: str | list[Any]) -> list[Any]:
    """Phones or emails: a column's JSON text, or a record's list."""
    return jsontext.decode(value) if isinstance(value, str) else value


def _values_of(row: Sequence[Any], contacts: list[Any], parts: frozenset[str]) -> dict[str, str]:
    name, _kind, company, phones, emails, *places, wechat, notes, tags, _recency = row
    values: dict[str, str] = {}
    # A company customer's name is its company too: its pinyin is worked out once. (Kept
    # for this customer only: a cache across customers would hold names after a lock.)
    pinyin_of = _memo(keys.pinyin_forms)
    if NAME in parts:
        values |= _name_values(name, pinyin_of)
    if PEOPLE in parts:
        values |= _people_values(company or "", [c[0] for c in contacts], pinyin_of)
    if REST in parts:
        all_phones = _listed(phones) + [p for c in contacts for p in _listed(c[1])]
        all_emails = _listed(emails) + [e for c in contacts for e in _listed(c[2])]
        values |= _rest_values(all_phones, all_emails, [*places, wechat, tags, notes])
    for column in COLUMN_MARKS.keys() & values.keys():
        values[column] = keys.marked(values[column], COLUMN_MARKS[column])
    return values


def _memo(work: PinyinOf) -> PinyinOf:
    """`work` remembering its answers while it lives (functools.cache costs more to make
    than this saves on one customer)."""
    answers: dict[str, tuple[str, ...]] = {}

    def remembered(text: str) -> tuple[str, ...]:
        found = answers.get(text)
        if found is None:
            found = answers[text] = work(text)
        return found

    return remembered


def refresh_many(
    db: sqlite3.Connection,
    parts_of: dict[int, frozenset[str]],
    inserted: dict[int, tuple[Any, ...]] | None = None,
    searched: dict[int, Searched] | None = None,
) -> None:
    """`refresh` for many customers; those not indexed yet (an import's new customers)
    are read with one statement and written with one executemany per table. `inserted`:
    customers just made, nothing else of them changed, as `row_of` gives them (their
    rows come from these: reading them and their contacts back took a tenth of adding a
    customer). `searched`: new customers' words, worked out already (`searched_all`)."""
    if len(parts_of) == 1 and not searched:  # an everyday write: no need to ask more
        ((customer_id, parts),) = parts_of.items()
        row = (inserted or {}).get(customer_id)
        if row is None:
            refresh(db, customer_id, parts=parts)
        else:  # new: no search rows yet, no contact people, never contacted
            _write(db, customer_id, text_rowid(customer_id, None), row, None, PARTS, [])
        return
    ids = json.dumps(list(parts_of))
    indexed = {
        r[0]
        for r in db.execute(
            "SELECT customer_id FROM customer_search"
            " WHERE customer_id IN (SELECT value FROM json_each(?))",
            (ids,),
        )
    }
    for customer_id, parts in parts_of.items():
        if customer_id in indexed:
            refresh(db, customer_id, parts=parts)
    new = {i: found for i, found in (searched or {}).items() if i in parts_of and i not in indexed}
    written = _write_searched_new(db, new) if new else 0
    if len(indexed) + written < len(parts_of):
        _write_new(db, ids)


def _write_searched_new(db: sqlite3.Connection, searched: dict[int, Searched]) -> int:
    """The rows of new customers whose words are worked out, at their recency (those
    that are still there); returns how many."""
    recency = db.execute(
        "SELECT c.id, f.last_contact_at FROM customers c"
        " LEFT JOIN customer_figures f ON f.customer_id = c.id"
        " WHERE c.id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(searched)),),
    ).fetchall()
    _write_rows(db, [(i, text_rowid(i, last), searched[i]) for i, last in recency])
    return len(recency)


def _write_new(db: sqlite3.Connection, ids: str) -> None:
    """Rows for the customers in `ids` (JSON) that have none yet: computed in chunks (by
    worker processes when there are many) and each chunk written as it comes."""
    unindexed = (
        " IN (SELECT value FROM json_each(?) EXCEPT SELECT customer_id FROM customer_search)"
    )
    people: dict[int, list[tuple[Any, ...]]] = {}
    for owner, *contact in db.execute(
        f"SELECT customer_id, name, phones, emails FROM contacts WHERE customer_id{unindexed}",
        (ids,),
    ):
        people.setdefault(owner, []).append(tuple(contact))
    found = [
        (tuple(row), people.get(row[0], []))
        for row in db.execute(
            _CUSTOMER.replace("SELECT c.name", "SELECT c.id, c.name").replace(
                "WHERE c.id = ?", f"WHERE c.id{unindexed}"
            ),
            (ids,),
        )
    ]
    way = workers.spread(len(found), _CHUNK, _WORKERS_FROM, _FORKED_FROM)
    chunks = workers.chunked(found, way.chunk)
    answers = workers.map_chunks(_new_rows, chunks, way.workers, forked=way.forked)
    with _merged_at_the_end(db, len(found) >= _MERGE_AT_END_FROM):
        for rows in answers:
            _write_rows(db, rows)


def _write_rows(db: sqlite3.Connection, rows: list[tuple[int, int, Searched]]) -> None:
    """New customers' rows, (customer id, rowid, words): one executemany per table."""
    for position, table in enumerate(TABLES):
        db.executemany(_INSERT_ROW[table], [(rowid, *s[0][position]) for _i, rowid, s in rows])
    db.executemany(
        "INSERT INTO customer_search (customer_id, text_rowid, sort_key, name_key)"
        " VALUES (?, ?, ?, ?)",
        [(i, rowid, *s[1:]) for i, rowid, s in rows],
    )


_MERGE_AT_END_FROM = 5000  # new customers
_MERGING = {"automerge": 4, "crisismerge": 16}  # FTS5's defaults, which custbook keeps


@contextmanager
def _merged_at_the_end(db: sqlite3.Connection, bulk: bool) -> Iterator[None]:
    """For many new rows, FTS5's merging of index segments waits until they are all in,
    then merges everything into one segment ('optimize'): half the time of merging as
    they come (100,000 customers: 9.5 s against 18 s), and the fastest index to read.
    Other writes keep FTS5's incremental merging."""
    if not bulk:
        yield
        return
    for table in TABLES:
        _set_merging(db, table, automerge=0, crisismerge=1000)  # FTS5 allows 2000 segments
    try:
        yield
    finally:
        for table in TABLES:
            _set_merging(db, table, **_MERGING)
    for table in TABLES:
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


def _set_merging(db: sqlite3.Connection, table: str, **settings: int) -> None:
    for name, value in settings.items():
        db.execute(f"INSERT INTO {table} ({table}, rank) VALUES (?, ?)", (name, value))


_CHUNK = 2000  # customers whose search rows are computed and written at a time
_WORKERS_FROM = 5000  # customers (workers.spread), or when workers are forked:
_FORKED_FROM = 400
# A customer's words: each search table's values (TABLES' order), its sort key and name key
Searched = tuple[tuple[tuple[str, ...], ...], str, str]
# A customer as _CUSTOMER reads it, with its contact people (name, phones, emails)
Unsearched = tuple[tuple[Any, ...], list[tuple[Any, ...]]]
WordsLater = workers.Later[Unsearched, list[Searched]]  # searched_all, begun in a child


def forked_for(count: int) -> bool:
    """Whether the words of `count` new customers are worked out with a forked child
    (`workers.spread`): so an import does it while it writes their records."""
    return workers.spread(count, _CHUNK, _WORKERS_FROM, _FORKED_FROM).forked


def unsearched(record: dict[str, Any], contacts: list[dict[str, Any]]) -> Unsearched:
    """A customer about to be inserted, with its contact people, as `searched_all`
    takes them."""
    for contact in contacts:
        _require_lists(contact)
    people = [(c["name"], c["phones"], c["emails"]) for c in contacts]
    return row_of(record), people


def searched_all(chunk: Sequence[Unsearched]) -> list[Searched]:
    """The words of customers (pure: it runs in a forked child too)."""
    return [_searched(row, contacts) for row, contacts in chunk]


def _searched(row: Sequence[Any], contacts: list[Any]) -> Searched:
    values = _values_of(row, contacts, PARTS)
    name = row[0]
    return (
        tuple(tuple(values[c] for c in columns) for columns in TABLES.values()),
        keys.sort_key(name, person=row[1] == "person"),
        keys.normal(name),
    )


def _new_rows(
    chunk: Sequence[tuple[tuple[Any, ...], list[tuple[Any, ...]]]],
) -> list[tuple[int, int, Searched]]:
    """(customer id, rowid, words) of customers read with their id first and their
    contacts (pure: it runs in a worker process too)."""
    return [
        (customer_id, text_rowid(customer_id, row[-1]), _searched(row, contacts))
        for (customer_id, *row), contacts in chunk
    ]


def _write(
    db: sqlite3.Connection,
    customer_id: int,
    rowid: int,
    row: Sequence[Any],
    old: int | None,
    parts: frozenset[str],
    contacts: list[Any] | None = None,
) -> None:
    """Write the tables that hold a column of `parts` (over the row at `old`, if any):
    a city edit leaves the name's pinyin and the name and company trigrams as they are.
    An UPDATE of some columns has FTS5 read the others itself (one statement, where
    reading them, deleting the row and inserting it again took three). `contacts`: the
    customer's contact people, when known (else read)."""
    if contacts is None:
        contacts = _contacts(db, customer_id, parts)
    values = _values_of(row, contacts, parts)
    for table, columns in TABLES.items():
        changed = [*filter(values.__contains__, columns)]
        if not changed:
            continue
        if old is not None:
            settings = ", ".join(f"{c} = ?" for c in changed)
            db.execute(
                f"UPDATE {table} SET {settings} WHERE rowid = ?",
                (*map(values.__getitem__, changed), old),
            )
            continue
        db.execute(_INSERT_ROW[table], (rowid, *map(values.__getitem__, columns)))
    if NAME in parts:
        name, kind = row[0], row[1]
        db.execute(
            "INSERT INTO customer_search (customer_id, text_rowid, sort_key, name_key)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET"
            " text_rowid = excluded.text_rowid, sort_key = excluded.sort_key,"
            " name_key = excluded.name_key",
            (customer_id, rowid, keys.sort_key(name, person=kind == "person"), keys.normal(name)),
        )


_INSERT_ROW = {
    table: f"INSERT INTO {table} (rowid, {', '.join(columns)})"
    f" VALUES (?, {', '.join('?' for _ in columns)})"
    for table, columns in TABLES.items()
}


def _move(db: sqlite3.Connection, customer_id: int, old: int, new: int) -> None:
    for table, columns in TABLES.items():
        names = ", ".join(columns)
        db.execute(
            f"INSERT INTO {table} (rowid, {names}) SELECT ?, {names} FROM {table} WHERE rowid = ?",
            (new, old),
        )
        db.execute(f"DELETE FROM {table} WHERE rowid = ?", (old,))
    db.execute(
        "UPDATE customer_search SET text_rowid = ? WHERE customer_id = ?", (new, customer_id)
    )


def _remove(db: sqlite3.Connection, customer_id: int, rowid: int) -> None:
    for table in TABLES:
        db.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
    db.execute("DELETE FROM customer_search WHERE customer_id = ?", (customer_id,))


def resort(db: sqlite3.Connection) -> None:
    """Sort keys as `keys.sort_key` makes them now, written where they differ from the
    old ones: migration 6 (two-character words read as words, 重庆 chong qing) and 7
    (other characters as words, Cindy Xie among the C names)."""
    found = db.execute(
        "SELECT c.id, c.name, c.kind, s.sort_key FROM customers c"
        " JOIN customer_search s ON s.customer_id = c.id"
    ).fetchall()
    db.executemany(
        "UPDATE customer_search SET sort_key = ? WHERE customer_id = ?",
        [
            (new, customer_id)
            for customer_id, name, kind, old in found
            if (new := keys.sort_key(name, person=kind == "person")) != old
        ],
    )


def purge(db: sqlite3.Connection) -> None:
    """Merge the index so nothing of deleted rows stays in it (FTS5 keeps a deleted row's
    terms in older segments until they merge): after an erase."""
    for table in TABLES:
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


def add_all_words(db: sqlite3.Connection) -> None:
    """Migration 4: `search_all` in place of migration 3's table per column group, copied
    from them (with the marks) when they hold rows (a book indexed then), else every
    customer indexed afresh. The words wait in a TEMP table (memory, outside the book)
    while the old tables go, so a book near the size limit never holds both."""
    if db.execute("SELECT 1 FROM customer_search LIMIT 1").fetchone() is None:
        _drop_v3(db)
        db.execute(ALL_SCHEMA)
        rebuild(db)
        return
    first, *others = _V3_WORD_TABLES
    joined = first + "".join(f" JOIN {t} ON {t}.rowid = {first}.rowid" for t in others)
    names = ", ".join(ALL_TABLE[ALL_WORDS])
    db.execute(
        f"CREATE TEMP TABLE words_before AS SELECT {first}.rowid AS id, {names} FROM {joined}"
    )
    _drop_v3(db)
    _write_marked(db)


def mark_words(db: sqlite3.Connection) -> None:
    """Migration 5: a search_all written without the marks (by migration 4 before they
    came) is written again with them."""
    created = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (ALL_WORDS,)).fetchone()[0]
    for table in _V3_WORD_TABLES:  # left beside search_all by an early build of migration 4
        db.execute(f"DROP TABLE IF EXISTS {table}")
    if created.strip().rstrip(";") == ALL_SCHEMA.strip().rstrip(";"):
        return  # made by this version's migration 4: marked already
    names = ", ".join(ALL_TABLE[ALL_WORDS])
    db.execute(f"CREATE TEMP TABLE words_before AS SELECT rowid AS id, {names} FROM {ALL_WORDS}")
    db.execute(f"DROP TABLE {ALL_WORDS}")
    _write_marked(db)


def _write_marked(db: sqlite3.Connection) -> None:
    """search_all afresh from temp.words_before (unmarked words), each word marked."""
    db.execute(ALL_SCHEMA)
    columns = ALL_TABLE[ALL_WORDS]
    insert = (
        f"INSERT INTO {ALL_WORDS} (rowid, {', '.join(columns)})"
        f" VALUES (?, {', '.join('?' for _ in columns)})"
    )
    rows = db.execute(f"SELECT id, {', '.join(columns)} FROM temp.words_before ORDER BY id")
    db.executemany(
        insert,
        (
            (
                row[0],
                *(
                    keys.marked(text or "", COLUMN_MARKS[c])
                    for c, text in zip(columns, row[1:], strict=True)
                ),
            )
            for row in rows.fetchall()
        ),
    )
    db.execute("DROP TABLE temp.words_before")


def _drop_v3(db: sqlite3.Connection) -> None:
    for table in _V3_WORD_TABLES:
        db.execute(f"DROP TABLE {table}")


def rebuild(db: sqlite3.Connection) -> int:
    """Every customer's rows written afresh (a migration, `custbook rebuild`)."""
    with transaction(db):
        for table in (*TABLES, "customer_search"):
            db.execute(f"DELETE FROM {table}")
        ids = [r[0] for r in db.execute("SELECT id FROM customers ORDER BY id")]
        for customer_id in ids:
            refresh(db, customer_id)
        purge(db)
    return len(ids)


def kept(db: sqlite3.Connection) -> list[tuple[object, ...]]:
    """Every row of the index, for comparing with a rebuild."""
    found: list[tuple[object, ...]] = []
    for table, columns in TABLES.items():
        names = ", ".join(columns)
        found += [tuple(r) for r in db.execute(f"SELECT rowid, {names} FROM {table} ORDER BY 1")]
    return found + [tuple(r) for r in db.execute("SELECT * FROM customer_search ORDER BY 1")]
