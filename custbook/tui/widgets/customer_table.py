"""The customer list: one row per customer (row key = id), only the rows loaded so far,
columns dropped by priority when the terminal is narrow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from custbook.book.listing import ListedCustomer
from custbook.book.money import Money, format_amount
from custbook.book.validation import stage_labels
from custbook.i18n import _


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    order: str | None  # the listing order a click on its header asks for


def columns() -> list[Column]:
    """In priority order: the first ones stay when the terminal is narrow."""
    return [
        Column("risk", "!", 1, None),
        Column("name", _("Name"), 16, "name"),
        Column("grade", _("Grade"), 5, "grade"),
        Column("last", _("Last contact"), 12, "last_contact"),
        Column("next", _("Next reminder"), 13, "next_due"),
        Column("company", _("Company"), 20, None),
        Column("stage", _("Stage"), 8, None),
        Column("city", _("City"), 6, None),
        Column("revenue", _("Revenue"), 12, "revenue"),
    ]


def fitting(width: int) -> list[Column]:
    """The columns that fit `width` cells, in display order."""
    kept, used = [], 0
    for column in columns():
        needed = column.width + 2  # DataTable pads each cell by one on both sides
        if used + needed <= width or not kept:
            kept.append(column)
            used += needed
    order = [c.key for c in columns()]
    return sorted(kept, key=lambda c: order.index(c.key))


def cells(line: ListedCustomer, column: Column, currency: str) -> Text:
    """One cell, as Text: a customer's name is never read as markup."""
    return Text(_cell_text(line, column, currency))


def _cell_text(line: ListedCustomer, column: Column, currency: str) -> str:
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
    return str(value)


class CustomerTable(DataTable[str]):
    """Posts `Chosen` on Enter and `NearEnd` when the cursor nears the last loaded row."""

    DEFAULT_CSS = """
    CustomerTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", _("Down"), show=False),
        Binding("k", "cursor_up", _("Up"), show=False),
    ]

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
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.lines: list[ListedCustomer] = []
        self.shown: list[Column] = []
        self.currency = "CNY"

    def show(self, lines: list[ListedCustomer], *, keep_cursor: bool = False) -> None:
        """Replace the rows (or, with keep_cursor, extend them: more of the same list)."""
        row = self.cursor_row if keep_cursor else 0
        same = keep_cursor and [x.id for x in lines[: len(self.lines)]] == [
            x.id for x in self.lines
        ]
        known = len(self.lines) if same else 0
        self.lines = lines
        self._fill(row, keep=known)

    def fit(self, width: int) -> None:
        wanted = fitting(width)
        if [c.key for c in wanted] != [c.key for c in self.shown]:
            self.shown = wanted
            self.clear(columns=True)
            for column in self.shown:
                self.add_column(column.label, width=column.width, key=column.key)
            self._fill(self.cursor_row, keep=0)

    def _fill(self, row: int, *, keep: int) -> None:
        """Rows for the lines after the first `keep`; the columns stay as they are."""
        if not keep:
            self.clear()
        for line in self.lines[keep:]:
            self.add_row(*(cells(line, c, self.currency) for c in self.shown), key=str(line.id))
        if self.lines:
            self.move_cursor(row=min(row, len(self.lines) - 1))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Chosen(int(event.row_key.value)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.lines and event.cursor_row == len(self.lines) - 1:
            self.post_message(self.NearEnd())

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = next((c for c in self.shown if c.key == event.column_key.value), None)
        if column is not None and column.order is not None:
            self.post_message(self.OrderAsked(column.order))
