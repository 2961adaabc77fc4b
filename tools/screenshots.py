"""Regenerate screenshots/*.svg: every screen of the app on a fresh demo book.

    uv run python -m tools.screenshots

The book is made like `custbook demo --seed 1 --today 2026-11-25` (300 customers), in a
temporary folder that is deleted afterwards; the app runs headless at 120x35.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from custbook.book import Book
from custbook.book.demo import fill_demo_book
from custbook.cli.book_commands import DEMO_PASSPHRASE
from custbook.tui.app import CustbookApp
from custbook.tui.config import AppConfig
from custbook.vault import KdfParams, create_book
from tests.io.test_import import messy_workbook
from tests.tui.conftest import settle as settle_screen

OUT = Path(__file__).resolve().parent.parent / "screenshots"
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SIZE = (120, 35)
QUICK_KDF = KdfParams(iterations=1, memory_kib=8 * 1024, lanes=1)  # a throwaway book


def clock() -> datetime:
    return NOW


def make_demo(folder: Path) -> Path:
    path = folder / "demo.cbk"
    vault = create_book(path, DEMO_PASSPHRASE, params=QUICK_KDF, clock=clock)
    book = Book(vault.db, clock=clock)
    fill_demo_book(book, customers=300, seed=1, today=NOW.date())
    book.views.save("A 客户沉默", "grade:A last:>30d")
    vault.save()
    vault.close()
    return path


async def settle(pilot: Pilot[None]) -> None:
    """The tests' settle (workers done or waiting on a person, each wait bounded: an
    unbounded wait here hung on the import screen's file loading), then no blinking
    cursors in the picture."""
    await settle_screen(pilot)
    for field in pilot.app.query(Input):
        field.cursor_blink = False
    await pilot.pause()


Step = Callable[[Pilot[None]], Awaitable[None]]


def keys(*pressed: str) -> Step:
    async def step(pilot: Pilot[None]) -> None:
        await pilot.press(*pressed)
        await settle(pilot)

    return step


def typed(field: str, text: str) -> Step:
    """Replace a form field's text, as typing it over would."""

    async def step(pilot: Pilot[None]) -> None:
        pilot.app.screen.query_one(field, Input).value = text
        await settle(pilot)

    return step


SHOTS: list[tuple[str, list[Step]]] = [
    ("unlock", []),
    ("list", [keys("enter")]),
    ("search-pinyin", [keys("enter"), keys("slash", "z", "w")]),
    ("search-filters", [keys("enter"), keys("slash", *"grade:A last:>30d")]),
    ("customer", [keys("enter"), keys("enter")]),
    ("customer-timeline", [keys("enter"), keys("enter"), keys("3")]),
    ("customer-history", [keys("enter"), keys("enter"), keys("7")]),
    ("log", [keys("enter"), keys("l"), keys("v", "tab", "tab", *"报价", "tab")]),
    (
        "edit-problem",
        [keys("enter"), keys("enter"), keys("e"), typed("#field-phones", "12345"), keys("ctrl+s")],
    ),
    ("new-customer", [keys("enter"), keys("n"), typed("#field-name", "钱多多贸易有限公司")]),
    ("agenda", [keys("enter"), keys("a")]),
    ("help", [keys("enter"), keys("question_mark")]),
    ("import", [keys("enter"), keys("i"), typed("#path", "客户名录.xlsx"), keys("enter")]),
    ("export", [keys("enter"), keys("slash", *"grade:A", "enter"), keys("x")]),
]


async def shoot(book: Path, name: str, steps: list[Step]) -> Path:
    app = CustbookApp(
        book, passphrase=DEMO_PASSPHRASE, clock=clock, config=AppConfig(theme="textual-dark")
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for step in steps:
            await step(pilot)
        target = OUT / f"{name}.svg"
        app.save_screenshot(filename=target.name, path=str(OUT))
        while len(app.screen_stack) > 2:  # a form with typed text would ask before quitting
            app.pop_screen()
        await app.action_quit()
    return target


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="custbook-shots-") as folder:
        previous = Path.cwd()
        os.chdir(folder)  # the unlock screen shows the book's path: keep it short
        try:
            book = make_demo(Path("."))
            messy_workbook(Path("客户名录.xlsx"))  # what the import screen reads
            for name, steps in SHOTS:
                print(await shoot(book, name, steps))
        finally:
            os.chdir(previous)


if __name__ == "__main__":
    asyncio.run(main())
