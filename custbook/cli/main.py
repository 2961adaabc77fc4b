"""The `custbook` command: global options, error handling and exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from custbook.cli.output import error
from custbook.cli.passphrase import ENV_PASSPHRASE_FILE
from custbook.errors import CustbookError, ExitCode
from custbook.i18n import _
from custbook.paths import default_book_path

ENV_BOOK = "CUSTBOOK_BOOK"
ENV_DEBUG = "CUSTBOOK_DEBUG"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliState:
    """Options that may be given before or after the command name."""

    book: Path | None = None
    passphrase_file: Path | None = None

    @property
    def book_path(self) -> Path:
        return self.book if self.book is not None else default_book_path()


def _remember(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:
            setattr(ctx.ensure_object(CliState), field, value)

    return callback


def book_options(*, from_env: bool = False) -> Callable[[F], F]:
    """--book and --passphrase-file, accepted on the group and on each command.

    Only the group reads the environment, so an explicit option after the command name
    always wins over CUSTBOOK_BOOK / CUSTBOOK_PASSPHRASE_FILE.
    """

    def decorate(command: F) -> F:
        command = click.option(
            "--book",
            type=click.Path(path_type=Path),
            envvar=ENV_BOOK if from_env else None,
            expose_value=False,
            callback=_remember("book"),
            help=_("The book file (default: {path}; env {env}).").format(
                path=default_book_path(), env=ENV_BOOK
            ),
        )(command)
        return click.option(
            "--passphrase-file",
            type=click.Path(path_type=Path),
            envvar=ENV_PASSPHRASE_FILE if from_env else None,
            expose_value=False,
            callback=_remember("passphrase_file"),
            help=_("Read the passphrase from this file (env {env}).").format(
                env=ENV_PASSPHRASE_FILE
            ),
        )(command)

    return decorate


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    help=_(
        "custbook: a customer book for one salesperson, in one encrypted file. Without a "
        "command, opens the app on the book."
    ),
    invoke_without_command=True,
)
@book_options(from_env=True)
@click.pass_context
def cli(ctx: click.Context) -> None:
    state = ctx.ensure_object(CliState)
    if ctx.invoked_subcommand is None:
        open_app(state.book_path)


def open_app(path: Path, *, passphrase: str = "", clock: Any = None) -> None:
    """Run the app on the book at `path` (in a terminal only)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.UsageError(_("The app needs a terminal; `custbook --help` lists commands."))
    from custbook.tui.app import CustbookApp
    from custbook.tui.config import AppConfig

    options = {} if clock is None else {"clock": clock}
    app = CustbookApp(path, passphrase=passphrase, config=AppConfig.load(), **options)
    app.run()
    with contextlib.suppress(OSError):
        app.config.save()


def run(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code. Known problems never show a traceback."""
    try:
        result = cli.main(args=argv, prog_name="custbook", standalone_mode=False)
    except click.exceptions.Abort:
        error(_("Stopped."))
        return 130
    except click.ClickException as problem:
        problem.show()
        return problem.exit_code
    except CustbookError as problem:
        error(problem.message)
        return int(problem.exit_code)
    except KeyboardInterrupt:
        error(_("Stopped."))
        return 130
    except Exception as problem:
        if os.environ.get(ENV_DEBUG):
            raise
        # No traceback and no exception text: either could carry customer data.
        error(
            _(
                "custbook stopped on an unexpected problem ({kind}). The book file is only "
                "ever replaced by a complete, verified save, so it is intact. Set {env}=1 to "
                "see the details."
            ).format(kind=type(problem).__name__, env=ENV_DEBUG)
        )
        return int(ExitCode.INVALID_INPUT)
    return result if isinstance(result, int) else 0


def main() -> NoReturn:
    sys.exit(run())
