"""A real encrypted demo book for the app tests, copied fresh for each test."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from custbook.book import Book
from custbook.book.demo import fill_demo_book
from custbook.tui.app import CustbookApp
from custbook.tui.config import AppConfig
from custbook.vault import create_book
from tests.conftest import PASSPHRASE, SMALL_KDF

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=CHINA)
CUSTOMERS = 60


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
