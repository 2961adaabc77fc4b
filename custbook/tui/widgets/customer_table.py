"""The customer list: one row per customer, only the rows loaded so far, columns dropped
by priority when the terminal is narrow.

A Line-API widget (toolong's LogLines model, not a DataTable): it draws only the visible
rows, each straight from plain strings to one Strip. A DataTable rendered every cell
through Rich (about 0.3 ms a cell), so redrawing the list after a keystroke took
100 ms or more; this draws a screen of rows in about a millisecond.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from custbook.book.listing import ListedCustomer
from custbook.book.money import Money, format_amount
from custbook.book.validation import stage_labels
from custbook.i18n import _

HEADER_HEIGHT = 1
GAP = 1  # one blank cell before every column


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    order: str | None  # the listing order a click on its header asks for
    right: bool = False  # right-aligned (amounts)
    required: bool = False  # shown however narrow the terminal (it scrolls sideways)

    @property
    def cells(self) -> int:
        """Its width on screen: the wider of its values and its header."""
        return max(self.width, cell_len(self.label))


def columns() -> list[Column]:
    """In priority order: the first ones stay when the terminal is narrow."""
    return [
        Column("risk", "!", 1, None, required=True),
        Column("name", _("Name"), 14, "name", required=True),
        Column("grade", _("Grade"), 5, "grade"),
        Column("last", _("Contacted"), 10, "last_contact"),
        Column("next", _("Follow-up"), 10, "next_due"),
        Column("company", _("Company"), 18, None),
        Column("stage", _("Stage"), 8, None),
        Column("revenue", _("Revenue"), 12, "revenue", right=True),
        Column("city", _("City"), 6, None),
    ]


def fitting(width: int) -> list[Column]:
    """The required columns, then each other one that still fits `width` cells."""
    kept, used = [], 0
    for column in columns():
        needed = column.cells + GAP
        if used + needed <= width or column.required:
            kept.append(column)
            used += needed
    return kept


_CONTROLS = {c: " " for c in range(0x20)} | {0x7F: " "}


def printable(text: str) -> str:
    """Text that stays on one line and never moves the cursor: control and format
    characters (newlines, tabs, bidi overrides) become spaces."""
    text = text.translate(_CONTROLS)
    if text.isprintable():
        return text
    return "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)


def fit_cell(text: str, width: int, *, right: bool = False) -> str:
    """`text` in exactly `width` cells: cut with an ellipsis, padded with spaces."""
    used = cell_len(text)
    if used > width:
        text = _cut(text, width - 1) + "…"
        used = cell_len(text)
    padding = " " * (width - used)
    return padding + text if right else text + padding


def _cut(text: str, cells: int) -> str:
    """The longest start of `text` that takes at most `cells` cells."""
    used = 0
    for index, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > cells:
            return text[:index]
    return text


def cell_text(line: ListedCustomer, column: Column, currency: str) -> str:
    record, kept = line.record, line.figures
    value = {
        "risk": "⚠" if line.risk else "",
        "name": record["name"],
        "grade": record["grade"] or "",
        "last": str(kept.get("last_contact_at") or "")[:10],
        "next": str(kept.get("next_due") or ""),
        "company": record["company"] or "",
        "stage": stage_labels()[record["stage"]][0] if record["stage"] else "",
        "city": record["city"] or "",
        "revenue": format_amount(Money(kept["revenue_minor"], currency))
        if kept.get("revenue_minor")
        else "",
    }[column.key]
    return printable(str(value))


def row_cells(texts: list[str], shown: list[Column]) -> list[str]:
    """One row's cells, each fitted to its column after a one-cell gap. Kept apart (not
    one string) so that each cell starts at its own column whatever a font does with
    wide characters, as in an SVG screenshot."""
    return [
        " " + fit_cell(text, c.cells, right=c.right) for text, c in zip(texts, shown, strict=True)
    ]


class CustomerTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Posts `Chosen` on Enter (or a click on the cursor's row), `NearEnd` when the cursor
    reaches the last loaded row, `OrderAsked` on a click on a sortable header."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "customer-table--header",
        "customer-table--cursor",
        "customer-table--even-row",
        "customer-table--risk",
        "customer-table--empty",
    }
    DEFAULT_CSS = """
    CustomerTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .customer-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .customer-table--even-row { background: $surface-lighten-1 50%; }
        &:dark > .customer-table--even-row { background: $surface-darken-1 40%; }
        & > .customer-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .customer-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .customer-table--risk { color: $warning; text-style: bold; }
        & > .customer-table--empty { color: $text-muted; text-style: italic; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", _("Open"), id="open"),
        Binding("down,j", "cursor_down", _("Next customer"), show=False, id="down"),
        Binding("up,k", "cursor_up", _("Previous customer"), show=False, id="up"),
        Binding("pagedown", "page_down", _("A page down"), show=False, id="page-down"),
        Binding("pageup", "page_up", _("A page up"), show=False, id="page-up"),
        Binding("home,g", "first", _("First customer"), show=False, id="first"),
        Binding("end,G", "last", _("Last loaded (loads more)"), show=False, id="last"),
        Binding("left", "scroll_left", _("Scroll left"), show=False, id="left"),
        Binding("right", "scroll_right", _("Scroll right"), show=False, id="right"),
    ]

    cursor_row: reactive[int] = reactive(0, init=False)

    @dataclass
    class Chosen(Message):
        customer_id: int

    @dataclass
    class NearEnd(Message):
        pass

    @dataclass
    class OrderAsked(Message):
        order: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[ListedCustomer] = []
        self.shown: list[Column] = []
        self.currency = "CNY"
        self.empty_text = _("No customers to show.")
        self.find: Callable[[], None] | None = None  # moves the focus to a search box
        self._rows: list[list[str]] = []  # each line's cells, made once per show() or fit()

    # -- what the screen calls ---------------------------------------------------------

    def show(self, lines: list[ListedCustomer], *, keep_cursor: bool = False) -> None:
        """Replace the rows (or, with keep_cursor, extend them: more of the same list)."""
        same = keep_cursor and [x.id for x in lines[: len(self.lines)]] == [
            x.id for x in self.lines
        ]
        before, drawn = self.lines, self._rows
        self.lines = lines
        # a row is made again only where its line differs (an edit, a logged call)
        self._rows = [
            drawn[i] if i < len(before) and before[i] == line else self._row_of(line)
            for i, line in enumerate(lines)
        ]
        self._resize()
        row = self.cursor_row if same else 0
        if not same:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._set_cursor(min(row, max(len(lines) - 1, 0)))
        self.refresh()

    def on_resize(self) -> None:
        self.call_after_refresh(self._scroll_cursor_into_view)  # a shorter terminal

    def fit(self, width: int) -> None:
        wanted = fitting(width)
        if [c.key for c in wanted] != [c.key for c in self.shown]:
            self.shown = wanted
            self._rows = [self._row_of(line) for line in self.lines]
            self._resize()
            self.refresh()

    @property
    def cursor_line(self) -> ListedCustomer | None:
        return self.lines[self.cursor_row] if self.lines else None

    # -- drawing -----------------------------------------------------------------------

    def _row_of(self, line: ListedCustomer) -> list[str]:
        return row_cells([cell_text(line, c, self.currency) for c in self.shown], self.shown)

    def _resize(self) -> None:
        width = sum(c.cells + GAP for c in self.shown)
        self.virtual_size = Size(width, HEADER_HEIGHT + max(len(self.lines), 1))

    def render_line(self, y: int) -> Strip:
        width, scroll_x = self.size.width, int(self.scroll_x)
        if y < HEADER_HEIGHT:
            style = self.get_component_rich_style("customer-table--header")
            header = row_cells([c.label for c in self.shown], self.shown)
            return self._strip(header, style, scroll_x, width)
        index = int(self.scroll_y) + y - HEADER_HEIGHT
        if not self.lines:
            style = self.get_component_rich_style("customer-table--empty")
            text = ["  " + self.empty_text] if index == 0 else []
            return self._strip(text, style, scroll_x, width)
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        return self._strip(self._rows[index], self._row_style(index), scroll_x, width, index)

    def _row_style(self, index: int) -> Style:
        style = self.rich_style
        if index % 2:
            style += self.get_component_rich_style("customer-table--even-row")
        if index == self.cursor_row:
            style += self.get_component_rich_style("customer-table--cursor")
        return style

    def _strip(
        self, cells: list[str], style: Style, scroll_x: int, width: int, index: int | None = None
    ) -> Strip:
        """One screen line of `cells`, scrolled by `scroll_x`, cut or padded to `width`."""
        segments = [Segment(cell, style) for cell in cells]
        if index is not None and self.lines[index].risk and self.shown[0].key == "risk":
            marker = style + self.get_component_rich_style("customer-table--risk")
            segments[0] = Segment(cells[0], marker)
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, style)

    # -- moving ------------------------------------------------------------------------

    def _set_cursor(self, row: int) -> None:
        old = self.cursor_row
        self.cursor_row = max(0, min(row, len(self.lines) - 1)) if self.lines else 0
        self._scroll_cursor_into_view()
        if self.lines and self.cursor_row == len(self.lines) - 1 and row > old:
            self.post_message(self.NearEnd())

    def _scroll_cursor_into_view(self) -> None:
        if self.lines:
            region = Region(int(self.scroll_x), HEADER_HEIGHT + self.cursor_row, 1, 1)
            spacing = Spacing(HEADER_HEIGHT, 0, 0, 0)
            self.scroll_to_region(region, animate=False, spacing=spacing, immediate=True)

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - HEADER_HEIGHT, 1)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor_row - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor_row + self._page())

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor_row - self._page())

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self.lines) - 1)

    def action_choose(self) -> None:
        if self.cursor_line is not None:
            self.post_message(self.Chosen(self.cursor_line.id))

    def on_key(self, event: events.Key) -> None:
        """`/` moves to the search box at once (`find`), and the keys typed right behind
        it, already sent here, go on to the box: a screen's binding would run only after
        they were handled here, and they would be lost."""
        if event.key == "slash" and self.find is not None:
            event.stop()
            self.find()
            return
        focused = self.screen.focused
        if focused is not self and isinstance(focused, Input) and event.is_printable:
            event.stop()
            event.prevent_default()
            focused.insert_text_at_cursor(event.character or "")

    # -- the mouse ---------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y < HEADER_HEIGHT:
            self._header_clicked(offset.x + int(self.scroll_x))
            return
        row = int(self.scroll_y) + offset.y - HEADER_HEIGHT
        if row >= len(self.lines):
            return
        if row == self.cursor_row:
            self.action_choose()
        else:
            self._set_cursor(row)

    def _header_clicked(self, x: int) -> None:
        left = 0
        for column in self.shown:
            left += GAP + column.cells
            if x < left:
                if column.order is not None:
                    self.post_message(self.OrderAsked(column.order))
                return
