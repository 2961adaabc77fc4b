"""`?`: the keys of the screen below and the search language."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from custbook.i18n import _


def search_help() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("张伟  zhangwei  zw  张w", _("a name, its pinyin or initials; every reading of 曾, 单…")),
        ("1380  8000", _("any three or more digits of a phone, or its first ones")),
        ("上海  harbor", _("company, contacts, city, email, tags, notes")),
        ("grade:A  stage:现有", _("grade; stage (lead prospect active loyal dormant lost)")),
        ("city:北京,上海  -tag:lost", _("a comma means or; a minus means not")),
        ("last:>90d  last:<7d", _("last contact more than 90 days ago (or never); within 7")),
        ("due:today  overdue:yes", _("the next reminder is due by today; one is overdue")),
        ("risk:any  risk:silent", _("payment, cancelled, silent or falling")),
        ("revenue:>1万  orders:>=3", _("lifetime revenue; number of orders")),
        ("has:email  no:phone", _("the field has a value, or not")),
        ("birthday:this-month", _("today, this-week, this-month, next-month, 3, 03-05")),
        ("reviewed:>180d  created:<2024-01-01", _("last review; when added")),
        ("archived:yes  archived:any", _("archived customers only, or everyone")),
        ('"blue harbor"', _("quotes keep words together and literal")),
    ]
    for example, meaning in rows:
        table.add_row(Text(example), Text(meaning))
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box {
        width: 96; max-width: 95%; height: 90%; border: round $primary;
        background: $surface; padding: 0 1;
    }
    HelpScreen .title { text-style: bold; color: $primary; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", _("Close"), id="close-help"),
        Binding("question_mark", "dismiss", _("Close"), show=False),
    ]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(_("Keys"), classes="title")
            yield Static(self._keys_table())
            yield Static(_("Searching (type after /)"), classes="title")
            yield Static(search_help())
            yield Static(_("Esc closes this help. The whole language: docs/SEARCH.md."))

    def _keys_table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, description in self.keys:
            table.add_row(Text(key), Text(description))
        return table
