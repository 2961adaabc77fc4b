"""One customer: the record, contact people, kept figures, risk flags, what happened lately
and what is due. Read-only here; Escape goes back to the list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from custbook.book import Book, Customer
from custbook.book.insight import insight_json
from custbook.book.money import Money, format_amount
from custbook.book.validation import field_label, stage_labels
from custbook.i18n import _

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp

_RECENT = 10
_SHOWN_FIELDS = (
    "company", "title", "phones", "emails", "wechat", "city", "province", "address",
    "industry", "stage", "source", "birthday", "notes",
)  # fmt: skip


@dataclass(frozen=True)
class CustomerView:
    customer: Customer
    insight: dict[str, Any]
    interactions: list[dict[str, Any]]
    reminders: list[dict[str, Any]]
    currency: str


def load(book: Book, customer_id: int) -> CustomerView:
    customer = book.customers.get(customer_id)
    return CustomerView(
        customer,
        insight_json(book, customer, book.clock().date()),
        book.activity.interactions(customer_id)[:_RECENT],
        book.activity.open_reminders(customer_id)[:_RECENT],
        str(book.setting("currency")),
    )


def kind_words() -> dict[str, str]:
    return {
        "call": _("call"), "visit": _("visit"), "meeting": _("meeting"), "email": _("email"),
        "message": _("message"), "feedback": _("feedback"), "event": _("event"),
    }  # fmt: skip


def when_text(stamp: str | None) -> str:
    """An ISO time as a person reads it: 2026-08-31 11:05."""
    return (stamp or "")[:16].replace("T", " ")


def risk_words() -> dict[str, str]:
    return {
        "payment": _("overdue payment"),
        "cancelled": _("cancelled or refunded orders"),
        "silent": _("silent past its cadence"),
        "falling": _("falling purchases"),
    }


class CustomerScreen(Screen[None]):
    DEFAULT_CSS = """
    CustomerScreen #body { padding: 0 1; }
    CustomerScreen .section { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", _("Back"), id="back"),
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
        with VerticalScroll(id="body"):
            yield Static(id="summary", classes="section")
            yield Static(id="details", classes="section")
            yield Static(id="contacts", classes="section")
            yield Static(id="activity", classes="section")
        yield Footer()

    async def on_mount(self) -> None:
        view = await self.custbook.runtime.run(lambda book: load(book, self.customer_id))
        self.view = view
        self.query_one("#summary", Static).update(summary(view))
        self.query_one("#details", Static).update(details(view.customer))
        self.query_one("#contacts", Static).update(contacts(view.customer))
        self.query_one("#activity", Static).update(activity(view))


def summary(view: CustomerView) -> Table:
    customer, kept = view.customer, view.customer.figures
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(Text(customer.name, style="bold"), Text(f"#{customer.id}", style="dim"))
    if view.insight["risk"]:
        words = risk_words()
        risks = ", ".join(words.get(r, r) for r in view.insight["risk"])
        table.add_row(_("Risk"), Text(risks, style="bold red"))
    grade = customer["grade"] or "—"
    suggested = view.insight["suggested_grade"]
    if suggested != customer["grade"]:
        grade = _("{grade} (figures suggest {suggested})").format(grade=grade, suggested=suggested)
    table.add_row(_("Grade"), grade)
    table.add_row(_("Last contact"), when_text(kept.get("last_contact_at")) or _("never"))
    table.add_row(_("Next reminder"), str(kept.get("next_due") or "—"))
    revenue = Money(int(kept.get("revenue_minor") or 0), view.currency)
    table.add_row(
        _("Revenue"),
        _("{amount} in {orders} orders").format(
            amount=format_amount(revenue), orders=kept.get("orders") or 0
        ),
    )
    return table


def details(customer: Customer) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for field in _SHOWN_FIELDS:
        value = customer[field]
        if field == "phones":
            value = ", ".join(p["typed"] for p in value)
        elif field == "stage" and value:
            label, chinese = stage_labels()[value]
            value = label if label == chinese else f"{label} ({chinese})"
        elif isinstance(value, list):
            value = ", ".join(value)
        if value:
            table.add_row(field_label(field), Text(str(value)))
    if customer["tags"]:
        table.add_row(_("Tags"), Text(", ".join(customer["tags"])))
    return table


def contacts(customer: Customer) -> Table | str:
    if not customer.contacts:
        return ""
    table = Table(_("Contact"), _("Title"), _("Phone"), _("Email"), title=_("Contacts"),
                  title_justify="left", expand=True)  # fmt: skip
    for contact in customer.contacts:
        table.add_row(
            Text(contact["name"] + (" ★" if contact["is_primary"] else "")),
            Text(contact["title"] or ""),
            Text(", ".join(p["typed"] for p in contact["phones"])),
            Text(", ".join(contact["emails"])),
        )
    return table


def activity(view: CustomerView) -> Table:
    table = Table(title=_("Lately and next"), title_justify="left", expand=True)
    table.add_column(_("When"), width=16)
    table.add_column(_("What"), width=10)
    table.add_column(_("Subject"), ratio=1)
    for reminder in view.reminders:
        due = reminder["snoozed_until"] or reminder["due"]
        table.add_row(due, Text(_("due"), style="bold"), Text(reminder["title"]))
    for interaction in view.interactions:
        table.add_row(
            when_text(interaction["happened_at"]),
            kind_words().get(interaction["kind"], interaction["kind"]),
            Text(interaction["subject"] or ""),
        )
    return table
