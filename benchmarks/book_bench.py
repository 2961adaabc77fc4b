"""How long the customer book's everyday operations take, against bare sqlite3 doing the same.

    uv run python benchmarks/book_bench.py [--sizes 1000,10000,100000] [--repeat 20]

For each size an in-memory book (`Book.in_memory`, a fixed clock) is filled with
`fill_demo_book` through the services, then each operation runs `--repeat` times. Beside
each custbook figure is its floor: bare SQL doing the same writes or reads on the same
connection (`book.db`), right after or before it in the same run; the goal is judged by
the median of the runs' ratios, each two as one (see the notes it prints). Nothing here asserts
a timing; the goals below are printed, not enforced.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from pathlib import Path
from typing import Any

from bench_common import Runs, fmt_s, machine_table, timed
from rich.console import Console
from rich.table import Table

from custbook.book import figures, insight, listing
from custbook.book.agenda import DEFAULT_CADENCE, SHOWN, UPCOMING_DAYS
from custbook.book.book import Book
from custbook.book.demo import fill_demo_book
from custbook.book.search import index as search_index
from custbook.vault import create_book, unlock_book
from custbook.vault.format import MAX_IMAGE_BYTES

TODAY = date(2025, 6, 16)
TZ = timezone(timedelta(hours=8))
NOW = datetime.datetime(2025, 6, 16, 9, 30, tzinfo=TZ)
SOURCE = "bench"
PAGE = 50
GOAL_RATIO = 2.0
GOAL_READ_S = 0.020  # agenda and page, at 100k

console = Console(width=None if sys.stdout.isatty() else 150)


def fixed_clock() -> datetime.datetime:
    return NOW


class RunClock:
    """The measured book's clock: still within a run, a few minutes on for the next, so
    every run's log is the customer's newest contact (custbook's at an even minute, the
    floor's at the odd one after) and both move its search rows to the new recency. With
    one clock, only the first log moved them, and the floor's, which did, left them where
    the figures did not say, so custbook's next edit moved them back (measured in
    sessions 1-5: edit 3.5-4.3×, log 0.7-0.9×)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime.datetime:
        return self.now

    def run(self, index: int, *, floor_first: bool) -> datetime.datetime:
        """Run `index`'s time for custbook; returns the floor's, a minute after (or, when
        the floor goes first, a minute before)."""
        start = NOW + timedelta(minutes=2 * index)
        self.now = start + timedelta(minutes=1) if floor_first else start
        return start if floor_first else start + timedelta(minutes=1)


# ---------------------------------------------------------------- timing helpers


# ---------------------------------------------------------------- filling


@dataclass
class Filled:
    book: Book
    customers: int
    summary: dict[str, int]
    fill_s: float
    db_bytes: int
    change_rows: int


def fill(customers: int) -> Filled:
    """A demo book of `customers`, with progress every tenth (counted via create calls)."""
    book = Book.in_memory(clock=RunClock())
    create = book.customers.create
    began = time.perf_counter()
    step = max(customers // 10, 1)
    made = 0

    def counting_create(values: Any, *, source: str) -> Any:
        nonlocal made
        made += 1
        if customers >= 10_000 and made % step == 0:
            elapsed = time.perf_counter() - began
            console.print(
                f"[dim]  filled {made:,}/{customers:,} customers in {elapsed:.0f} s"
                f" ({made / elapsed:,.0f}/s)[/dim]"
            )
        return create(values, source=source)

    book.customers.create = counting_create  # type: ignore[method-assign]
    try:
        fill_s, summary = timed(lambda: fill_demo_book(book, customers=customers, today=TODAY))
    finally:
        del book.customers.create  # back to the class's method
    db = book.db
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    db_bytes = page_size * db.execute("PRAGMA page_count").fetchone()[0]
    change_rows = db.execute("SELECT count(*) FROM changes").fetchone()[0]
    return Filled(book, customers, dict(summary.__dict__), fill_s, db_bytes, change_rows)


# ---------------------------------------------------------------- the bare floor


# The floors write the same rows as custbook does: the record, its change set and change
# rows (the JSON made beforehand), and the figures refresh custbook runs (figures.REFRESH_SQL
# where the figures can move). What they leave out is Python: validation, reading back,
# building the records returned.


BENCH_PASSPHRASE = "bench passphrase"


def book_file(customers: int, folder: Path) -> Path:
    """An encrypted demo book of `customers` in `folder` (real KDF parameters), filled
    unless a file from an earlier run (--keep) is there already."""
    path = folder / f"bench-{customers}.cbk"
    if not path.exists():
        filled = fill(customers)
        fit_in_a_book(filled.book.db)
        vault = create_book(path, BENCH_PASSPHRASE, clock=fixed_clock)
        vault.db.deserialize(filled.book.db.serialize())
        vault.save()
        vault.close()
        filled.book.db.close()
    return path


def fit_in_a_book(db: sqlite3.Connection) -> None:
    """A demo book over what a book holds (1 GiB: 100,000 demo customers took 1,084 MB
    in session 11) is saved without the change history of its filling, 43% of its bytes:
    searching and showing it read none of it."""
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    if page_size * db.execute("PRAGMA page_count").fetchone()[0] <= MAX_IMAGE_BYTES:
        return
    console.print("[dim]  over a book's 1 GiB: saved without the history of its filling[/dim]")
    db.execute("PRAGMA foreign_keys = OFF")  # each deleted set's check scanned them all
    db.execute("DELETE FROM changes")
    db.execute("DELETE FROM change_sets")
    db.commit()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("VACUUM")


def opened(path: Path) -> sqlite3.Connection:
    """The book's database, read-only, upgraded in memory if an older custbook wrote it."""
    vault = unlock_book(path, BENCH_PASSPHRASE, write=False, clock=fixed_clock)
    return Book(vault.db, clock=fixed_clock).db


def floor_change_set(
    db: sqlite3.Connection, kind: str = "change", undoes: int | None = None
) -> int:
    cursor = db.execute(
        "INSERT INTO change_sets (made_at, source, kind, undoes) VALUES (?, ?, ?, ?)",
        (NOW.isoformat(timespec="seconds"), SOURCE, kind, undoes),
    )
    return cursor.lastrowid or 0


def floor_change(
    db: sqlite3.Connection, change_set: int, entity: str, entity_id: int, customer_id: int,
    action: str = "create", field: str | None = None, before: str | None = None,
    after: str | None = None,
) -> None:  # fmt: skip
    db.execute(
        "INSERT INTO changes (change_set_id, entity, entity_id, customer_id, action, field,"
        " before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (change_set, entity, entity_id, customer_id, action, field, before, after),
    )


@dataclass(frozen=True)
class SearchRows:
    """A customer's search rows as custbook wrote them, for the floor to write again."""

    content: dict[str, tuple[Any, ...]]  # search table -> its column values
    keys: tuple[str, str]  # sort_key, name_key

    @classmethod
    def of(cls, db: sqlite3.Connection, customer_id: int) -> SearchRows:
        rowid, sort_key, name_key = db.execute(
            "SELECT text_rowid, sort_key, name_key FROM customer_search WHERE customer_id = ?",
            (customer_id,),
        ).fetchone()
        content = {table: _content(db, table, rowid) for table in search_index.TABLES}
        return cls(content, (sort_key, name_key))


def _content(db: sqlite3.Connection, table: str, rowid: int) -> tuple[Any, ...]:
    names = ", ".join(search_index.TABLES[table])
    return tuple(db.execute(f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,)).fetchone())


# An edit of the rest (a city) rewrites only the tables holding a column of it
REST_TABLES = tuple(
    table
    for table, columns in search_index.TABLES.items()
    if set(columns) & set(search_index.PART_COLUMNS[search_index.REST])
)


def floor_search_write(
    db: sqlite3.Connection,
    customer_id: int,
    rowid: int,
    rows: SearchRows,
    *,
    new: bool,
    tables: tuple[str, ...] = tuple(search_index.TABLES),
) -> None:
    """The search rows of `tables` written afresh (deleted first unless `new`), as
    index._write does; the sort key too for a new row."""
    for table in tables:
        values = rows.content[table]
        if not new:
            db.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
        names = ", ".join(search_index.TABLES[table])
        marks = ", ".join("?" for _ in values)
        db.execute(f"INSERT INTO {table} (rowid, {names}) VALUES (?, {marks})", (rowid, *values))
    if not new:
        return
    db.execute(
        "INSERT INTO customer_search (customer_id, text_rowid, sort_key, name_key)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET"
        " text_rowid = excluded.text_rowid, sort_key = excluded.sort_key,"
        " name_key = excluded.name_key",
        (customer_id, rowid, *rows.keys),
    )


def floor_search_move(db: sqlite3.Connection, customer_id: int, new: int) -> None:
    """The search rows moved to a new recency, as index._move does."""
    (old,) = db.execute(
        "SELECT text_rowid FROM customer_search WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    for table, columns in search_index.TABLES.items():
        names = ", ".join(columns)
        db.execute(
            f"INSERT INTO {table} (rowid, {names}) SELECT ?, {names} FROM {table} WHERE rowid = ?",
            (new, old),
        )
        db.execute(f"DELETE FROM {table} WHERE rowid = ?", (old,))
    db.execute(
        "UPDATE customer_search SET text_rowid = ? WHERE customer_id = ?", (new, customer_id)
    )


def floor_create(
    db: sqlite3.Connection, values: dict[str, Any], snapshot: str, rows: SearchRows
) -> int:
    """The same customer as custbook stores it (phones already normalised), one commit."""
    now = NOW.isoformat(timespec="seconds")
    db.execute("BEGIN")
    change_set = floor_change_set(db)
    cursor = db.execute(
        "INSERT INTO customers (kind, name, company, city, phones, emails, grade, stage,"
        " custom_fields, do_not_contact, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', 0, ?, ?)",
        (
            values["kind"],
            values["name"],
            values["company"],
            values["city"],
            json.dumps([{"typed": values["phones"][0], "e164": "+86" + values["phones"][0]}]),
            json.dumps(values["emails"]),
            values["grade"],
            values["stage"],
            now,
            now,
        ),
    )
    customer_id = cursor.lastrowid or 0
    floor_change(db, change_set, "customer", customer_id, customer_id, after=snapshot)
    db.execute(figures.REFRESH_SQL, {"id": customer_id})
    floor_search_write(db, customer_id, customer_id, rows, new=True)  # never contacted
    db.commit()
    return customer_id


def floor_log(
    db: sqlite3.Connection,
    customer_id: int,
    subject: str,
    due: date,
    snapshots: tuple[str, str],
    logged_at: datetime.datetime,
) -> None:
    now = logged_at.isoformat(timespec="seconds")
    db.execute("BEGIN")
    change_set = floor_change_set(db)
    cursor = db.execute(
        "INSERT INTO interactions (customer_id, kind, happened_at, subject, created_at)"
        " VALUES (?, 'call', ?, ?, ?)",
        (customer_id, now, subject, now),
    )
    entity_id = cursor.lastrowid or 0
    floor_change(db, change_set, "interaction", entity_id, customer_id, after=snapshots[0])
    cursor = db.execute(
        "INSERT INTO reminders (customer_id, kind, title, due, created_at)"
        " VALUES (?, 'follow-up', ?, ?, ?)",
        (customer_id, f"Follow up: {subject}", due.isoformat(), now),
    )
    entity_id = cursor.lastrowid or 0
    floor_change(db, change_set, "reminder", entity_id, customer_id, after=snapshots[1])
    db.execute(figures.REFRESH_SQL, {"id": customer_id})  # the newest contact: now
    floor_search_move(db, customer_id, search_index.text_rowid(customer_id, now))
    db.commit()


def floor_set_city(
    db: sqlite3.Connection,
    customer_id: int,
    before: str,
    city: str,
    rows: SearchRows,
    undoes: int | None = None,
) -> int:
    """An edit of the city (or, with `undoes`, the undo of one)."""
    db.execute("BEGIN")
    change_set = floor_change_set(db, "undo" if undoes else "change", undoes)
    db.execute(
        "UPDATE customers SET city = ?, updated_at = ? WHERE id = ?",
        (city, NOW.isoformat(timespec="seconds"), customer_id),
    )
    floor_change(
        db, change_set, "customer", customer_id, customer_id, "update", "city",
        json.dumps(before, ensure_ascii=False), json.dumps(city, ensure_ascii=False),
    )  # fmt: skip
    if undoes:
        db.execute("UPDATE change_sets SET undone_by = ? WHERE id = ?", (change_set, undoes))
    (rowid,) = db.execute(
        "SELECT text_rowid FROM customer_search WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    floor_search_write(db, customer_id, rowid, rows, new=False, tables=REST_TABLES)
    db.commit()
    return change_set


def floor_agenda(db: sqlite3.Connection, today: date) -> list[list[Any]]:
    """agenda.py's reads as bare SQL: each list's first SHOWN and its count, no Python."""
    found: list[list[Any]] = []
    tomorrow = (today + timedelta(days=1)).isoformat()
    horizon = (today + timedelta(days=UPCOMING_DAYS + 1)).isoformat()
    wakes = "coalesce(r.snoozed_until, r.due)"
    for bounds in (("", today.isoformat()), (today.isoformat(), tomorrow), (tomorrow, horizon)):
        found.append(
            db.execute(
                "SELECT r.id, r.title, r.kind, r.due, r.snoozed_until, r.repeat_rule,"
                " r.customer_id, c.name FROM reminders r INDEXED BY reminders_open_wakes"
                " LEFT JOIN customers c ON c.id = r.customer_id"
                f" WHERE r.done_at IS NULL AND {wakes} >= ? AND {wakes} < ?"
                f" ORDER BY {wakes}, r.id LIMIT {SHOWN}",
                bounds,
            ).fetchall()
        )
        found.append(
            db.execute(
                "SELECT count(*) FROM reminders r INDEXED BY reminders_open_wakes"
                f" WHERE r.done_at IS NULL AND {wakes} >= ? AND {wakes} < ?",
                bounds,
            ).fetchall()
        )
    watched = "f.watch_grade = ? AND f.silent_since < ?"
    for grade, days in sorted(DEFAULT_CADENCE.items()):
        arguments = (grade, (today - timedelta(days=days)).isoformat())
        found.append(
            db.execute(
                f"SELECT count(*) FROM customer_figures f WHERE {watched}", arguments
            ).fetchall()
        )
        found.append(
            db.execute(
                "SELECT c.id, c.name, c.company, c.grade, f.last_contact_at, f.silent_since"
                " FROM customer_figures f JOIN customers c ON c.id = f.customer_id"
                f" WHERE {watched} ORDER BY f.silent_since LIMIT {SHOWN}",
                arguments,
            ).fetchall()
        )
    unpaid = " FROM orders o WHERE o.status = 'open' AND o.payment_due < ?"
    found.append(db.execute(f"SELECT count(*){unpaid}", (today.isoformat(),)).fetchall())
    found.append(
        db.execute(
            "SELECT o.id, o.customer_id, c.name, o.product, o.amount_minor, o.currency,"
            " o.payment_due FROM orders o JOIN customers c ON c.id = o.customer_id"
            " WHERE o.status = 'open' AND o.payment_due < ?"
            f" ORDER BY o.payment_due, o.id LIMIT {SHOWN}",
            (today.isoformat(),),
        ).fetchall()
    )
    month_days = sorted({(today + timedelta(days=n)).strftime("%m-%d") for n in range(8)})
    marks = ", ".join("?" for _ in month_days)
    for table, who in (("customers", "id"), ("contacts", "customer_id")):
        found.append(
            db.execute(
                f"SELECT {who}, name, birthday FROM {table}"
                f" WHERE birthday IS NOT NULL AND substr(birthday, -5) IN ({marks})",
                month_days,
            ).fetchall()
        )
    return found


def floor_page(db: sqlite3.Connection, after: tuple[str, int]) -> list[Any]:
    """listing.page's reads as bare SQL: the page by key, its tags and revenue months, and
    the revenue thresholds (recomputed, as after any write)."""
    found = db.execute(
        "SELECT c.id, c.name, c.company, c.city, c.grade, c.stage, c.archived_at,"
        " s.sort_key, f.* FROM customer_search s INDEXED BY customer_search_sort"
        " JOIN customers c ON c.id = s.customer_id"
        " LEFT JOIN customer_figures f ON f.customer_id = c.id WHERE (c.archived_at IS NULL)"
        " AND (s.sort_key, s.customer_id) > (?, ?) ORDER BY s.sort_key, s.customer_id LIMIT ?",
        (*after, PAGE),
    ).fetchall()
    ids = [row[0] for row in found]
    marks = ", ".join("?" for _ in ids)
    tags = db.execute(
        "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
        f" WHERE ct.customer_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
        ids,
    ).fetchall()
    months = db.execute(
        "SELECT customer_id, month, revenue_minor FROM customer_revenue_months"
        f" WHERE customer_id IN ({marks}) AND month >= ?",
        (*ids, insight.Judge(TODAY, {}, (0, 0)).revenue_since),
    ).fetchall()
    count = db.execute("SELECT count(*) FROM customer_figures").fetchone()[0]
    thresholds = [
        db.execute(
            "SELECT revenue_minor FROM customer_figures ORDER BY revenue_minor DESC"
            " LIMIT 1 OFFSET ?",
            (max(rank - 1, 0),),
        ).fetchone()
        for rank in (count // 5, count // 2)
    ]
    return [found, tags, months, thresholds]


def new_customer(n: int) -> dict[str, Any]:
    phone = f"139{n % 100_000_000:08d}"
    return {
        "kind": "company",
        "name": f"基准测试有限公司 {n}",
        "company": f"基准测试有限公司 {n}",
        "city": "杭州",
        "phones": [phone],
        "emails": [f"sales{n}@bench.example.com"],
        "grade": "B",
        "stage": "prospect",
    }


OPERATIONS = (
    ("create", "add a customer (customers.create)"),
    ("log", "log + follow-up (activity.log)"),
    ("edit", "edit one field (customers.edit)"),
    ("undo", "undo that edit (book.undo)"),
    ("agenda", "agenda (book.agenda)"),
    ("page", f"a page of {PAGE} with figures + insight"),
)
FLOOR_TEXT = {
    "create": "the same rows: customer, change set, change, figures, search; commit",
    "log": "the same rows: interaction, reminder, change set, 2 changes, figures, search "
    "moved; commit",
    "edit": "the same rows: UPDATE customers, change set, change, search (words, rest "
    "trigrams); commit",
    "undo": "the same rows: UPDATE back, change set, change, undone_by, search (words, rest "
    "trigrams); commit",
    "agenda": "agenda's SELECTs (first 50 + counts), fetchall",
    "page": "listing.page's SELECTs (page by key, tags, months, thresholds), fetchall",
}


def measure(filled: Filled, repeat: int) -> Runs:
    """Each run: every operation through custbook and as its floor, on the same
    connection; who goes first alternates run by run."""
    book, db = filled.book, filled.book.db
    runs = Runs({})
    middle = filled.customers // 2
    target = db.execute(
        "SELECT id FROM customers ORDER BY id LIMIT 1 OFFSET ?", (middle,)
    ).fetchone()[0]
    name, key_id = db.execute(
        "SELECT sort_key, customer_id FROM customer_search ORDER BY sort_key, customer_id"
        " LIMIT 1 OFFSET ?",
        (middle,),
    ).fetchone()
    due = TODAY + timedelta(days=14)
    shapes = Shapes(floor_customers(repeat), edited_cities(book, target, repeat))
    for index in range(repeat):
        measure_once(book, runs, Run(index, target, (name, key_id), due), shapes)
    return runs


def last_snapshots(db: sqlite3.Connection) -> list[str]:
    """The JSON custbook's last change set stored, for the floor to write the same bytes."""
    return [
        r[0]
        for r in db.execute(
            "SELECT after FROM changes WHERE change_set_id = (SELECT max(id) FROM change_sets)"
            " ORDER BY id"
        )
    ]


@dataclass(frozen=True)
class Run:
    index: int
    target: int  # the customer logged to and edited
    key: tuple[str, int]  # where the page starts
    due: date  # the log's follow-up

    @property
    def floor_first(self) -> bool:
        """Every other run the floor goes first: the second of two writes finds the
        pages and caches the first just used warm (measured: the floor's add 720 µs going
        first, 580 µs going second), and so did every floor while custbook always led."""
        return self.index % 2 == 1


@dataclass
class Shapes:
    """What the floor writes again: the JSON of custbook's latest log (the previous
    run's, when the floor goes first: the same shape and size), and, for each run's
    add, the rows custbook writes for the floor's own new customer (`floor_customers`)."""

    created: list[tuple[str, SearchRows]]
    edited: list[SearchRows]  # the edited customer's rows with each run's new city
    logged: tuple[str, ...] = ()


def floor_customers(repeat: int) -> list[tuple[str, SearchRows]]:
    """The snapshot and search rows custbook writes for each run's floor customer, made
    beforehand in a scratch book: the floor writes its own customer's words, new to the
    index as custbook's are. (Until session 11 it wrote a copy of custbook's own rows,
    whose every term was already there: 12% less work for it, measured in a tight loop.)
    Made before any run, so that no run finds custbook's code warmed by it."""
    scratch = Book.in_memory(clock=fixed_clock)
    found = []
    for index in range(repeat):
        made = scratch.customers.create(floor_customer(index), source=SOURCE)
        (snapshot,) = last_snapshots(scratch.db)
        found.append((snapshot, SearchRows.of(scratch.db, made.id)))
    scratch.db.close()
    return found


def floor_customer(index: int) -> dict[str, Any]:
    return new_customer(1_500_000 + index)


def new_city(index: int) -> str:
    return f"基准市{index}"


def edited_cities(book: Book, customer_id: int, repeat: int) -> list[SearchRows]:
    """The customer's search rows with each run's new city, as custbook's edit writes
    them (checked against a real edit, then undone): the floor's edit writes the new
    city's words, as custbook's does. Made before any run, by the index's own code."""
    db = book.db
    row = list(db.execute(search_index._CUSTOMER, (customer_id,)).fetchone())
    contacts = search_index._contacts(db, customer_id, search_index.PARTS)
    city_at = search_index._CUSTOMER_FIELDS.index("city")
    found = []
    for index in range(repeat):
        row[city_at] = new_city(index)
        tables, *keys = search_index.searched_all([(tuple(row), contacts)])[0]
        found.append(SearchRows(dict(zip(search_index.TABLES, tables, strict=True)), tuple(keys)))
    book.customers.edit(customer_id, {"city": new_city(0)}, source=SOURCE)
    written = SearchRows.of(db, customer_id).content
    book.undo(source=SOURCE)
    assert all(written[t] == found[0].content[t] for t in REST_TABLES), "not as custbook writes"
    return found


Work = Callable[[], Any]


def pair(
    runs: Runs,
    key: str,
    mine: Work,
    floor: Work,
    *,
    floor_first: bool,
    after_mine: Callable[[Any], None] = lambda _result: None,
) -> None:
    """Time custbook's `mine` and the floor's `floor`, in the run's order; `after_mine`
    (untimed) is given what `mine` returned, before the floor when the floor goes second."""
    for who in ("floor", "mine") if floor_first else ("mine", "floor"):
        elapsed, result = timed(mine if who == "mine" else floor)
        runs.add(key if who == "mine" else f"floor_{key}", elapsed)
        if who == "mine":
            after_mine(result)


SPACER = "zzspacer"  # a word no operation writes or reads


def space_merges(db: sqlite3.Connection, run: Run) -> None:
    """0-3 commits (drawn per run) that each add a segment to every search table: FTS5
    merges a level's segments when a write makes the fourth, and a run writes them 4 or
    8 times, so without these each merge fell on the same operation, custbook's or the
    floor's, run after run (at 10,000 the add's paired ratio went 1.2× to 1.9× and the
    undo's 2.1× to 1.7× when the floor's add changed, the code unchanged). With them a
    merge lands on a different operation each run, as a person's writes would meet it."""
    for spacer in range(random.Random(run.index).randrange(4)):
        db.execute("BEGIN")
        for table, columns in search_index.TABLES.items():
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            rowid = -(run.index * 4 + spacer + 1)  # below every customer's rows
            db.execute(
                f"INSERT INTO {table} (rowid, {names}) VALUES (?, {marks})",
                (rowid, *(SPACER for _ in columns)),
            )
        db.commit()


def measure_once(book: Book, runs: Runs, run: Run, shapes: Shapes) -> None:
    db = book.db
    space_merges(db, run)
    n = 1_000_000 + run.index
    first = run.floor_first
    floor_made = shapes.created[run.index]

    pair(runs, "create", lambda: book.customers.create(new_customer(n), source=SOURCE),
         lambda: floor_create(db, floor_customer(run.index), *floor_made),
         floor_first=first)  # fmt: skip

    subject = f"基准电话 {run.index}"
    floors = book.clock.run(run.index, floor_first=first)  # type: ignore[attr-defined]

    def log() -> None:
        book.activity.log(run.target, {"subject": subject}, source=SOURCE, follow_up=run.due)

    def logged(_result: Any) -> None:
        shapes.logged = tuple(last_snapshots(db))

    def floor_logged() -> None:
        floor_log(db, run.target, subject, run.due, shapes.logged, floors)

    pair(runs, "log", log, floor_logged, floor_first=first, after_mine=logged)
    # both logs moved the customer's search rows to their newest contact, as the figures say

    edit_and_undo(book, runs, run, shapes)
    pair(runs, "agenda", lambda: book.agenda(TODAY), lambda: floor_agenda(db, TODAY),
         floor_first=first)  # fmt: skip
    pair(runs, "page", lambda: listing.page(book, TODAY, after=run.key),
         lambda: floor_page(db, run.key), floor_first=first)  # fmt: skip


def edit_and_undo(book: Book, runs: Runs, run: Run, shapes: Shapes) -> None:
    """custbook's edit then its undo, and the floor's edit then its undo, as two blocks
    (an undo takes back the newest change set: the floor's rows must not come between)."""
    db = book.db
    old_city = book.customers.get(run.target)["city"]
    changes = {"city": new_city(run.index)}
    rows, edited_rows = SearchRows.of(db, run.target), shapes.edited[run.index]

    def mine() -> None:
        runs.add("edit", timed(lambda: book.customers.edit(run.target, changes, source=SOURCE))[0])
        runs.add("undo", timed(lambda: book.undo(source=SOURCE))[0])
        assert book.customers.get(run.target)["city"] == old_city, "undo did not undo the edit"

    def floor() -> None:
        edited = 0

        def floor_edit() -> None:
            nonlocal edited
            edited = floor_set_city(db, run.target, old_city, changes["city"], edited_rows)

        def floor_undo() -> None:
            floor_set_city(db, run.target, changes["city"], old_city, rows, edited)

        runs.add("floor_edit", timed(floor_edit)[0])
        runs.add("floor_undo", timed(floor_undo)[0])

    for block in (floor, mine) if run.floor_first else (mine, floor):
        block()


# ---------------------------------------------------------------- tables


def books_table(books: list[Filled]) -> Table:
    table = Table(title=f"Demo books (fill_demo_book, seed 1, today {TODAY})")
    columns = (
        "customers", "contacts", "interactions", "orders", "opportunities", "reminders",
        "change rows", "database", "filled in", "customers/s",
    )  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for f in books:
        s = f.summary
        table.add_row(
            f"{f.customers:,}",
            f"{s['contacts']:,}",
            f"{s['interactions']:,}",
            f"{s['orders']:,}",
            f"{s['opportunities']:,}",
            f"{s['reminders']:,}",
            f"{f.change_rows:,}",
            f"{f.db_bytes / (1 << 20):,.1f} MiB",
            fmt_s(f.fill_s),
            f"{f.customers / f.fill_s:,.0f}",
        )
    return table


def ops_table(filled: Filled, runs: Runs, repeat: int) -> Table:
    title = (
        f"{filled.customers:,} customers, {repeat} runs: the best of each side, and the "
        "median of the runs' ratios (custbook / floor, side by side; each two runs, one "
        "per order, as one)"
    )
    table = Table(title=title)
    columns = ("operation", "custbook", "floor", "best ratio", "paired ratio", "middle half",
               "goal", "floor is")  # fmt: skip
    for column in columns:
        justify = "left" if column in ("operation", "floor is", "goal") else "right"
        table.add_column(column, justify=justify)
    for key, label in OPERATIONS:
        mine, floor, paired = runs.best(key), runs.best(f"floor_{key}"), runs.paired(key)
        met = paired.median <= GOAL_RATIO
        goals = [f"≤{GOAL_RATIO:.0f}× " + ("met" if met else "missed")]
        if key in ("agenda", "page") and filled.customers >= 100_000:
            under = mine < GOAL_READ_S
            goals.append(f"<{GOAL_READ_S * 1e3:.0f} ms " + ("met" if under else "missed"))
        table.add_row(
            label,
            fmt_s(mine),
            fmt_s(floor),
            f"{mine / floor:.1f}×",
            f"{paired.median:.2f}×",
            paired.spread(),
            ", ".join(goals),
            FLOOR_TEXT[key],
            style=None if met else "bold",
        )
    return table


NOTES = (
    "In each of --repeat runs every operation runs once through custbook and once as its "
    "floor, one right after the other, on the same in-memory connection (book.db), so both "
    "see the same database and the same SQLite; every other run the floor goes first (the "
    "second of two writes finds the first one's pages and caches warm). custbook and floor "
    "are the best (min) of each side; the paired ratio is the median of the runs' own "
    "ratios, each two runs (one with each side first) taken as one, their geometric mean, "
    "with the middle half of them beside it, and the goal is judged by it: the two sides "
    "of a run share the machine's moment, where the two best figures come from different "
    "moments, and each order weighs the same (bench_common.Paired).",
    "Writes: each custbook write is one change set (a change_sets row, a changes row per "
    "field or a whole-record JSON snapshot per created row) whose close refreshes the "
    "customer's kept figures and search rows; it validates first, reads the record back "
    "(rows.snapshot) and returns it. The floor writes the same rows with bare SQL (the "
    "JSON and search text made beforehand, the figures by figures.REFRESH_SQL) and "
    "commits: no validation, no pinyin, no reading back, no Python records. The floor's "
    "add writes a customer of its own, with the words custbook gives it (made before "
    "the runs in a scratch book), and its edit the new city's words: new terms to the "
    "index, as custbook's are.",
    "undo: book.undo() right after the edit; its floor writes the same rows as an undo. "
    "The edited customer is the one in the middle of the book by id; the log goes to the "
    "same customer, each run a few minutes later (RunClock), the second a minute after "
    "the first: each log is the newest contact and moves the customer's search rows.",
    "agenda: book.agenda(today) against the same SELECTs (each list's first 50 and its "
    "count: reminders through reminders_open_wakes, silent per grade via "
    "customer_figures.silent_since, unpaid via orders_unpaid_due, birthdays via the "
    "substr(birthday, -5) indexes), with no dicts or dates built.",
    f"page: listing.page(book, today, after=key) for {PAGE} customers from the middle of "
    "the book, with figures, tags, risk flags and suggested grade; the floor runs its "
    "SELECTs (the page by key, the tags, the revenue months, the revenue thresholds).",
)


def print_notes() -> None:
    console.print("Notes:")
    for note in NOTES:
        console.print(f"- {note}")
    console.print()


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="customer counts")
    parser.add_argument(
        "--repeat", type=int, default=20, help="runs per figure (even: each two, one per order)"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    books, tables = [], []
    for size in sizes:
        console.print(f"[dim]{size:,} customers: filling…[/dim]")
        filled = fill(size)
        console.print(
            f"[dim]{size:,} customers: filled in {fmt_s(filled.fill_s)}"
            f" ({size / filled.fill_s:,.0f} customers/s); measuring…[/dim]"
        )
        runs = measure(filled, args.repeat)
        books.append(filled)
        tables.append(ops_table(filled, runs, args.repeat))
        console.print(tables[-1])
        filled.book.db.close()
        filled.book = None  # type: ignore[assignment]  # let the next size have the memory
    console.print(books_table(books))
    for table in tables:
        console.print(table)
    print_notes()
    console.print(machine_table())


if __name__ == "__main__":
    main(sys.argv[1:])
