"""Where a passphrase comes from: a file, the environment, or a prompt on the terminal.

Scripts use --passphrase-file (CUSTBOOK_PASSPHRASE_FILE) or CUSTBOOK_PASSPHRASE. Without a
terminal and without either, custbook stops at once (exit 7) instead of waiting for input
that will never come.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from custbook.errors import InvalidInput, NoPassphraseSource
from custbook.i18n import _

ENV_PASSPHRASE = "CUSTBOOK_PASSPHRASE"
ENV_PASSPHRASE_FILE = "CUSTBOOK_PASSPHRASE_FILE"


def read_passphrase_file(path: Path) -> str:
    """The file's text without one trailing line break (editors add one)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput(
            _("Cannot read the passphrase file {path}: {problem}.").format(
                path=path, problem=error.strerror or error
            )
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(
            _("The passphrase file {path} is not UTF-8 text.").format(path=path)
        ) from None
    passphrase = text.removesuffix("\n").removesuffix("\r")
    if not passphrase:
        raise InvalidInput(_("The passphrase file {path} is empty.").format(path=path))
    return passphrase


def prompt_passphrase(prompt: str, *, confirm: bool = False, source_hint: str) -> str:
    """Ask on the terminal (twice when `confirm`); an empty answer is asked again."""
    if not sys.stdin.isatty():
        raise NoPassphraseSource(
            _("No passphrase: this is not a terminal, and {hint}.").format(hint=source_hint)
        )
    return click.prompt(
        prompt,
        hide_input=True,
        confirmation_prompt=_("Repeat for confirmation") if confirm else False,
        err=True,
    )


def book_passphrase(passphrase_file: Path | None, *, confirm: bool = False) -> str:
    """The passphrase of the book: file, then environment, then the terminal."""
    if passphrase_file is not None:
        return read_passphrase_file(passphrase_file)
    from_env = os.environ.get(ENV_PASSPHRASE)
    if from_env:
        return from_env
    return prompt_passphrase(
        _("Passphrase"),
        confirm=confirm,
        source_hint=_("neither {env} nor --passphrase-file ({file_env}) is set").format(
            env=ENV_PASSPHRASE, file_env=ENV_PASSPHRASE_FILE
        ),
    )


def new_passphrase(new_passphrase_file: Path | None) -> str:
    """A new passphrase for `passwd`: from --new-passphrase-file, or asked twice."""
    if new_passphrase_file is not None:
        return read_passphrase_file(new_passphrase_file)
    return prompt_passphrase(
        _("New passphrase"), confirm=True, source_hint=_("--new-passphrase-file is not given")
    )
