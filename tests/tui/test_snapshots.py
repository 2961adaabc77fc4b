"""Every screen as it looks, on the demo book with a fixed seed and day, at 120x35 and 80x24.

Regenerate after a deliberate change with `uv run pytest tests/tui/test_snapshots.py
--snapshot-update`, and read the report first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.conftest import PASSPHRASE
from tests.io.test_import import messy_workbook

from .conftest import make_app
from .test_app import settle

SIZES = [(120, 35), (80, 24)]
TABS = ["1", "2", "3", "4", "5", "6", "7"]  # profile … history
FORMS = {"log": ("l",), "edit": ("enter", "e"), "contact": ("enter", "c"),
         "order": ("enter", "o"), "opportunity": ("enter", "p"), "reminder": ("enter", "r"),
         "new_customer": ("n",)}  # fmt: skip
# A customer of the test demo book with a row on every tab; Enter on a tab's row edits it.
FULL = ("slash", *"上海嘉禾贸易有限公司", "enter", "enter")
ROW_FORMS = {"contact": "2", "order": "4", "opportunity": "5", "reminder": "6"}


@pytest.fixture
def relative_book(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo book as `demo.cbk` in the working folder, so every screen shows one path."""
    monkeypatch.chdir(tmp_path)
    shutil.copy2(demo_template, tmp_path / "demo.cbk")
    return Path("demo.cbk")


def still(app) -> None:
    for field in app.query(Input):
        field.cursor_blink = False


async def unlocked(pilot) -> None:
    still(pilot.app)
    pilot.app.screen.query_one("#passphrase", Input).value = PASSPHRASE
    await pilot.press("enter")
    await settle(pilot)
    still(pilot.app)


def flow(*keys: str):
    async def run_before(pilot) -> None:
        await unlocked(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        still(pilot.app)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
class TestScreens:
    def test_unlock(self, snap_compare, relative_book, size):
        async def run_before(pilot) -> None:
            still(pilot.app)

        assert snap_compare(make_app(relative_book), run_before=run_before, terminal_size=size)

    def test_list(self, snap_compare, relative_book, size):
        assert snap_compare(make_app(relative_book), run_before=flow(), terminal_size=size)

    def test_list_searching_pinyin(self, snap_compare, relative_book, size):
        app = make_app(relative_book)
        assert snap_compare(app, run_before=flow("slash", "z", "w"), terminal_size=size)

    def test_customer(self, snap_compare, relative_book, size):
        assert snap_compare(make_app(relative_book), run_before=flow("enter"), terminal_size=size)

    def test_help(self, snap_compare, relative_book, size):
        app = make_app(relative_book)
        assert snap_compare(app, run_before=flow("question_mark"), terminal_size=size)

    @pytest.mark.parametrize("tab", TABS)
    def test_customer_tab(self, snap_compare, relative_book, size, tab):
        app = make_app(relative_book)
        assert snap_compare(app, run_before=flow("enter", tab), terminal_size=size)

    @pytest.mark.parametrize("form", FORMS)
    def test_form(self, snap_compare, relative_book, size, form):
        app = make_app(relative_book)
        assert snap_compare(app, run_before=flow(*FORMS[form]), terminal_size=size)

    @pytest.mark.parametrize("row", ROW_FORMS)
    def test_row_form(self, snap_compare, relative_book, size, row):
        app = make_app(relative_book)
        keys = (*FULL, ROW_FORMS[row], "enter")
        assert snap_compare(app, run_before=flow(*keys), terminal_size=size)

    def test_import(self, snap_compare, relative_book, size):
        messy_workbook(Path("messy.xlsx"))
        keys = ("i", *"messy.xlsx", "enter")
        assert snap_compare(make_app(relative_book), run_before=flow(*keys), terminal_size=size)

    def test_export(self, snap_compare, relative_book, size):
        app = make_app(relative_book)
        assert snap_compare(app, run_before=flow("x"), terminal_size=size)

    def test_agenda(self, snap_compare, relative_book, size):
        assert snap_compare(make_app(relative_book), run_before=flow("a"), terminal_size=size)
