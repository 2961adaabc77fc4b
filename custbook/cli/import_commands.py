"""`custbook import FILE`: a spreadsheet, CSV or vCard into the book, as one undo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from custbook.book import Book
from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import emit_json, message_console, say, warn
from custbook.cli.session import changing, reading
from custbook.i18n import _
from custbook.io import headers, importer, restore

_SHOWN_PROBLEMS = 50
_PROGRESS_FROM = 500  # customers; fewer finish before a bar could show


@cli.command(
    "import",
    help=_(
        "Import customers, contacts and orders from XLSX, CSV (UTF-8, GBK/GB18030…) or "
        "vCard. Columns are recognised by their headers in Chinese or English; unknown "
        "ones become custom fields. Rows of one customer become one customer; customers "
        "already in the book get empty fields filled, never overwritten. One undo "
        "reverts the whole import."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help=_("Show the mapping and the counts; change nothing."))
@click.option("--sheet", help=_("The XLSX sheet (default: the first with a header row)."))
@click.option("--encoding", help=_("The CSV's encoding (default: detected), e.g. gbk."))
@click.option(
    "--map", "mappings", multiple=True, metavar="COLUMN=FIELD",
    help=_("Map a column to a field (repeatable), e.g. --map 手机号码=phones."),
)  # fmt: skip
@click.option(
    "--rejects", type=click.Path(dir_okay=False, path_type=Path),
    help=_("Write the rejected rows to this CSV (unencrypted), to fix and import again."),
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=_("Print the summary as JSON."))
@book_options()
@click.pass_obj
def import_file(
    state: CliState,
    file: Path,
    dry_run: bool,
    sheet: str | None,
    encoding: str | None,
    mappings: tuple[str, ...],
    rejects: Path | None,
    as_json: bool,
) -> None:
    if restore.is_export(file):
        _restore(state, file, dry_run, as_json)
        return
    overrides = headers.parse_overrides(mappings)
    with _opened(state, dry_run) as book:
        plan = importer.prepare(
            file,
            region=book.phone_region,
            currency=str(book.setting("currency")),
            sheet=sheet,
            encoding=encoding,
            overrides=overrides,
        )
        with _progress(len(plan.incoming), quiet=as_json) as advance:
            summary = importer.run(book, plan, dry_run=dry_run, progress=advance)
    if rejects is not None and summary.rejected:
        importer.write_rejects(plan, summary, rejects)
    if as_json:
        emit_json(_json(plan, summary, dry_run))
        return
    _print(plan, summary, dry_run, rejects)


def _restore(state: CliState, file: Path, dry_run: bool, as_json: bool) -> None:
    """custbook's own JSON export, back into an empty book with its ids."""
    data = restore.read_export(file)
    with _opened(state, dry_run) as book:
        counts = restore.restore(book, data, dry_run=dry_run)
    if as_json:
        emit_json({**counts, "dry_run": dry_run})
        return
    say(
        _(
            "Restored {customers} customers with {contacts} contacts, {interactions} "
            "interactions, {reminders} reminders, {orders} orders and {opportunities} "
            "opportunities."
        ).format(**counts)
    )
    say(_("Dry run: nothing was changed.") if dry_run else _("`custbook undo` takes it back."))


@contextmanager
def _opened(state: CliState, dry_run: bool) -> Iterator[Book]:
    """Read-only for a dry run (it works while the app has the book open), else locked
    and saved."""
    if dry_run:
        with reading(state) as book:
            yield book
    else:
        with changing(state) as (book, _vault):
            yield book


@contextmanager
def _progress(total: int, *, quiet: bool) -> Iterator[importer.Progress | None]:
    if quiet or total < _PROGRESS_FROM or not message_console.is_terminal:
        yield None
        return
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # Drawn at each step, not by a thread of its own: with another thread running, an
    # import shares no work with forked children (workers.forks)
    with Progress(*columns, console=message_console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(_("Importing"), total=total)
        yield lambda done, _total: bar.update(task, completed=done, refresh=True)


def _json(plan: importer.Plan, summary: importer.Summary, dry_run: bool) -> dict[str, Any]:
    return {
        **summary.as_json(),
        "dry_run": dry_run,
        "sheet": plan.sheet,
        "header_row": plan.header_row,
        "mapping": [
            {"column": c.header, "field": c.field, "sample": plan.samples.get(c.index)}
            for c in plan.columns
        ],
    }


def _print(
    plan: importer.Plan, summary: importer.Summary, dry_run: bool, rejects: Path | None
) -> None:
    mapping = Table(
        _("Column"),
        _("Field"),
        _("Example"),
        title=_("{file}, sheet “{sheet}”, header on row {row}").format(
            file=plan.path.name, sheet=plan.sheet, row=plan.header_row
        ),
    )
    for column in plan.columns:
        mapping.add_row(column.header, column.label(), plan.samples.get(column.index, ""))
    message_console.print(mapping)
    if summary.problems:
        message_console.print(_problems_table(summary))
    say(
        _(
            "Customers: {created} new, {updated} updated, {unchanged} unchanged. "
            "Added: {contacts} contacts, {orders} orders. Rejected rows: {rejected}."
        ).format(**summary.as_json())
    )
    if dry_run:
        say(_("Dry run: nothing was changed."))
    else:
        say(_("`custbook undo` takes the whole import back."))
    if rejects is not None and summary.rejected:
        warn(
            _("The rejected rows are in {path} (unencrypted: delete it when done).").format(
                path=rejects
            )
        )


def _problems_table(summary: importer.Summary) -> Table:
    problems = sorted(summary.problems, key=lambda p: p.row)
    table = Table(_("Row"), _("Column"), _("Value"), _("Problem"), title=_("Problems"))
    for problem in problems[:_SHOWN_PROBLEMS]:
        table.add_row(str(problem.row), problem.column, problem.value, problem.reason)
    if len(problems) > _SHOWN_PROBLEMS:
        table.caption = _("and {n} more: --json lists them all").format(
            n=len(problems) - _SHOWN_PROBLEMS
        )
    return table
