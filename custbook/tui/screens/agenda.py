"""Today's work: overdue reminders (including what fell due while the book was closed),
today's, the next 7 days, customers silent past their cadence, unpaid orders past due,
birthdays. Keys: done, snooze a day, a week or until a WHEN, open, log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from custbook.book.agenda import Agenda
from custbook.book.money import Money, format_amount
from custbook.i18n import _
from custbook.tui import reminding
from custbook.tui.messages import OpenCustomer
from custbook.tui.screens.form import FormScreen

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp

Row = tuple[str, str, str, str]  # when, what, customer, detail


def sections(agenda: Agenda) -> list[tuple[str, str, list[tuple[str, int | None, Row]]]]:
    """(title, kind of item, [(item key, customer id, cells)]) for each non-empty part."""
    total = agenda.totals

    def title(text: str, key: str, shown: int) -> str:
        more = total.get(key, shown) - shown
        return text + (_(" (and {more} more)").format(more=more) if more > 0 else "")

    def reminders(items: list[dict[str, Any]]) -> list[tuple[str, int | None, Row]]:
        return [
            (f"reminder:{r['id']}", r["customer_id"],
             (r["snoozed_until"] or r["due"], r["title"], r["customer_name"] or "",
              r["repeat_rule"] or ""))
            for r in items
        ]  # fmt: skip

    parts = [
        (title(_("Overdue"), "overdue", len(agenda.overdue)), "reminder",
         reminders(agenda.overdue)),
        (title(_("Today"), "due_today", len(agenda.due_today)), "reminder",
         reminders(agenda.due_today)),
        (title(_("Next 7 days"), "upcoming", len(agenda.upcoming)), "reminder",
         reminders(agenda.upcoming)),
        (title(_("Silent past their cadence"), "silent", len(agenda.silent)), "customer",
         [(f"customer:{s['id']}", s["id"],
           ((s["last_contact_at"] or "")[:10] or _("never"),
            _("{days} days silent (grade {grade}: every {cadence})").format(
                days=s["days_silent"], grade=s["grade"], cadence=s["cadence_days"]),
            s["name"], s["company"] or ""))
          for s in agenda.silent]),
        (title(_("Unpaid, past due"), "unpaid", len(agenda.unpaid)), "order",
         [(f"order:{u['id']}", u["customer_id"],
           (u["payment_due"], format_amount(Money(u["amount_minor"], u["currency"])),
            u["customer_name"], u["product"] or ""))
          for u in agenda.unpaid]),
        (_("Birthdays"), "birthday",
         [(f"birthday:{n}", b["customer_id"], (b["on"], _("birthday"), b["name"], ""))
          for n, b in enumerate(agenda.birthdays)]),
    ]  # fmt: skip
    return [part for part in parts if part[2]]


class AgendaScreen(Screen[None]):
    DEFAULT_CSS = """
    AgendaScreen #agenda-title { padding: 0 1; text-style: bold; color: $primary; }
    AgendaScreen DataTable { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", _("Back"), id="back"),
        *reminding.bindings(show=True),
        Binding("enter", "open", _("Open"), id="open-customer"),
        Binding("l", "log", _("Log"), id="log"),
        Binding("j", "move(1)", _("Next row"), show=False, id="row-down"),
        Binding("k", "move(-1)", _("Previous row"), show=False, id="row-up"),
        Binding("question_mark", "app.help", _("Help"), id="help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.customers: dict[str, int | None] = {}  # row key → its customer

    @property
    def custbook(self) -> CustbookApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(_("Agenda"), id="agenda-title")
        yield DataTable(id="agenda", cursor_type="row")
        yield Footer()

    async def on_screen_resume(self) -> None:  # shown first, or back from a customer or form
        await self.reload()

    async def reload(self) -> None:
        if not self.custbook.runtime.is_open or self.custbook.locked:
            return  # being locked: the screens go, with nothing of the book read again
        agenda = await self.custbook.runtime.run(lambda book: book.agenda())
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for label in (_("When"), _("What"), _("Customer"), _("Detail")):
            table.add_column(label)
        self.customers = {}
        parts = sections(agenda)
        for part_title, _kind, items in parts:
            table.add_row("", Text(part_title, style="bold"), "", "", key=f"title:{part_title}")
            for key, customer_id, cells in items:
                table.add_row(*(Text(c) for c in cells), key=key)
                self.customers[key] = customer_id
        if not parts:
            table.add_row("", Text(_("Nothing due: a clear day.")), "", "", key="empty")
        table.move_cursor(row=min(max(row, 1), table.row_count - 1))  # past the first title
        self.query_one("#agenda-title", Static).update(
            _("Agenda for {today}").format(today=agenda.today.isoformat())
        )

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def _chosen(self) -> tuple[str, str, int | None]:
        """The row under the cursor: (kind, id, customer id); kind "" for a title."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return "", "", None
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        kind, _sep, item = key.partition(":")
        return (kind, item, self.customers.get(key)) if key in self.customers else ("", "", None)

    def _reminder(self) -> int | None:
        kind, item, _customer = self._chosen()
        if kind != "reminder":
            self.notify(_("Choose a reminder first."), markup=False)
            return None
        return int(item)

    async def _write(self, change: reminding.Change) -> None:
        if await self.custbook.write_and_tell(*change):
            await self.reload()

    async def action_done(self) -> None:
        reminder_id = self._reminder()
        if reminder_id is not None:
            await self._write(reminding.done(reminder_id))

    async def action_snooze(self, when: str) -> None:
        reminder_id = self._reminder()
        if reminder_id is not None:
            await self._write(reminding.snooze(reminder_id, when))

    @work(exclusive=True, group="snooze")
    async def action_snooze_until(self) -> None:
        reminder_id = self._reminder()
        if reminder_id is None:
            return
        if await self.app.push_screen_wait(FormScreen(reminding.snooze_form(reminder_id))):
            await self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table takes Enter before the screen's binding)."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        _kind, _item, customer_id = self._chosen()
        if customer_id is not None:
            self.post_message(OpenCustomer(customer_id))

    async def action_log(self) -> None:
        _kind, _item, customer_id = self._chosen()
        if customer_id is not None:
            await self.custbook.open_form("log", customer_id)
