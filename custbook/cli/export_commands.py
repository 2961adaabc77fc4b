"""`custbook export`: the book, or what a search picks, as CSV, XLSX, vCard, iCalendar or
JSON. The only plaintext custbook writes, and only where asked."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from custbook.book import Book
from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import warn
from custbook.cli.session import reading
from custbook.errors import InvalidInput
from custbook.i18n import _
from custbook.io import export


@cli.command(
    "export",
    help=_(
        "Write customers out: csv (for Excel, with a BOM), xlsx (typed cells), vcf "
        "(vCard 4 of customers and contacts), ics (reminders for a calendar) or json "
        "(the whole book but its history). The file is NOT encrypted."
    ),
)
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), required=True)
@click.option("--query", help=_("Only the customers this search finds (e.g. grade:A city:上海)."))
@click.option(
    "-o", "--output", default="-", show_default=True,
    help=_("The file to write, or - for standard output."),
)  # fmt: skip
@click.option("--force", is_flag=True, help=_("Replace the output file if it exists."))
@book_options()
@click.pass_obj
def export_book(state: CliState, fmt: str, query: str | None, output: str, force: bool) -> None:
    to_stdout = output == "-"
    if to_stdout and fmt == "xlsx" and sys.stdout.isatty():
        raise InvalidInput(_("XLSX is not for a terminal: name a file with -o FILE.xlsx."))
    with reading(state) as book:
        ids = export.chosen_ids(book, query)
        if to_stdout:
            _to_stdout(book, ids, fmt, everything=not query)
        else:
            path = Path(output)
            with export.plaintext_file(path, force=force, binary=fmt == "xlsx") as out:
                export.write_format(book, ids, fmt, out, folder=path.parent, everything=not query)
    where = _("standard output") if to_stdout else output
    warn(
        _(
            "{count} customers written to {where}. It is not encrypted: keep it safe and "
            "delete it when done."
        ).format(count=len(ids), where=where)
    )


def _to_stdout(book: Book, ids: list[int], fmt: str, *, everything: bool) -> None:
    if fmt == "xlsx":
        data = io.BytesIO()
        export.write_format(book, ids, fmt, data, folder=Path.cwd(), everything=everything)
        sys.stdout.buffer.write(data.getvalue())
        sys.stdout.buffer.flush()
        return
    text = io.StringIO()
    export.write_format(book, ids, fmt, text, folder=Path.cwd(), everything=everything)
    sys.stdout.buffer.write(text.getvalue().encode("utf-8"))
    sys.stdout.buffer.flush()
