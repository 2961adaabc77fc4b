"""`custbook backup list | verify | restore`: the automatic backups beside the book."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click
from rich.progress import Progress
from rich.table import Table

from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import data_console, emit_json, message_console, say
from custbook.cli.passphrase import book_passphrase, prompt_passphrase
from custbook.errors import ExitCode, NotFound
from custbook.i18n import _
from custbook.vault import (
    Backup,
    BackupCheck,
    BackupState,
    VaultError,
    WrongPassphrase,
    restore_backup,
)
from custbook.vault import backups as vault_backups
from custbook.vault.backups import KeyCache
from custbook.vault.store import check_passphrase


@cli.group(help=_("The automatic backups kept beside the book: list, verify, restore."))
def backup() -> None:
    pass


def _passphrase_checked_against_book(state: CliState) -> str:
    """The passphrase, refused (exit 3) when the book is readable and it does not open it.

    A damaged or missing book does not stop a look at its backups.
    """
    passphrase = book_passphrase(state.passphrase_file)
    try:
        check_passphrase(state.book_path, passphrase)
    except WrongPassphrase:
        raise
    except (VaultError, OSError):
        pass
    return passphrase


def _checked(backups: list[Backup], keys: KeyCache) -> Iterator[BackupCheck]:
    with Progress(
        console=message_console, transient=True, disable=not message_console.is_terminal
    ) as progress:
        task = progress.add_task(_("Verifying backups"), total=len(backups))
        for backup in backups:
            yield vault_backups.check_backup(backup, keys)
            progress.advance(task)


def _row(check: BackupCheck) -> dict[str, object]:
    return {
        "id": check.backup.id,
        "saved_at": check.backup.saved_at.astimezone().isoformat(timespec="seconds"),
        "size_bytes": check.backup.size,
        "passphrase": "older" if check.state is BackupState.OLDER_PASSPHRASE else "current",
        "verifies": {BackupState.OK: True, BackupState.DAMAGED: False}.get(check.state),
        "problem": check.reason,
        "file": check.backup.path.name,
    }


def _verifies_text(check: BackupCheck) -> str:
    if check.state is BackupState.OK:
        return _("yes")
    if check.state is BackupState.DAMAGED:
        return _("no: {reason}").format(reason=check.reason)
    return _("not checked (needs that passphrase)")


@backup.command("list", help=_("List the backups: time, size, passphrase, whether each verifies."))
@book_options()
@click.option("--json", "as_json", is_flag=True, help=_("Print the list as JSON."))
@click.pass_obj
def list_command(state: CliState, as_json: bool) -> None:
    passphrase = _passphrase_checked_against_book(state)
    found = vault_backups.list_backups(state.book_path)
    checks = list(_checked(found, KeyCache(passphrase)))
    if as_json:
        emit_json([_row(check) for check in checks])
        return
    if not checks:
        say(_("There are no backups of {path} yet.").format(path=state.book_path))
        return
    table = Table(_("ID"), _("Saved"), _("Size"), _("Passphrase"), _("Verifies"))
    for check in checks:
        row = _row(check)
        table.add_row(
            check.backup.id,
            check.backup.saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            _("{kib:,} KiB").format(kib=-(-check.backup.size // 1024)),
            _("older") if row["passphrase"] == "older" else _("current"),
            _verifies_text(check),
        )
    data_console.print(table)


@backup.command(
    help=_(
        "Decrypt every backup and run SQLite's integrity check on each; exit 4 naming each bad one."
    )
)
@book_options()
@click.pass_obj
def verify(state: CliState) -> None:
    passphrase = _passphrase_checked_against_book(state)
    checks = list(_checked(vault_backups.list_backups(state.book_path), KeyCache(passphrase)))
    bad = [c for c in checks if c.state is BackupState.DAMAGED]
    older = [c for c in checks if c.state is BackupState.OLDER_PASSPHRASE]
    for check in bad:
        say(
            _("Backup {id} ({file}) is damaged: {reason}.").format(
                id=check.backup.id, file=check.backup.path.name, reason=check.reason
            )
        )
    good = len(checks) - len(bad) - len(older)
    say(_("{good} of {total} backups verify.").format(good=good, total=len(checks)))
    if older:
        say(
            _("{n} were saved under an older passphrase and were not checked: {ids}.").format(
                n=len(older), ids=", ".join(c.backup.id for c in older)
            )
        )
    if bad:
        click.get_current_context().exit(int(ExitCode.DAMAGED))


def _one_backup(state: CliState, backup_id: str) -> Backup:
    matches = vault_backups.find_backup(state.book_path, backup_id)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(
            _("There is no backup {id} of {path}; `custbook backup list` shows them.").format(
                id=backup_id, path=state.book_path
            )
        )
    names = ", ".join(b.path.name for b in matches)
    raise NotFound(
        _("Backup {id} is ambiguous ({names}); give the file name instead.").format(
            id=backup_id, names=names
        )
    )


@backup.command(
    help=_(
        "Make backup ID the book again. The current book is kept as a backup first; the "
        "restored book opens with that backup's passphrase."
    )
)
@book_options()
@click.argument("backup_id", metavar="ID")
@click.pass_obj
def restore(state: CliState, backup_id: str) -> None:
    chosen = _one_backup(state, backup_id)
    passphrase = book_passphrase(state.passphrase_file)
    try:
        vault, kept = restore_backup(state.book_path, chosen, passphrase)
    except WrongPassphrase:
        if not sys.stdin.isatty():
            raise  # names the backup file; scripts give its passphrase with --passphrase-file
        older = prompt_passphrase(
            _("Backup {id} needs the passphrase it was saved with").format(id=chosen.id),
            source_hint=_("backup {id} does not open with the passphrase given").format(
                id=chosen.id
            ),
        )
        vault, kept = restore_backup(state.book_path, chosen, older)
    vault.close()
    say(
        _("Restored backup {id} (saved {when}) as {path}.").format(
            id=chosen.id,
            when=chosen.saved_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            path=state.book_path,
        )
    )
    if kept is not None:
        say(_("The book it replaced is kept as backup {file}.").format(file=kept.name))
