"""`custbook tag list | rename | delete`: tags across the whole book."""

from __future__ import annotations

import click
from rich.table import Table

from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import data_console, emit_json, say
from custbook.cli.session import changing, reading
from custbook.i18n import _


@cli.group(help=_("Tags across the book: list, rename, delete."))
def tag() -> None:
    pass


@tag.command("list", help=_("Every tag in use, with how many customers have it."))
@book_options()
@click.option("--json", "as_json", is_flag=True, help=_("Print the list as JSON."))
@click.pass_obj
def tag_list(state: CliState, as_json: bool) -> None:
    with reading(state) as book:
        counts = book.tags.all()
    if as_json:
        emit_json([{"name": c.name, "customers": c.customers} for c in counts])
        return
    table = Table(_("Tag"), _("Customers"))
    for count in counts:
        table.add_row(count.name, str(count.customers))
    data_console.print(table)


@tag.command("rename", help=_("Rename a tag on every customer (merging into NEW if it exists)."))
@book_options()
@click.argument("old")
@click.argument("new")
@click.pass_obj
def tag_rename(state: CliState, old: str, new: str) -> None:
    with changing(state) as (book, _vault):
        changed = book.tags.rename(old, new, source="cli tag rename")
    say(_("Renamed “{old}” to “{new}” on {n} customers.").format(old=old, new=new, n=changed))


@tag.command("delete", help=_("Take a tag off every customer (undo brings it back)."))
@book_options()
@click.argument("name")
@click.pass_obj
def tag_delete(state: CliState, name: str) -> None:
    with changing(state) as (book, _vault):
        changed = book.tags.delete(name, source="cli tag delete")
    say(_("Took “{name}” off {n} customers.").format(name=name, n=changed))
