"""`custbook backup list | verify | restore`: the automatic backups beside the book."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import Progress
from rich.table import Table

from custbook.cli.main import CliState, book_options, cli
from custbook.cli.output import data_console, emit_json, message_console, say, warn
from custbook.cli.passphrase import book_passphrase, prompt_passphrase
from custbook.errors import CustbookError, ExitCode, NotFound
from custbook.i18n import _
from custbook.vault import (
    Backup,
    BackupCheck,
    BackupState,
    Vault,
    VaultError,
    WrongPassphrase,
    read_book_header,
    restore_backup,
)
from custbook.vault import backups as vault_backups
from custbook.vault.backups import KeyCache
from custbook.vault.lock import BookLock
from custbook.vault.store import check_passphrase


class BackupNeedsItsPassphrase(CustbookError):
    exit_code = ExitCode.WRONG_PASSPHRASE


@cli.group(help=_("The automatic backups kept beside the book: list, verify, restore."))
def backup() -> None:
    pass


def _checked_backups(state: CliState) -> list[BackupCheck]:
    """Every backup checked with the passphrase given, which must open the book when the
    book is readable (exit 3 otherwise). A damaged or missing book does not stop a look at
    its backups, but then a passphrase that opens none of them is refused too."""
    keys = KeyCache(book_passphrase(state.passphrase_file))
    try:
        check_passphrase(state.book_path, keys)
        confirmed = True
    except WrongPassphrase:
        raise
    except VaultError:
        confirmed = False
    checks = _checked(vault_backups.list_backups(state.book_path), keys)
    if not confirmed and checks and all(c.state is BackupState.OLDER_PASSPHRASE for c in checks):
        raise WrongPassphrase(_("any of the {n} backups").format(n=len(checks)))
    return checks


def _checked(backups: list[Backup], keys: KeyCache) -> list[BackupCheck]:
    """Each backup checked in full; backups pruned meanwhile by a save are left out."""
    checks = []
    with Progress(
        console=message_console, transient=True, disable=not message_console.is_terminal
    ) as progress:
        task = progress.add_task(_("Verifying backups"), total=len(backups))
        for backup in backups:
            if (check := vault_backups.check_backup(backup, keys)) is not None:
                checks.append(check)
            progress.advance(task)
    return checks


def _passphrase_word(check: BackupCheck) -> str:
    return "older" if check.state is BackupState.OLDER_PASSPHRASE else "current"


def _row(check: BackupCheck) -> dict[str, object]:
    return {
        "id": check.backup.id,
        "saved_at": check.backup.saved_at.astimezone().isoformat(timespec="seconds"),
        "size_bytes": check.size,
        "passphrase": _passphrase_word(check),
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
    checks = _checked_backups(state)
    if as_json:
        emit_json([_row(check) for check in checks])
        return
    if not checks:
        say(_("There are no backups of {path} yet.").format(path=state.book_path))
        return
    table = Table(_("ID"), _("Saved"), _("Size"), _("Passphrase"), _("Verifies"))
    for check in checks:
        table.add_row(
            check.backup.id,
            check.backup.saved_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            _("{kib:,} KiB").format(kib=-(-check.size // 1024)),
            _("older") if _passphrase_word(check) == "older" else _("current"),
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
    checks = _checked_backups(state)
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
    lock = BookLock.acquire(state.book_path)  # refuse at once while the app has the book
    try:
        before = _salt_of(state.book_path)
        vault = _restore_with_its_passphrase(state, chosen, lock)
    except BaseException:
        lock.release()
        raise
    vault.close()
    say(
        _("Restored backup {id} (saved {when}) as {path}.").format(
            id=chosen.id,
            when=chosen.saved_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            path=state.book_path,
        )
    )
    if vault.last_kept is not None:
        say(_("The book it replaced is kept as backup {file}.").format(file=vault.last_kept.name))
    if before is not None and before != vault.header.meta.salt:
        warn(
            _("The book now opens with the passphrase backup {id} was saved with.").format(
                id=chosen.id
            )
        )


def _restore_with_its_passphrase(state: CliState, chosen: Backup, lock: BookLock) -> Vault:
    try:
        return restore_backup(
            state.book_path, chosen, book_passphrase(state.passphrase_file), lock=lock
        )
    except WrongPassphrase:
        if not sys.stdin.isatty():
            raise BackupNeedsItsPassphrase(
                _(
                    "Backup {id} does not open with this passphrase; it may have been saved "
                    "under an older one: give that with --passphrase-file."
                ).format(id=chosen.id)
            ) from None
    older = prompt_passphrase(
        _("Backup {id} needs the passphrase it was saved with").format(id=chosen.id),
        source_hint=_("backup {id} does not open with the passphrase given").format(id=chosen.id),
    )
    return restore_backup(state.book_path, chosen, older, lock=lock)


def _salt_of(book: Path) -> bytes | None:
    try:
        return read_book_header(book).meta.salt
    except VaultError:
        return None
