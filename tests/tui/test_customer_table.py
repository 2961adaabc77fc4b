"""The customer list as drawn: what each screen line says, the keys, the mouse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual import events
from textual.widgets import Input

from custbook.tui.screens.customer import CustomerScreen
from custbook.tui.screens.main import MainScreen
from custbook.tui.widgets.customer_table import (
    HEADER_HEIGHT,
    CustomerTable,
    columns,
    fit_cell,
    fitting,
    printable,
)

from .conftest import CUSTOMERS, SIZE, make_app, settle, status, unlock


def drawn(table: CustomerTable) -> list[str]:
    """The table's lines as the screen shows them."""
    return [table.render_line(y).text for y in range(table.size.height)]


@settings(deadline=None, max_examples=300)
@given(text=st.text(), width=st.integers(min_value=1, max_value=40), right=st.booleans())
def test_any_text_fills_its_cell_exactly_on_one_line(text, width, right):
    cell = fit_cell(printable(text), width, right=right)
    assert cell_len(cell) == width
    assert cell.isprintable() or not printable(text).isprintable()
    assert "\n" not in cell and "\t" not in cell and "\x1b" not in cell


def test_control_characters_become_spaces():
    assert printable("张伟\n销售\t经理\x1b[31m\u202e") == "张伟 销售 经理 [31m "


def test_a_long_name_is_cut_with_an_ellipsis_on_a_wide_character():
    assert fit_cell("北京安捷医疗器械有限公司", 13) == "北京安捷医疗…"
    assert fit_cell("北京安捷医疗器械有限公司", 14) == "北京安捷医疗… "
    assert fit_cell("¥4,260.00", 12, right=True) == "   ¥4,260.00"


def test_the_columns_that_fit_keep_their_priority():
    assert [c.key for c in fitting(10)] == ["risk", "name"]  # the rest would be nameless
    everything = sum(c.cells + 1 for c in columns())
    assert [c.key for c in fitting(everything)] == [c.key for c in columns()]
    keys = [c.key for c in columns()]
    assert [c.key for c in fitting(everything - 1)] == keys[:-1]
    no_revenue = everything - next(c.cells + 1 for c in columns() if c.key == "revenue")
    assert [c.key for c in fitting(no_revenue)] == [k for k in keys if k != "revenue"]


async def test_the_rows_drawn_are_the_lines_loaded(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = app.screen.query_one(CustomerTable)
        lines = drawn(table)
        assert "Name" in lines[0] and "Revenue" in lines[0]
        visible = table.size.height - HEADER_HEIGHT
        for y, line in enumerate(table.lines[:visible], start=HEADER_HEIGHT):
            assert line.record["name"][:4] in lines[y]
        await app.action_quit()


async def test_keys_move_the_cursor_and_the_end_loads_more(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = app.screen.query_one(CustomerTable)
        assert len(table.lines) == 50 and status(app).startswith(f"50 of {CUSTOMERS}")
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
        await pilot.press("pagedown")
        page = table.size.height - HEADER_HEIGHT
        assert table.cursor_row == 1 + page and table.scroll_y > 0
        on_screen = table.cursor_row - int(table.scroll_y) + HEADER_HEIGHT
        assert table.lines[table.cursor_row].record["name"][:4] in drawn(table)[on_screen]
        await pilot.press("end")
        await settle(pilot)
        assert len(table.lines) == CUSTOMERS and status(app).startswith(f"{CUSTOMERS} of")
        assert table.cursor_row == 49  # where it was: the rows below are the new ones
        await pilot.press("end", "home")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await app.action_quit()


async def test_clicks_sort_by_a_header_and_open_a_row(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        table = app.screen.query_one(CustomerTable)
        x = drawn(table)[0].index("Revenue")
        await pilot.click(CustomerTable, offset=(x + 1, 0))
        await settle(pilot)
        assert app.screen.order == "revenue" and "by revenue" in status(app)
        revenues = [line.figures.get("revenue_minor") or 0 for line in table.lines]
        assert revenues == sorted(revenues, reverse=True)
        await pilot.click(CustomerTable, offset=(5, HEADER_HEIGHT + 2))
        assert table.cursor_row == 2 and isinstance(app.screen, MainScreen)
        chosen = table.lines[2].id
        await pilot.click(CustomerTable, offset=(5, HEADER_HEIGHT + 2))
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen) and app.screen.view.customer.id == chosen
        await app.action_quit()


async def test_no_match_says_so_in_the_list(demo_file):
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        await pilot.press("slash", *"qqqqzzzz")
        await settle(pilot)
        table = app.screen.query_one(CustomerTable)
        assert table.lines == [] and "No customers to show." in drawn(table)[HEADER_HEIGHT]
        await pilot.press("enter", "enter")  # Enter on an empty list opens nothing
        assert isinstance(app.screen, MainScreen)
        await app.action_quit()


async def test_keys_typed_right_behind_the_slash_reach_the_search_box(demo_file):
    """A terminal delivers `/zw` in one read: the keys behind `/` are queued for the list
    before any binding runs, and used to be lost."""
    app = make_app(demo_file)
    async with app.run_test(size=SIZE) as pilot:
        await unlock(pilot)
        for key, character in (("slash", "/"), ("z", "z"), ("w", "w")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "zw"
        await app.action_quit()
