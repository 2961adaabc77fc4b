"""A real encrypted demo book for the app tests, copied fresh for each test."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from custbook.book import Book
from custbook.book.demo import fill_demo_book
from custbook.tui.app import CustbookApp
from custbook.tui.config import AppConfig
from custbook.tui.widgets.customer_table import CustomerTable
from custbook.vault import create_book, unlock_book
from tests.conftest import PASSPHRASE, SMALL_KDF

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=CHINA)
CUSTOMERS = 60
SIZE = (120, 35)
SIZE = (120, 35)


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.cbk"
    vault = create_book(path, PASSPHRASE, params=SMALL_KDF, clock=fixed_clock)
    book = Book(vault.db, clock=fixed_clock)
    fill_demo_book(book, customers=CUSTOMERS, seed=7, today=NOW.date())
    book.views.save("A 客户", "grade:A")
    vault.save()
    vault.close()
    return path


@pytest.fixture
def demo_file(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book" / "demo.cbk"
    path.parent.mkdir(mode=0o700)
    shutil.copy2(demo_template, path)
    return path


class FakeIdle:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_app(path: Path, *, passphrase: str = "", idle: FakeIdle | None = None) -> CustbookApp:
    app = CustbookApp(
        path,
        passphrase=passphrase,
        clock=fixed_clock,
        config=AppConfig(theme="textual-dark", idle_minutes=10),
        idle_clock=idle or FakeIdle(),
    )
    return app


async def unlock(pilot, passphrase: str = PASSPHRASE) -> None:
    field = pilot.app.screen.query_one("#passphrase", Input)
    field.value = passphrase
    await pilot.press("enter")
    await settle(pilot)


async def settle(pilot) -> None:
    """Let the book's thread and the workers finish, then the screen catch up. A worker
    waiting on a dialog (a question asked from an action) does not finish until answered:
    that one is left waiting."""
    for _ in range(40):
        waiting = [w for w in pilot.app.workers._workers if not _asking(w)]
        if not waiting:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pilot.app.workers.wait_for_complete(waiting), 0.5)
        await pilot.pause(0.05)
    await pilot.pause()


def _asking(worker) -> bool:
    """Workers that wait on a person, or forever (the file tree's loader waits for the
    next folder to open)."""
    return worker.group in ("confirm", "leave-form", "snooze", "_loader")


def rows(app) -> list[str]:
    table = app.screen.query_one(CustomerTable)
    return [line.record["name"] for line in table.lines]


def status(app) -> str:
    return str(app.screen.query_one("#count", Static).render())


def saved_book(path: Path) -> Book:
    vault = unlock_book(path, PASSPHRASE, write=False)
    return Book(vault.db)
