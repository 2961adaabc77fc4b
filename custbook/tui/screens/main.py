"""Home: the customer list with search-as-you-type and a sidebar of views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, ListItem, ListView, Static

from custbook.book.listing import ORDERS, PAGE_SIZE, ListedCustomer
from custbook.book.search.query import QueryError, parse
from custbook.errors import CustbookError
from custbook.i18n import _
from custbook.tui.messages import OpenCustomer
from custbook.tui.screens.exporting import ExportScreen
from custbook.tui.widgets.customer_table import CustomerTable

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp

SIDEBAR_WIDTH = 24
MAX_LOADED = 2_000  # rows the list holds at most: narrow the search to see others


@dataclass(frozen=True)
class View:
    name: str
    query: str


def built_in_views() -> list[View]:
    return [
        View(_("All"), ""),
        View(_("Due today"), "due:today"),
        View(_("Overdue"), "overdue:yes"),
        View(_("A going quiet"), "grade:A risk:silent"),
        View(_("At risk"), "risk:any"),
        View(_("Not reviewed 6 months"), "reviewed:>6m"),
    ]


def order_names() -> dict[str, str]:
    return {
        "name": _("name"),
        "last_contact": _("last contact"),
        "next_due": _("next reminder"),
        "revenue": _("revenue"),
        "grade": _("grade"),
    }


class MainScreen(Screen[None]):
    DEFAULT_CSS = f"""
    MainScreen #sidebar {{ width: {SIDEBAR_WIDTH}; border-right: vkey $primary-background; }}
    MainScreen #sidebar-title {{ padding: 0 1; text-style: bold; color: $text-muted; }}
    MainScreen #views {{ height: 1fr; }}
    MainScreen #search {{ margin: 0 0; }}
    MainScreen #status-bar {{ height: 1; padding: 0 1; background: $panel; }}
    MainScreen #count {{ width: 1fr; }}
    MainScreen #problem {{ width: 2fr; color: $error; }}
    MainScreen #saved {{ width: auto; color: $text-muted; }}
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", _("Find"), id="find"),
        Binding("escape", "leave_search", _("Back to list"), show=False, id="leave-search"),
        Binding("s", "next_order", _("Sort"), id="sort"),
        Binding("n", "app.new_customer", _("New"), id="new-customer"),
        Binding("l", "app.log_for_shown", _("Log"), id="log"),
        Binding("a", "app.agenda", _("Agenda"), id="agenda"),
        Binding("v", "focus_views", _("Views"), id="views"),
        Binding("i", "app.import", _("Import"), id="import"),
        Binding("x", "export_shown", _("Export"), id="export"),
        Binding("question_mark", "app.help", _("Help"), id="help"),
        Binding("ctrl+l", "app.lock", _("Lock"), id="lock"),
        Binding("ctrl+q", "app.quit", _("Quit"), id="quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.order = "name"
        self.limit = PAGE_SIZE
        self.total: int | None = None
        self.exhausted = False
        self.views: list[View] = built_in_views()
        self.shown_query: str | None = None  # the query the rows (or the problem) are for

    @property
    def custbook(self) -> CustbookApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="sidebar"):
                yield Static(_("Views"), id="sidebar-title")
                yield ListView(id="views")
            with Vertical():
                yield Input(
                    placeholder=_("/ Find: name, pinyin, phone, grade:A city:上海 last:>90d…"),
                    id="search",
                )
                yield CustomerTable(id="customers")
                with Horizontal(id="status-bar"):
                    yield Static("", id="count", markup=False)
                    yield Static("", id="problem", markup=False)
                    yield Static("", id="saved", markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(CustomerTable).currency = await self.custbook.runtime.run(
            lambda book: str(book.setting("currency"))
        )
        self.query_one(CustomerTable).fit(self._table_width())
        self.query_one(CustomerTable).find = self.focus_search_now
        await self.load_views()
        self.refresh_list()
        self.query_one(CustomerTable).focus()
        self.show_save_state(self.custbook.save_text)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(CustomerTable).fit(self._table_width())

    def _table_width(self) -> int:
        return max(self.app.size.width - SIDEBAR_WIDTH - 3, 20)

    async def load_views(self) -> None:
        saved = await self.custbook.runtime.run(lambda book: book.views.all())
        self.views = built_in_views() + [View(v.name, v.query) for v in saved]
        views = self.query_one("#views", ListView)
        await views.clear()
        await views.extend(ListItem(Label(v.name, markup=False)) for v in self.views)

    # -- searching ---------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.limit = PAGE_SIZE
        self.refresh_list()

    @on(Input.Submitted, "#search")
    def search_done(self) -> None:
        self.query_one(CustomerTable).focus()

    @on(ListView.Selected, "#views")
    def view_chosen(self, event: ListView.Selected) -> None:
        index = event.list_view.index
        if index is not None and 0 <= index < len(self.views):
            self.query_one("#search", Input).value = self.views[index].query
            self.query_one(CustomerTable).focus()

    @work(exclusive=True, group="search")
    async def refresh_list(self, *, more: bool = False) -> None:
        runtime, text = self.custbook.runtime, self.query_text
        try:
            lines = await runtime.search(text, self.limit, order=self._order())
        except CustbookError as problem:  # a filter it cannot read, and the like
            self.query_one("#problem", Static).update(problem.message)
            self.shown_query = text
            return
        if lines is None:
            return  # a newer keystroke's search is on its way, or the book was locked
        self.query_one("#problem", Static).update("")
        self.exhausted = len(lines) < self.limit or self.limit >= MAX_LOADED
        self.query_one(CustomerTable).show(lines, keep_cursor=more)
        self.shown_query = text
        self._show_count(lines, None)
        try:
            total = await runtime.count(text)
        except CustbookError:
            return
        if total is not None or len(lines) < self.limit:
            self._show_count(lines, total)

    def _order(self) -> str | None:
        return None if self.order == "name" and self._has_text() else self.order

    def _has_text(self) -> bool:
        """Whether the query holds free text (the search's own parser decides)."""
        try:
            return bool(parse(self.query_text).words)
        except QueryError:
            return False  # the search reports it

    def _show_count(self, lines: list[ListedCustomer], total: int | None) -> None:
        shown = len(lines)
        if len(self.query_one(CustomerTable).lines) < self.limit:
            total = shown
        if total is None:
            text = _("{shown:,} shown, more as you scroll").format(shown=shown)
        else:
            text = _("{shown:,} of {total:,}").format(shown=shown, total=total)
        # free text in name order is listed best match first (search's own ranking)
        order = _("best match") if self._order() is None else order_names()[self.order]
        self.query_one("#count", Static).update(
            _("{count} · by {order}").format(count=text, order=order)
        )

    def on_customer_table_near_end(self) -> None:
        if not self.exhausted:
            self.limit += PAGE_SIZE
            self.refresh_list(more=True)

    def on_customer_table_chosen(self, event: CustomerTable.Chosen) -> None:
        self.post_message(OpenCustomer(event.customer_id))

    def on_customer_table_order_asked(self, event: CustomerTable.OrderAsked) -> None:
        self.set_order(event.order)

    # -- actions -----------------------------------------------------------------------

    def cursor_customer(self) -> int | None:
        line = self.query_one(CustomerTable).cursor_line
        return None if line is None else line.id

    def on_screen_resume(self) -> None:
        if self.shown_query is not None:  # back from a customer or a form: rows may differ
            self.refresh_list(more=True)

    def search_for(self, query: str) -> None:
        """Show what `query` finds, as if typed."""
        self.query_one("#search", Input).value = query

    def action_export_shown(self) -> None:
        """The current search, as an export form (the format and the file to name)."""
        self.app.push_screen(ExportScreen(self.query_text))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def focus_search_now(self) -> None:
        """The search box focused before the next key is handled (not after a refresh)."""
        self.app.set_focus(self.query_one("#search", Input))

    def action_leave_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus and search.value:
            search.value = ""
        self.query_one(CustomerTable).focus()

    def action_focus_views(self) -> None:
        self.query_one("#views", ListView).focus()

    def action_next_order(self) -> None:
        orders = list(ORDERS)
        self.set_order(orders[(orders.index(self.order) + 1) % len(orders)])

    def set_order(self, order: str) -> None:
        self.order = order
        self.limit = PAGE_SIZE
        self.refresh_list()

    def show_save_state(self, text: str) -> None:
        self.query_one("#saved", Static).update(text)
