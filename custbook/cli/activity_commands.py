"""`custbook log`, `remind`, `done`, `snooze`: what happened, and what comes next."""

from __future__ import annotations

from datetime import date, datetime

import click

from custbook.book import Book
from custbook.book.describe import kind_words
from custbook.book.recurrence import parse_rule
from custbook.book.when import parse_when
from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import say
from custbook.cli.session import changing
from custbook.i18n import _


def _today(book: Book) -> date:
    return book.clock().date()


def _when(book: Book, text: str) -> date:
    return parse_when(text, _today(book))


@cli.command(help=_("Log a call, visit, meeting, email, message, feedback or event."))
@book_options()
@click.argument("who", metavar="ID|NAME")
@click.option(
    "--kind",
    default="call",
    show_default=True,
    help=_("call, visit, meeting, email, message, feedback or event (电话, 拜访…)."),
)
@click.option("--subject", help=_("What it was about."))
@click.option("--body", help=_("What was said or done."))
@click.option("--outcome", help=_("How it ended."))
@click.option("--rating", help=_("How it went, 1 to 5."))
@click.option("--contact", "contact_id", type=int, help=_("The contact person's id."))
@click.option("--when", "when_text", metavar="WHEN", help=_("When it happened (default: now)."))
@click.option(
    "--next", "next_text", metavar="WHEN", help=_("Set the next follow-up (3d, next mon, 明天…).")
)
@click.pass_obj
def log(
    state: CliState,
    who: str,
    kind: str,
    subject: str | None,
    body: str | None,
    outcome: str | None,
    rating: str | None,
    contact_id: int | None,
    when_text: str | None,
    next_text: str | None,
) -> None:
    with changing(state) as (book, _vault):
        customer = book.customers.resolve(who)
        happened = None
        if when_text:
            now = book.clock()
            happened = datetime.combine(_when(book, when_text), now.timetz())
        follow_up = _when(book, next_text) if next_text else None
        values = {
            "kind": kind,
            "subject": subject,
            "body": body,
            "outcome": outcome,
            "rating": rating,
            "contact_id": contact_id,
            "happened_at": happened,
        }
        logged = book.activity.log(customer.id, values, source="cli log", follow_up=follow_up)
    kind = kind_words().get(logged["kind"], logged["kind"])
    say(_("Logged {kind} with {name}.").format(kind=kind, name=customer.name))
    if follow_up is not None:
        say(_("Next follow-up: {due}.").format(due=follow_up.isoformat()))


@cli.command(help=_("Set a reminder, for a customer or for yourself."))
@book_options()
@click.argument("title")
@click.option(
    "--due",
    "due_text",
    metavar="WHEN",
    required=True,
    help=_("When it is due (2026-03-05, 3d, 明天…)."),
)
@click.option("--customer", "who", metavar="ID|NAME", help=_("The customer it is about."))
@click.option(
    "--repeat",
    "repeat_text",
    metavar="RULE",
    help=_("daily, weekly, monthly, yearly or every N days (每天, 每周, 每月…)."),
)
@click.option(
    "--kind",
    default="follow-up",
    show_default=True,
    help=_("follow-up, birthday, renewal, payment or custom."),
)
@click.option("--notes", help=_("Notes."))
@click.pass_obj
def remind(
    state: CliState,
    title: str,
    due_text: str,
    who: str | None,
    repeat_text: str | None,
    kind: str,
    notes: str | None,
) -> None:
    with changing(state) as (book, _vault):
        due = _when(book, due_text)
        rule = parse_rule(repeat_text) if repeat_text else None
        customer_id = book.customers.resolve(who).id if who else None
        made = book.activity.remind(
            title,
            due,
            customer_id=customer_id,
            kind=kind,
            repeat_rule=rule,
            notes=notes,
            source="cli remind",
        )
    say(
        _("Reminder {id} set for {due}: {title}").format(
            id=made["id"], due=made["due"], title=made["title"]
        )
    )


@cli.command(help=_("Mark a reminder done; a repeating one moves on to its next date."))
@book_options()
@click.argument("reminder_id", metavar="ID", type=int)
@click.pass_obj
def done(state: CliState, reminder_id: int) -> None:
    with changing(state) as (book, _vault):
        done_before = book.activity.reminder(reminder_id)["done_at"]
        result = book.activity.complete(reminder_id, source="cli done")
    if done_before is not None:
        say(
            _("Reminder {id} was done already, on {day}: {title}").format(
                id=reminder_id, day=done_before[:10], title=result["title"]
            )
        )
    elif result["done_at"] is None:
        say(_("Done; it comes back on {due}.").format(due=result["due"]))
    else:
        say(_("Done: {title}").format(title=result["title"]))


@cli.command(help=_("Put a reminder off until WHEN (1d, 1w, 下周一…)."))
@book_options()
@click.argument("reminder_id", metavar="ID", type=int)
@click.argument("when_text", metavar="WHEN")
@click.pass_obj
def snooze(state: CliState, reminder_id: int, when_text: str) -> None:
    with changing(state) as (book, _vault):
        until = _when(book, when_text)
        result = book.activity.snooze(reminder_id, until, source="cli snooze")
    say(
        _("Snoozed until {until}: {title}").format(
            until=result["snoozed_until"], title=result["title"]
        )
    )
