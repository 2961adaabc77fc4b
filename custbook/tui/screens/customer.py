"""One customer: a header with the figures that matter, then tabs for the profile, contact
people, the timeline, orders, opportunities, reminders and the history. Keys log, edit,
add, archive; erasing asks first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from custbook.book import Book, Customer
from custbook.book.describe import (
    change_rows,
    kind_words,
    order_status_words,
    risk_words,
    shown,
    source_text,
    when_text,
)
from custbook.book.history import ChangeSet
from custbook.book.insight import insight_json
from custbook.book.money import Money, format_amount
from custbook.book.validation import field_label
from custbook.errors import CustbookError
from custbook.i18n import _
from custbook.tui import reminding
from custbook.tui.forms import ROW_FORMS
from custbook.tui.screens.confirm import ConfirmScreen
from custbook.tui.screens.form import FormScreen

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp

_PROFILE_FIELDS = (
    "company", "title", "phones", "emails", "wechat", "city", "province", "address",
    "industry", "stage", "source", "birthday", "tags", "notes",
)  # fmt: skip


@dataclass(frozen=True)
class CustomerView:
    """Everything the screen shows, read in one go on the book's thread."""

    customer: Customer
    insight: dict[str, Any]
    interactions: list[dict[str, Any]]
    reminders: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    opportunities: list[dict[str, Any]]
    history: list[ChangeSet]
    next_undo: ChangeSet | None
    undo_names: list[str]  # the customers the next undo changes (any, not only this one)
    currency: str


def load(book: Book, customer_id: int) -> CustomerView:
    customer = book.customers.get(customer_id)
    next_undo = book.next_to_undo()
    return CustomerView(
        customer,
        insight_json(book, customer, book.clock().date()),
        book.activity.interactions(customer_id),
        book.activity.open_reminders(customer_id),
        book.deals.orders(customer_id),
        book.deals.opportunities(customer_id),
        book.history(customer_id),
        next_undo,
        book.customers.names(c.customer_id for c in (next_undo.changes if next_undo else ())),
        str(book.setting("currency")),
    )


def tabs() -> list[tuple[str, str]]:
    """(id, title) of each tab, in order; the digit keys 1-7 choose them."""
    return [
        ("profile", _("Profile")),
        ("contacts", _("Contacts")),
        ("timeline", _("Timeline")),
        ("orders", _("Orders")),
        ("opportunities", _("Opportunities")),
        ("reminders", _("Reminders")),
        ("history", _("History")),
    ]


class CustomerScreen(Screen[None]):
    DEFAULT_CSS = """
    CustomerScreen #header { padding: 0 1; height: auto; }
    CustomerScreen TabbedContent { height: 1fr; }
    CustomerScreen TabPane { padding: 0 1; }
    CustomerScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", _("Back"), id="back"),
        Binding("l", "app.log_for_shown", _("Log"), id="log"),
        Binding("e", "edit", _("Edit"), id="edit"),
        Binding("r", "app.add('reminder')", _("Reminder"), id="add-reminder"),
        Binding("o", "app.add('order')", _("Order"), id="add-order"),
        Binding("p", "app.add('opportunity')", _("Opportunity"), id="add-opportunity"),
        Binding("c", "app.add('contact')", _("Contact"), id="add-contact"),
        # Shift, as erase: `a` is the agenda everywhere, and archiving by a slip hid a customer
        Binding("A", "archive", _("Archive/restore"), id="archive"),
        Binding("a", "app.agenda", _("Agenda"), show=False, id="agenda"),
        *reminding.bindings(show=False),  # on the reminders tab, as in the agenda
        Binding("u", "undo", _("Undo last change"), show=False, id="undo"),
        Binding("E", "erase", _("Erase for good…"), show=False, id="erase"),
        *(
            Binding(str(n), f"tab('{tab}')", title, show=False, id=f"tab-{tab}")
            for n, (tab, title) in enumerate(tabs(), start=1)
        ),
        Binding("question_mark", "app.help", _("Help"), id="help"),
        Binding("ctrl+q", "app.quit", _("Quit"), id="quit"),
    ]

    def __init__(self, customer_id: int) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.view: CustomerView | None = None

    @property
    def custbook(self) -> CustbookApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        with TabbedContent(id="tabs"):
            for tab, title in tabs():
                with TabPane(title, id=tab):
                    if tab == "profile":
                        with VerticalScroll():
                            yield Static(id="profile-text")
                    else:
                        yield DataTable(id=f"{tab}-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    async def on_mount(self) -> None:
        await self.reload()

    async def on_screen_resume(self) -> None:
        if self.view is not None:  # back from a form: show what it wrote
            await self.reload()

    async def reload(self) -> None:
        if not self.custbook.runtime.is_open or self.custbook.locked:
            return  # being locked: the screens go, with nothing of the book read again
        try:
            view = await self.custbook.runtime.run(lambda book: load(book, self.customer_id))
        except CustbookError as problem:  # erased meanwhile
            self.notify(problem.message, severity="error", markup=False)
            self.app.pop_screen()
            return
        self.view = view
        self.query_one("#header", Static).update(header(view))
        self.query_one("#profile-text", Static).update(profile(view.customer))
        for tab, fill in TABLES.items():
            table = self.query_one(f"#{tab}-table", DataTable)
            table.clear(columns=True)
            fill(table, view)

    # -- actions -----------------------------------------------------------------------

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a contact or an order edits it."""
        tab = (event.data_table.id or "").removesuffix("-table")
        if tab in ROW_FORMS and event.row_key.value is not None:
            await self.custbook.open_row_form(tab, int(event.row_key.value))

    def action_tab(self, tab: str) -> None:
        """Show a tab, its rows under the cursor (Enter edits one)."""
        self.query_one(TabbedContent).active = tab
        tables = self.query(f"#{tab}-table")
        if tables:
            tables.first().focus()

    async def action_edit(self) -> None:
        await self.custbook.open_form("customer", self.customer_id)

    def _reminder(self) -> int | None:
        """The reminder under the cursor of the reminders tab, or None (and says so)."""
        table = self.query_one("#reminders-table", DataTable)
        on_tab = self.query_one(TabbedContent).active == "reminders"
        if not on_tab or not table.row_count:
            self.notify(_("Choose a reminder first (tab 6)."), markup=False)
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(str(key))

    async def action_done(self) -> None:
        reminder_id = self._reminder()
        if reminder_id is not None:
            await self.custbook.write_and_tell(*reminding.done(reminder_id))
            await self.reload()

    async def action_snooze(self, when: str) -> None:
        reminder_id = self._reminder()
        if reminder_id is not None:
            await self.custbook.write_and_tell(*reminding.snooze(reminder_id, when))
            await self.reload()

    @work(exclusive=True, group="snooze")
    async def action_snooze_until(self) -> None:
        reminder_id = self._reminder()
        if reminder_id is not None:
            await self.app.push_screen_wait(FormScreen(reminding.snooze_form(reminder_id)))

    async def action_archive(self) -> None:
        if self.view is None:
            return
        archived = self.view.customer["archived_at"] is not None
        customers = "restore" if archived else "archive"
        await self._write(
            lambda book: getattr(book.customers, customers)(self.customer_id, source="app"),
            _("Restored.") if archived else _("Archived: lists leave it out until restored."),
        )

    @work(exclusive=True, group="confirm")
    async def action_undo(self) -> None:
        target = self.view.next_undo if self.view else None
        if target is None:
            self.notify(_("Nothing to undo."), markup=False)
            return
        what = "; ".join(" ".join(filter(None, row)) for row in change_rows(target))
        if self.view and self.view.undo_names:  # it may be another customer's change
            what = ", ".join(self.view.undo_names) + ": " + what
        question = _("Undo the change made {when} by {source}?\n{what}").format(
            when=when_text(target.made_at), source=source_text(target), what=what
        )
        if await self.app.push_screen_wait(ConfirmScreen(question, _("Undo"))):
            await self._write(lambda book: book.undo(source="app undo"), _("Undone."))

    @work(exclusive=True, group="confirm")
    async def action_erase(self) -> None:
        if self.view is None:
            return
        question = _(
            "Erase {name} for good? Every record of this customer, its contacts, timeline, "
            "orders and history goes, and undo cannot bring it back."
        ).format(name=self.view.customer.name)
        if not await self.app.push_screen_wait(ConfirmScreen(question, _("Erase"), danger=True)):
            return
        customer_id = self.customer_id
        erased = await self._write(
            lambda book: book.customers.erase(customer_id, source="app"), _("Erased."), stay=False
        )
        if erased:
            self.app.pop_screen()

    async def _write(
        self, work: Callable[[Book], object], done: str = "", *, stay: bool = True
    ) -> bool:
        """Run a change, tell the app to save, show the result (and, staying, the page
        again); False if it was refused."""
        if not await self.custbook.write_and_tell(work, lambda _result: done):
            return False
        if stay and self.is_current:
            await self.reload()
        return True


# -- what each part shows ------------------------------------------------------------------


def header(view: CustomerView) -> Table:
    customer, kept = view.customer, view.customer.figures
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    title = Text(customer.name, style="bold")
    title.append(f"  #{customer.id}", style="dim")
    if customer["company"]:
        title.append(f"  {customer['company']}")
    if customer["archived_at"]:
        title.append("  " + _("(archived)"), style="italic")
    table.add_row(_("Customer"), title)
    if view.insight["risk"]:
        words = risk_words()
        risks = ", ".join(words.get(r, r) for r in view.insight["risk"])
        table.add_row(_("Risk"), Text(risks, style="bold red"))
    grade = customer["grade"] or "—"
    suggested = view.insight["suggested_grade"]
    if suggested != customer["grade"]:
        grade = _("{grade} (figures suggest {suggested})").format(grade=grade, suggested=suggested)
    stage = shown("stage", customer["stage"]) or "—"
    table.add_row(_("Grade"), Text(_("{grade} · stage {stage}").format(grade=grade, stage=stage)))
    revenue = Money(int(kept.get("revenue_minor") or 0), view.currency)
    # "orders: 1", not "1 orders": the message has no plural forms to choose from
    figures = _("last contact {last} · next reminder {next} · {amount} · orders: {orders}").format(
        last=when_text(kept.get("last_contact_at")) or _("never"),
        next=kept.get("next_due") or "—",
        amount=format_amount(revenue),
        orders=kept.get("orders") or 0,
    )
    table.add_row(_("Figures"), Text(figures))
    return table


def profile(customer: Customer) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for field in _PROFILE_FIELDS:
        text = shown(field, customer[field])
        if text:
            table.add_row(field_label(field), Text(text))
    for name, value in customer["custom_fields"].items():
        table.add_row(Text(name), Text(str(value)))
    return table


def _columns(table: DataTable[Any], *labels: str) -> None:
    for label in labels:
        table.add_column(label)


def _row(table: DataTable[Any], key: object, *cells: object) -> None:
    """One row: every cell as Text, so nothing typed is read as markup."""
    table.add_row(*(Text("" if c is None else str(c)) for c in cells), key=str(key))


def contacts(table: DataTable[Any], view: CustomerView) -> None:
    _columns(table, _("Name"), _("Title"), _("Phone"), _("Email"), _("Notes"))
    for contact in view.customer.contacts:
        star = " ★" if contact["is_primary"] else ""
        _row(table, contact["id"], contact["name"] + star, contact["title"],
             shown("phones", contact["phones"]), shown("emails", contact["emails"]),
             contact["notes"])  # fmt: skip


def timeline(table: DataTable[Any], view: CustomerView) -> None:
    _columns(table, _("When"), _("What"), _("Subject"), _("Outcome"), _("Rating"))
    kinds = kind_words()
    for item in view.interactions:
        _row(table, item["id"], when_text(item["happened_at"]), kinds.get(item["kind"]),
             item["subject"], item["outcome"], "★" * (item["rating"] or 0))  # fmt: skip


def orders(table: DataTable[Any], view: CustomerView) -> None:
    _columns(table, _("Ordered"), _("Product"), _("Amount"), _("Status"), _("Payment due"))
    for order in view.orders:
        amount = format_amount(Money(order["amount_minor"], order["currency"]))
        _row(table, order["id"], order["ordered_on"], order["product"], amount,
             order_status_words().get(order["status"]), order["payment_due"])  # fmt: skip


def opportunities(table: DataTable[Any], view: CustomerView) -> None:
    _columns(table, _("Title"), _("Amount"), _("Stage"), _("Expected"), _("Outcome"))
    for deal in view.opportunities:
        amount = deal["amount_minor"]
        money = format_amount(Money(amount, deal["currency"])) if amount is not None else ""
        _row(table, deal["id"], deal["title"], money, deal["stage"], deal["expected_close"],
             deal["outcome"])  # fmt: skip


def reminders(table: DataTable[Any], view: CustomerView) -> None:
    _columns(table, _("Due"), _("Title"), _("Repeats"), _("Snoozed until"))
    for reminder in view.reminders:
        _row(table, reminder["id"], reminder["due"], reminder["title"], reminder["repeat_rule"],
             reminder["snoozed_until"])  # fmt: skip


def history(table: DataTable[Any], view: CustomerView) -> None:
    _columns(table, _("When"), _("Made by"), _("What"), _("Before"), _("After"))
    for change_set in view.history:
        for n, row in enumerate(change_rows(change_set)):
            made = (when_text(change_set.made_at), source_text(change_set)) if not n else ("", "")
            _row(table, f"{change_set.id}-{n}", *made, *row)


TABLES: dict[str, Callable[[DataTable[Any], CustomerView], None]] = {
    "contacts": contacts,
    "timeline": timeline,
    "orders": orders,
    "opportunities": opportunities,
    "reminders": reminders,
    "history": history,
}
