"""How long each keystroke of a search takes, against bare SQL running the same statements.

    uv run python benchmarks/search_bench.py [--sizes 1000,10000,100000] [--repeat 21]
                                             [--keep DIR]

For each size a demo book is filled through the services (book_bench.fill) and written
encrypted (with --keep, to DIR, where the next run finds it), opened, then copied
twice: custbook searches one copy through `Book.search`, on a connection that records
each statement and its arguments; the floor replays exactly those statements on a bare
sqlite3 copy of the same tables (no Book, no pragmas) and fetches every row, so the
floor is SQLite's share of the same ranked query, in the same run. Each prefix of each
query (one keystroke at a time) runs --repeat times; the table shows the median and the
95th percentile of each. Nothing here asserts a timing.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_common import books_folder, fmt_s, keep_option, machine_table, measure_sizes
from book_bench import NOW, TODAY, book_file, console, opened
from rich.table import Table

from custbook.book.book import Book
from custbook.book.search.query import QueryError

QUERIES = ("zhangwei", "张伟", "1380", "上海 grade:A", "last:>90d")
GOAL_P95_S = 0.005  # every keystroke, at 100k
LIMIT = 50


class RecordingConnection(sqlite3.Connection):
    """A connection that notes each statement it runs, with its arguments."""

    recorded: list[tuple[str, Any]] | None = None

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        if self.recorded is not None:
            self.recorded.append((sql, parameters))
        return super().execute(sql, parameters)


def copy_of(db: sqlite3.Connection, factory: type[sqlite3.Connection]) -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:", factory=factory)
    copy.deserialize(db.serialize())
    return copy


def keystrokes(query: str) -> list[str]:
    return [query[:n] for n in range(1, len(query) + 1)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_runs(action: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return runs


def statements_of(book: Book, text: str) -> tuple[list[tuple[str, Any]], int, str]:
    """What one search ran, how many lines it found, and its error if the text is a
    filter still being typed (grade: with no value yet)."""
    db = book.db
    assert isinstance(db, RecordingConnection)
    db.recorded = []
    try:
        found, problem = len(book.search(text, today=TODAY, limit=LIMIT)), ""
    except QueryError:  # a half-typed filter: the table shows it
        found, problem = 0, "QueryError"
    statements, db.recorded = db.recorded, None
    return statements, found, problem


def replay(bare: sqlite3.Connection, statements: list[tuple[str, Any]]) -> None:
    for sql, parameters in statements:
        bare.execute(sql, parameters).fetchall()


def search_safely(book: Book, text: str) -> None:
    with contextlib.suppress(QueryError):  # the half-typed filter, measured all the same
        book.search(text, today=TODAY, limit=LIMIT)


def measure(size: int, repeat: int, keep: Path | None = None) -> Table:
    with books_folder(keep) as folder:
        db = opened(book_file(size, folder))
    book = Book(copy_of(db, RecordingConnection), clock=lambda: NOW)
    bare = copy_of(db, sqlite3.Connection)
    db.close()
    table = Table(title=f"{size:,} customers: each keystroke, {repeat} runs (median / p95)")
    for column in ("typed", "found", "statements", "custbook median", "custbook p95",
                   "floor median", "floor p95", "ratio (p95)", "goal"):  # fmt: skip
        table.add_column(column, justify="left" if column == "typed" else "right")
    for query in QUERIES:
        for text in keystrokes(query):
            statements, found, problem = statements_of(book, text)
            mine = time_runs(lambda t=text: search_safely(book, t), repeat)
            floor = time_runs(lambda s=statements: replay(bare, s), repeat)
            p95 = percentile(mine, 0.95)
            goal = ""
            if size >= 100_000:
                goal = f"<{GOAL_P95_S * 1e3:.0f} ms " + ("met" if p95 < GOAL_P95_S else "missed")
            table.add_row(
                repr(text),
                problem or str(found),
                str(len(statements)),
                fmt_s(statistics.median(mine)),
                fmt_s(p95),
                fmt_s(statistics.median(floor)),
                fmt_s(percentile(floor, 0.95)),
                f"{p95 / max(percentile(floor, 0.95), 1e-9):.1f}×",
                goal,
                style="bold" if goal.endswith("missed") else None,
            )
        table.add_section()
    book.db.close()
    bare.close()
    return table


def main(argv: list[str]) -> None:
    keep, rest = keep_option(argv)
    runner = functools.partial(measure, keep=keep)
    measure_sizes(__doc__, runner, rest, console, repeat=21, repeat_help="runs per keystroke")
    console.print(
        "Notes:\n- custbook: Book.search(text, limit=50) — parsing, filters, each ranking "
        "tier's FTS read, the lines with figures, risk flags and suggested grade.\n"
        "- floor: the same statements with the same arguments, replayed on a bare sqlite3 "
        "copy of the same tables, every row fetched.\n- found: lines returned, or the "
        "error of a filter still being typed (`grade:` before its value)."
    )
    console.print(machine_table())


if __name__ == "__main__":
    main(sys.argv[1:])
