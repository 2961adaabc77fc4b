"""`custbook find QUERY` and saved views (`custbook view save|list|run|delete`)."""

from __future__ import annotations

import click
from rich.table import Table

from custbook.book import Book
from custbook.book.describe import stage_word
from custbook.book.listing import ListedCustomer
from custbook.book.money import Money, format_amount
from custbook.cli.customer_commands import customer_view
from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import data_console, emit_json, say
from custbook.cli.session import changing, reading
from custbook.i18n import _

_LIMIT = click.option(
    "--limit", type=click.IntRange(1, 10_000), default=50, show_default=True,
    help=_("Show at most this many customers."),
)  # fmt: skip
_JSON = click.option(
    "--json", "as_json", is_flag=True, help=_("Print the customers as JSON (as `show` does).")
)


@cli.command(
    help=_(
        "Find customers: names, pinyin (zhangwei, zw), phone digits, emails, companies, "
        "places, tags, notes, and filters such as grade:A city:上海 last:>90d "
        "(docs/SEARCH.md lists them all). Best matches first."
    )
)
@click.argument("query", nargs=-1, required=True)
@_LIMIT
@_JSON
@book_options()
@click.pass_obj
def find(state: CliState, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    with reading(state) as book:
        _print_found(book, " ".join(query), limit, as_json)


def _print_found(book: Book, query: str, limit: int, as_json: bool) -> None:
    found = book.search(query, limit=limit)
    if as_json:
        emit_json([customer_view(book, book.customers.get(line.id)) for line in found])
        return
    if not found:
        say(_("No customer matches “{query}”.").format(query=query))
        return
    currency = str(book.setting("currency"))
    table = Table(
        _("ID"), _("Name"), _("Company"), _("City"), _("Grade"), _("Stage"),
        _("Last contact"), _("Next reminder"), _("Revenue"),
    )  # fmt: skip
    for line in found:
        table.add_row(*_row(line, currency))
    data_console.print(table)
    if len(found) == limit:
        say(_("Showing the first {n}; --limit shows more.").format(n=limit))


def _row(line: ListedCustomer, currency: str) -> list[str]:
    record, kept = line.record, line.figures
    revenue = kept.get("revenue_minor") or 0
    return [
        str(line.id),
        record["name"],
        record["company"] or "",
        record["city"] or "",
        record["grade"] or "",
        stage_word(record["stage"]),
        str(kept.get("last_contact_at") or "")[:10],
        str(kept.get("next_due") or ""),
        format_amount(Money(revenue, currency)) if revenue else "",
    ]


@cli.group(help=_("Saved searches: save, list, run, delete."))
def view() -> None:
    pass


@view.command("save", help=_("Save QUERY as the view NAME (replacing a view of that name)."))
@click.argument("name")
@click.argument("query")
@book_options()
@click.pass_obj
def view_save(state: CliState, name: str, query: str) -> None:
    with changing(state) as (book, _vault):
        saved, replaced = book.views.save(name, query)
    message = _("Replaced the view “{name}”.") if replaced else _("Saved the view “{name}”.")
    say(message.format(name=saved.name))


@view.command("list", help=_("Every saved view and its query."))
@_JSON
@book_options()
@click.pass_obj
def view_list(state: CliState, as_json: bool) -> None:
    with reading(state) as book:
        views = book.views.all()
    if as_json:
        emit_json([{"name": v.name, "query": v.query} for v in views])
        return
    if not views:
        say(_("No saved views yet: custbook view save NAME QUERY"))
        return
    table = Table(_("View"), _("Query"))
    for saved in views:
        table.add_row(saved.name, saved.query)
    data_console.print(table)


@view.command("run", help=_("Find the customers a saved view finds."))
@click.argument("name")
@_LIMIT
@_JSON
@book_options()
@click.pass_obj
def view_run(state: CliState, name: str, limit: int, as_json: bool) -> None:
    with reading(state) as book:
        _print_found(book, book.views.get(name).query, limit, as_json)


@view.command("delete", help=_("Delete a saved view (its customers are untouched)."))
@click.argument("name")
@book_options()
@click.pass_obj
def view_delete(state: CliState, name: str) -> None:
    with changing(state) as (book, _vault):
        deleted = book.views.delete(name)
    say(_("Deleted the view “{name}”.").format(name=deleted.name))
