"""`custbook due`: today's work. `custbook rebuild`: recompute the kept figures."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click
from rich.table import Table

from custbook.book import figures
from custbook.book.agenda import Agenda
from custbook.book.money import Money, format_amount
from custbook.book.search import index as search_index
from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import data_console, emit_json, say
from custbook.cli.session import changing, reading
from custbook.i18n import _


@cli.command(
    help=_(
        "Today's work: overdue and due reminders, the next 7 days, customers silent past "
        "their grade's cadence, unpaid orders past due, birthdays."
    )
)
@book_options()
@click.option("--json", "as_json", is_flag=True, help=_("Print the agenda as JSON."))
@click.pass_obj
def due(state: CliState, as_json: bool) -> None:
    with reading(state) as book:
        agenda = book.agenda()
    if as_json:
        emit_json({**asdict(agenda), "today": agenda.today.isoformat()})
        return
    _print_agenda(agenda)


def _print_agenda(agenda: Agenda) -> None:
    reminder_headers = [_("ID"), _("Due"), _("Reminder"), _("Customer")]
    sections: list[tuple[str, str, list[str], list[list[str]]]] = [
        ("overdue", _("Overdue"), reminder_headers, _reminder_rows(agenda.overdue)),
        ("due_today", _("Today"), reminder_headers, _reminder_rows(agenda.due_today)),
        ("upcoming", _("Next 7 days"), reminder_headers, _reminder_rows(agenda.upcoming)),
        (
            "silent",
            _("Gone quiet"),
            [_("ID"), _("Customer"), _("Grade"), _("Days silent")],
            [
                [str(s["id"]), s["name"], s["grade"] or "", str(s["days_silent"])]
                for s in agenda.silent
            ],
        ),
        (
            "unpaid",
            _("Unpaid past due"),
            [_("Order"), _("Customer"), _("Amount"), _("Payment due")],
            [_unpaid_row(u) for u in agenda.unpaid],
        ),
        (
            "birthdays",
            _("Birthdays"),
            [_("On"), _("Name")],
            [[b["on"], b["name"]] for b in agenda.birthdays],
        ),
    ]
    shown = False
    for key, title, headers, rows in sections:
        if rows:
            total = agenda.totals.get(key, len(rows))
            count = (
                str(total)
                if total == len(rows)
                else _("{shown} of {total}").format(shown=len(rows), total=total)
            )
            table = Table(*headers, title=f"{title} ({count})", title_justify="left")
            for row in rows:
                table.add_row(*row)
            data_console.print(table)
            shown = True
    if not shown:
        say(_("Nothing is due. A quiet day."))


def _unpaid_row(order: dict[str, Any]) -> list[str]:
    amount = format_amount(Money(order["amount_minor"], order["currency"]))
    return [str(order["id"]), order["customer_name"], amount, order["payment_due"]]


def _reminder_rows(items: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [str(r["id"]), r["snoozed_until"] or r["due"], r["title"], r["customer_name"] or ""]
        for r in items
    ]


@cli.command(
    help=_("Recompute every customer's kept figures (last contact, revenue…) and search index.")
)
@book_options()
@click.pass_obj
def rebuild(state: CliState) -> None:
    with changing(state) as (book, _vault):
        before = set(figures.kept(book.db) + search_index.kept(book.db))
        count = figures.rebuild(book.db)
        search_index.rebuild(book.db)
        drifted = len(before ^ set(figures.kept(book.db) + search_index.kept(book.db)))
    say(
        _(
            "Recomputed the figures and search index (customers: {n}; rows that had drifted: {d})."
        ).format(n=count, d=drifted)
    )
