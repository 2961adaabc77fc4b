"""Commands about the book file itself: init, check, passwd, demo."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import click

from custbook.book import Book
from custbook.book.demo import fill_demo_book
from custbook.cli.main import CliState, book_options, cli, open_app
from custbook.cli.output import data_console, emit_json, say, warn
from custbook.cli.passphrase import book_passphrase, new_passphrase
from custbook.clock import Clock
from custbook.errors import InvalidInput, NoPassphraseSource
from custbook.i18n import _
from custbook.vault import (
    BookDamaged,
    BookExists,
    Vault,
    create_book,
    read_book_header,
    unlock_book,
)
from custbook.vault.lock import lock_path_for
from custbook.vault.store import with_restore_hint

DEMO_PASSPHRASE = "demo-passphrase"


def open_book(state: CliState, *, write: bool) -> Vault:
    """Unlock the chosen book, for writing (taking its lock) or read-only.

    A missing, foreign or newer file is named before any prompt. A damaged one is named
    with the newest backup that verifies, which needs the passphrase to tell.
    """
    path = state.book_path
    try:
        read_book_header(path)
    except BookDamaged as damage:
        try:
            passphrase = book_passphrase(state.passphrase_file)
        except NoPassphraseSource:
            raise with_restore_hint(damage, path, None) from None
    else:
        passphrase = book_passphrase(state.passphrase_file)
    vault = unlock_book(path, passphrase, write=write)
    _warn_about(vault)
    return vault


def _warn_about(vault: Vault) -> None:
    if vault.rollback is not None:
        warn(vault.rollback.describe())
    if vault.open_elsewhere is not None:
        warn(
            _(
                "Note: the book is open in another custbook (pid {pid} on {host}); this "
                "reads its last saved state."
            ).format(pid=vault.open_elsewhere.pid, host=vault.open_elsewhere.host)
        )


@cli.command(help=_("Create a new, empty book protected by a passphrase (asked twice)."))
@book_options()
@click.pass_obj
def init(state: CliState) -> None:
    path = state.book_path
    if path.exists() or path.is_symlink():  # before asking for a passphrase twice
        raise BookExists(str(path))
    create_book(path, book_passphrase(state.passphrase_file, confirm=True)).close()
    say(
        _(
            "Created the book {path}. Keep the passphrase safe: without it nothing in the "
            "book can be recovered."
        ).format(path=path)
    )


@cli.command(
    help=_(
        "Decrypt and verify every record of the book and run SQLite's integrity check. "
        "Exit 0 when the book is sound, 4 when it is damaged."
    )
)
@book_options()
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@click.pass_obj
def check(state: CliState, as_json: bool) -> None:
    vault = open_book(state, write=False)
    try:
        vault.integrity_check()
        if as_json:
            emit_json(_check_report(vault))
            return
        for label, value in _check_lines(vault):
            data_console.print(f"{label:<18} {value}", markup=False, soft_wrap=True)
    finally:
        vault.close()


def _check_report(vault: Vault) -> dict[str, object]:
    meta = vault.header.meta
    saved_at = datetime.fromtimestamp(meta.saved_at_ms / 1000, UTC).astimezone()
    return {
        "path": str(vault.path),
        "format_version": "{}.{}".format(*vault.header.version),
        "kdf": {
            "name": "argon2id",
            "passes": meta.kdf.iterations,
            "memory_kib": meta.kdf.memory_kib,
            "lanes": meta.kdf.lanes,
        },
        "save_counter": meta.save_counter,
        "saved_at": saved_at.isoformat(timespec="seconds"),
        "database_bytes": vault.last_summary.length,
        "records": vault.last_summary.records,
        "integrity": "ok",
    }


def _mebibytes(kib: int) -> str:
    return f"{kib // 1024}" if kib % 1024 == 0 else f"{kib / 1024:.3g}"


def _check_lines(vault: Vault) -> list[tuple[str, object]]:
    meta = vault.header.meta
    report = _check_report(vault)
    return [
        (_("Book"), vault.path),
        (_("Format"), report["format_version"]),
        (
            _("Key derivation"),
            _("Argon2id, {passes} passes, {memory} MiB, {lanes} lanes").format(
                passes=meta.kdf.iterations,
                memory=_mebibytes(meta.kdf.memory_kib),
                lanes=meta.kdf.lanes,
            ),
        ),
        (_("Saves"), meta.save_counter),
        (_("Last saved"), report["saved_at"]),
        (
            _("Database"),
            _("{size} bytes in {records} records").format(
                size=vault.last_summary.length, records=vault.last_summary.records
            ),
        ),
        (_("Integrity"), _("ok: every record decrypts and SQLite's check passes")),
    ]


@cli.command(help=_("Change the book's passphrase. The old one opens nothing saved after this."))
@book_options()
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("Read the new passphrase from this file instead of asking twice."),
)
@click.pass_obj
def passwd(state: CliState, new_passphrase_file: Path | None) -> None:
    vault = open_book(state, write=True)
    try:
        vault.change_passphrase(new_passphrase(new_passphrase_file))
    finally:
        vault.close()
    say(
        _(
            "The passphrase of {path} is changed. Backups made before keep the passphrase "
            "they were saved with."
        ).format(path=vault.path)
    )


# Demo customers a book holds: 100,000 took 1,084 MB of SQLite's 1,074 MB (session 11)
DEMO_MOST = 90_000


@cli.command(
    help=_(
        "Make a demo book of realistic customers with a fixed passphrase, in a new "
        "temporary folder (or --out), never touching your own book."
    )
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("Where to make the demo book (must not exist yet)."),
)
@click.option(
    "--customers",
    default=300,
    show_default=True,
    type=click.IntRange(0, DEMO_MOST),
    help=_("How many customers (at most 90,000: a book holds at most 1 GiB)."),
)
@click.option(
    "--seed", default=1, show_default=True, type=int, help=_("Another seed, another book.")
)
@click.option(
    "--today",
    "today_text",
    metavar="DATE",
    help=_("Pretend today is DATE (YYYY-MM-DD), for reproducible screenshots."),
)
@click.option(
    "--no-app",
    is_flag=True,
    help=_("Only make the book and print where it is (also without a terminal)."),
)
def demo(out: Path | None, customers: int, seed: int, today_text: str | None, no_app: bool) -> None:
    today = _demo_today(today_text)
    path = out if out is not None else Path(tempfile.mkdtemp(prefix="custbook-demo-")) / "demo.cbk"
    clock = _clock_on(today)
    vault = create_book(path, DEMO_PASSPHRASE, clock=clock)
    made = False
    try:
        summary = fill_demo_book(
            Book(vault.db, clock=clock), customers=customers, seed=seed, today=today
        )
        vault.save()
        made = True
    finally:
        vault.close()
        if not made:  # nothing half made is left at --out: a second try may use it
            for leftover in (path, lock_path_for(path)):
                leftover.unlink(missing_ok=True)
    say(_("Made a demo book: {path}").format(path=path))
    say(_("Its passphrase: {passphrase}").format(passphrase=DEMO_PASSPHRASE))
    say(
        _(
            "It holds {customers} customers, {interactions} interactions, {orders} orders and "
            "{reminders} reminders. Try: custbook --book {path} due"
        ).format(
            customers=summary.customers,
            interactions=summary.interactions,
            orders=summary.orders,
            reminders=summary.reminders,
            path=path,
        )
    )
    if not no_app and sys.stdin.isatty() and sys.stdout.isatty():
        open_app(path, passphrase=DEMO_PASSPHRASE, clock=clock)


def _demo_today(text: str | None) -> date:
    if text is None:
        return datetime.now().astimezone().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("--today takes a date like 2026-11-25, not “{text}”.").format(text=text)
        ) from None


def _clock_on(today: date) -> Clock:
    """The real time of day on `today` (the real day unless --today moves it)."""
    offset = date.today() - today

    def clock() -> datetime:
        return datetime.now().astimezone() - offset

    return clock
