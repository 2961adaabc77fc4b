"""The import screen and the export form, driven as a person would on a real book."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList, ProgressBar, Static

from custbook.tui.screens import importing
from custbook.tui.screens.confirm import ConfirmScreen
from custbook.tui.screens.exporting import ExportScreen
from custbook.tui.screens.importing import FieldChoice, ImportScreen
from custbook.tui.screens.main import MainScreen
from tests.io.test_import import messy_workbook

from .conftest import SIZE, make_app, rows, saved_book, settle, unlock


def cells(app, table: str) -> list[list[str]]:
    found = app.screen.query_one(table, DataTable)
    return [[str(c) for c in found.get_row_at(i)] for i in range(found.row_count)]


async def test_import_a_messy_workbook_change_a_column_and_land_on_the_new_customers(
    demo_file, tmp_path
):
    path = messy_workbook(tmp_path / "客户名录.xlsx")
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one("#path", Input).value = str(path)
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "header on row 3" in summary and "new customers: 2;" in summary
        mapping = cells(app, "#mapping")
        assert ["QQ号", "custom field “QQ号”", "12345"] in mapping
        assert [r[:2] for r in cells(app, "#problems")][:3] == [
            ["7", "邮箱"],
            ["7", "交易金额"],
            ["7", ""],
        ]
        problems = app.screen.query_one("#problems", DataTable)
        assert problems.virtual_size.width <= problems.size.width  # no sideways scrolling
        reasons = [r[3] for r in cells(app, "#problems")]
        assert reasons[1] == "is not an amount like 1250.50, ¥1,250.50, 3000元 or 1.2万"
        assert max(problems.rows[k].height for k in problems.rows) >= 2

        table = app.screen.query_one("#mapping", DataTable)
        table.focus()
        table.move_cursor(row=[r[0] for r in mapping].index("备注"))
        await pilot.press("enter")  # 备注 is to be skipped
        await settle(pilot)
        assert isinstance(app.screen, FieldChoice)
        options = app.screen.query_one(OptionList)
        options.highlighted = options.get_option_index("skip")
        await pilot.press("enter")
        await settle(pilot)
        assert ["备注", "(skipped)", "老客户"] in cells(app, "#mapping")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one("#search", Input).value.startswith("id:")
        await settle(pilot)
        assert sorted(rows(app)) == ["上海宏达贸易有限公司", "北京ABC科技"]
        assert await app.save_now()
    book = saved_book(demo_file)
    hongda = book.customers.resolve("上海宏达贸易有限公司")
    assert hongda["notes"] is None  # 备注 was skipped, as chosen
    assert len(book.deals.orders(hongda.id)) == 2


async def test_choose_the_file_from_the_tree(demo_file, tmp_path, monkeypatch):
    messy_workbook(tmp_path / "客户名录.xlsx")
    (tmp_path / "notes.docx").write_bytes(b"not shown")
    monkeypatch.chdir(tmp_path)
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("i")
        await settle(pilot)
        tree = app.screen.query_one("#files")
        assert tree.display and not app.screen.query_one("#mapping").display
        tree.focus()
        await settle(pilot)
        shown = [str(line.data.path.name) for line in tree.root.children]
        assert shown == ["book", "客户名录.xlsx"]  # folders, and what can be imported
        tree.move_cursor(tree.root.children[1])
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#path", Input).value.endswith("客户名录.xlsx")
        assert not tree.display and app.screen.query_one("#mapping").display
        assert "new customers: 2;" in str(app.screen.query_one("#summary", Static).render())


async def test_the_dry_run_of_a_file_moves_a_progress_bar(demo_file, tmp_path, monkeypatch):
    """A large file's dry run takes a while: it moves the bar, hidden when it is done."""
    moved = []
    real_run = importing.importer.run

    def watched(book, plan, *, dry_run=False, progress=None):
        def advance(done, total):
            moved.append((dry_run, done, total))
            progress(done, total)

        return real_run(book, plan, dry_run=dry_run, progress=advance)

    monkeypatch.setattr(importing.importer, "run", watched)
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await app.push_screen(ImportScreen(str(messy_workbook(tmp_path / "名录.xlsx"))))
        await settle(pilot)
        assert "new customers: 2;" in str(app.screen.query_one("#summary", Static).render())
        assert moved == [(True, 2, 2)]
        assert not app.screen.query_one("#progress", ProgressBar).display


async def test_a_file_that_cannot_be_read_says_why(demo_file, tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await app.push_screen(ImportScreen(str(tmp_path / "old.xls")))
        await settle(pilot)
        assert "not a readable Excel workbook" in str(
            app.screen.query_one("#summary", Static).render()
        )
        await pilot.press("ctrl+s")  # nothing to import: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)


async def test_export_the_current_search(demo_file, tmp_path):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        app.screen.query_one("#search", Input).value = "grade:A"
        await settle(pilot)
        shown = len(rows(app))
        app.screen.query_one("#customers").focus()
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        target = tmp_path / "a.csv"
        app.screen.query_one("#file", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        lines = target.read_text("utf-8-sig").splitlines()
        assert len({line.split(",")[0] for line in lines[1:]}) == shown
        assert target.stat().st_mode & 0o777 == 0o600
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#file", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # asked before replacing it
