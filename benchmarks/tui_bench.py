"""How long the app takes from Enter on the passphrase to the first rows, and from each
keystroke of a query to the list showing its rows, against bare SQL running the same
search statements.

    uv run python benchmarks/tui_bench.py [--sizes 1000,10000,100000] [--repeat 5]
                                          [--keep DIR]

For each size a demo book is filled through the services (book_bench.fill), written to an
encrypted file with the real KDF parameters, and opened in the app headless (Pilot, 120x35).
With --keep, that file is kept in DIR and used again by the next run (filling 100,000
customers takes about 20 minutes); it is encrypted like any book.
"unlock" is Enter to the first rows drawn (the KDF, decryption, loading, the first page);
typing starts a second later, on an idle app.
Each keystroke is a character typed into the search box (as Input does on a key press,
without Pilot's own pauses around `press`) to the end of the first screen refresh after
the list took that text's rows (`MainScreen.shown_query`): what the user sees.
The floor is search_bench's: the statements `Book.search` ran for that text, replayed on a
bare sqlite3 copy. Nothing here asserts a timing.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from bench_common import books_folder, fmt_s, keep_option, machine_table, measure_sizes
from book_bench import BENCH_PASSPHRASE, NOW, book_file, console, opened
from rich.table import Table
from search_bench import RecordingConnection, copy_of, keystrokes, replay, statements_of
from textual.widgets import Input

from custbook.book.book import Book
from custbook.tui.app import CustbookApp
from custbook.tui.config import AppConfig
from custbook.tui.screens.main import MainScreen

QUERIES = ("zhangwei", "张伟", "1380", "上海 grade:A", "last:>90d")
PASSPHRASE = BENCH_PASSPHRASE
GOAL_S = 0.100  # a keystroke to an updated list, at 100k
IDLE_AFTER_UNLOCK_S = 1.0


def clock():
    return NOW


async def wait_for(condition, timeout: float = 60.0) -> float:
    """Seconds until `condition()` holds, polling every millisecond."""
    began = time.perf_counter()
    while not condition():
        if time.perf_counter() - began > timeout:
            raise TimeoutError
        await asyncio.sleep(0.001)
    return time.perf_counter() - began


class Frames:
    """When the screen first finished drawing the rows of each query."""

    def __init__(self, screen: MainScreen) -> None:
        self.drawn: dict[str | None, float] = {}
        draw = screen._compositor_refresh

        def timed_draw() -> None:
            query = screen.shown_query  # set in the same step as the rows
            draw()
            self.drawn.setdefault(query, time.perf_counter())

        screen._compositor_refresh = timed_draw  # type: ignore[method-assign]


async def run_app(path: Path, repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    unlocks: list[float] = []
    typed: dict[str, list[float]] = {}
    for _ in range(repeat):
        app = CustbookApp(path, passphrase=PASSPHRASE, clock=clock, config=AppConfig())
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause()
            began = time.perf_counter()
            await pilot.press("enter")
            await wait_for(lambda app=app: _showing(app, ""))
            unlocks.append(time.perf_counter() - began)
            # typing starts on an idle app: the count under the first rows, the first
            # frames and what the unlock left to collect are done (unlock is timed above)
            await asyncio.sleep(IDLE_AFTER_UNLOCK_S)
            frames = Frames(app.screen)
            field = app.screen.query_one("#search", Input)
            for query in QUERIES:
                field.value = ""
                await wait_for(lambda app=app: _showing(app, ""))
                await asyncio.sleep(0.05)  # the count after the rows, and its frame
                frames.drawn.clear()
                for text in keystrokes(query):
                    # as a key press types it, without Pilot's own waits around a press
                    began = time.perf_counter()
                    field.insert_text_at_cursor(text[-1])
                    await wait_for(lambda text=text, frames=frames: text in frames.drawn)
                    typed.setdefault(text, []).append(frames.drawn[text] - began)
            await app.action_quit()
    return unlocks, typed


def _showing(app: CustbookApp, text: str) -> bool:
    return isinstance(app.screen, MainScreen) and app.screen.shown_query == text


def floors(db: sqlite3.Connection, repeat: int) -> dict[str, list[float]]:
    book = Book(copy_of(db, RecordingConnection), clock=clock)
    bare = copy_of(db, sqlite3.Connection)
    found: dict[str, list[float]] = {}
    for query in QUERIES:
        for text in keystrokes(query):
            statements, _found, _problem = statements_of(book, text)
            for _ in range(repeat):
                began = time.perf_counter()
                replay(bare, statements)
                found.setdefault(text, []).append(time.perf_counter() - began)
    book.db.close()
    bare.close()
    return found


def measure(size: int, repeat: int, keep: Path | None = None) -> Table:
    with books_folder(keep) as folder:
        path = book_file(size, folder)
        db = opened(path)
        floor = floors(db, repeat * 3)
        db.close()
        unlocks, typed = asyncio.run(run_app(path, repeat))
    table = Table(title=f"{size:,} customers: the app, {repeat} runs (median / max), to drawn")
    for column in ("what", "app median", "app max", "floor median", "goal"):
        table.add_column(column, justify="left" if column == "what" else "right")
    table.add_row("unlock → first rows", fmt_s(statistics.median(unlocks)), fmt_s(max(unlocks)),
                  "", "")  # fmt: skip
    table.add_section()
    for text, runs in typed.items():
        goal = ""
        if size >= 100_000:
            goal = f"<{GOAL_S * 1e3:.0f} ms " + ("met" if max(runs) < GOAL_S else "missed")
        table.add_row(
            f"typed {text!r}",
            fmt_s(statistics.median(runs)),
            fmt_s(max(runs)),
            fmt_s(statistics.median(floor[text])),
            goal,
        )
    return table


def main(argv: list[str]) -> None:
    keep, rest = keep_option(argv)
    runner = functools.partial(measure, keep=keep)
    measure_sizes(__doc__, runner, rest, console, repeat=5, repeat_help="app runs per size")
    console.print(machine_table())


if __name__ == "__main__":
    main(sys.argv[1:])
