"""`custbook order add|paid|cancel|refund` and `custbook opportunity add|won|lost`."""

from __future__ import annotations

from typing import Any

import click

from custbook.book.money import Money, format_amount
from custbook.book.when import parse_when
from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import say
from custbook.cli.session import changing
from custbook.i18n import _


def _money(record: dict[str, Any]) -> str:
    return format_amount(Money(record["amount_minor"] or 0, record["currency"]))


@cli.group(help=_("Orders: what a customer bought."))
def order() -> None:
    pass


@order.command("add", help=_("Record an order (an amount, or a quantity and a unit price)."))
@book_options()
@click.argument("who", metavar="ID|NAME")
@click.option("--amount", help=_("¥1,250.50, 3000元, 2,000, 1.2万…"))
@click.option("--product", help=_("What was ordered."))
@click.option("--quantity", help=_("How many."))
@click.option("--unit-price", help=_("Price of one."))
@click.option(
    "--date", "date_text", metavar="WHEN", help=_("When it was ordered (default: today).")
)
@click.option("--due", "due_text", metavar="WHEN", help=_("When payment is due."))
@click.option("--status", help=_("open (default), paid, cancelled or refunded."))
@click.option("--notes", help=_("Notes."))
@click.pass_obj
def order_add(
    state: CliState, who: str, date_text: str | None, due_text: str | None, **fields: Any
) -> None:
    with changing(state) as (book, _vault):
        customer = book.customers.resolve(who)
        today = book.clock().date()
        values = dict(fields)
        if date_text:
            values["ordered_on"] = parse_when(date_text, today).isoformat()
        if due_text:
            values["payment_due"] = parse_when(due_text, today).isoformat()
        added = book.deals.add_order(customer.id, values, source="cli order add")
    say(
        _("Order {id} for {name}: {amount}").format(
            id=added["id"], name=customer.name, amount=_money(added)
        )
    )


@order.command("paid", help=_("Mark an order paid (today, or --on WHEN)."))
@book_options()
@click.argument("order_id", metavar="ID", type=int)
@click.option("--on", "on_text", metavar="WHEN", help=_("When it was paid (default: today)."))
@click.pass_obj
def order_paid(state: CliState, order_id: int, on_text: str | None) -> None:
    with changing(state) as (book, _vault):
        today = book.clock().date()
        paid_on = parse_when(on_text, today) if on_text else today
        paid = book.deals.mark_paid(order_id, paid_on, source="cli order paid")
    say(
        _("Order {id} paid on {date}: {amount}").format(
            id=order_id, date=paid["paid_on"], amount=_money(paid)
        )
    )


def _status_command(name: str, status: str, helptext: str) -> None:
    @order.command(name, help=helptext)
    @book_options()
    @click.argument("order_id", metavar="ID", type=int)
    @click.pass_obj
    def command(state: CliState, order_id: int) -> None:
        with changing(state) as (book, _vault):
            changed = book.deals.set_order_status(order_id, status, source=f"cli order {name}")
        say(_("Order {id} is now {status}.").format(id=order_id, status=changed["status"]))


_status_command("cancel", "cancelled", _("Mark an order cancelled."))
_status_command("refund", "refunded", _("Mark an order refunded."))


@cli.group(help=_("Opportunities: what a customer might buy."))
def opportunity() -> None:
    pass


@opportunity.command("add", help=_("Record an opportunity (--title is required)."))
@book_options()
@click.argument("who", metavar="ID|NAME")
@click.option("--title", required=True, help=_("What it is."))
@click.option("--amount", help=_("Its value: ¥1,250.50, 1.2万…"))
@click.option("--product", help=_("What would be sold."))
@click.option("--stage", help=_("Where it stands (your own words)."))
@click.option("--probability", help=_("Chance of winning, 0 to 100."))
@click.option("--close", "close_text", metavar="WHEN", help=_("When it should close."))
@click.option("--next-step", help=_("What happens next."))
@click.option("--notes", help=_("Notes."))
@click.pass_obj
def opportunity_add(state: CliState, who: str, close_text: str | None, **fields: Any) -> None:
    with changing(state) as (book, _vault):
        customer = book.customers.resolve(who)
        values = dict(fields)
        if close_text:
            values["expected_close"] = parse_when(close_text, book.clock().date()).isoformat()
        added = book.deals.add_opportunity(customer.id, values, source="cli opportunity add")
    say(
        _("Opportunity {id} for {name}: {title}").format(
            id=added["id"], name=customer.name, title=added["title"]
        )
    )


def _close_command(outcome: str, helptext: str) -> None:
    @opportunity.command(outcome, help=helptext)
    @book_options()
    @click.argument("opportunity_id", metavar="ID", type=int)
    @click.pass_obj
    def command(state: CliState, opportunity_id: int) -> None:
        with changing(state) as (book, _vault):
            closed = book.deals.close_opportunity(
                opportunity_id, outcome, book.clock().date(), source=f"cli opportunity {outcome}"
            )
        message = _("Won: {title}") if outcome == "won" else _("Lost: {title}")
        say(message.format(title=closed["title"]))


_close_command("won", _("Mark an opportunity won."))
_close_command("lost", _("Mark an opportunity lost."))
