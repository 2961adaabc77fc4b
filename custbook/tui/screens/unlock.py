"""The unlock screen: the book's path, its passphrase, and what went wrong if it did."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from custbook.errors import CustbookError
from custbook.i18n import _
from custbook.tui.messages import Unlocked
from custbook.vault.errors import WrongPassphrase

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp

_MAX_DELAY_S = 30.0


def delay_after(failures: int) -> float:
    """Seconds to wait before the next try: none for the first two, then doubling."""
    return 0.0 if failures < 2 else min(2.0 ** (failures - 1), _MAX_DELAY_S)


class UnlockScreen(Screen[None]):
    """Asks for the passphrase. With `kept` the book is still in memory (a lock whose save
    failed): the passphrase is checked against the file and the book comes back as it was."""

    DEFAULT_CSS = """
    UnlockScreen { align: center middle; }
    UnlockScreen #unlock-box {
        width: 72; height: auto; border: round $primary; padding: 1 2;
    }
    UnlockScreen #title { text-style: bold; color: $primary; }
    UnlockScreen #path { color: $text-muted; margin-bottom: 1; }
    UnlockScreen #message { margin-top: 1; height: auto; }
    UnlockScreen #message.error { color: $error; }
    UnlockScreen #notice { margin-bottom: 1; height: auto; color: $warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [("ctrl+q", "app.quit", _("Quit"))]

    def __init__(self, path: Path, *, passphrase: str = "", notice: str = "", kept: bool = False):
        super().__init__()
        self.path = path
        self.prefilled = passphrase
        self.notice = notice
        self.kept = kept
        self.failures = 0

    @property
    def custbook(self) -> CustbookApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="unlock-box"):
            yield Static(_("custbook — unlock your book"), id="title")
            yield Static(str(self.path), id="path", markup=False)
            yield Static(self.notice, id="notice", markup=False)
            yield Input(
                self.prefilled,
                password=True,
                placeholder=_("Passphrase, then Enter"),
                id="passphrase",
            )
            yield Static("", id="message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#notice", Static).display = bool(self.notice)
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def submitted(self, event: Input.Submitted) -> None:
        if event.value:
            self.try_passphrase(event.value)

    @work(exclusive=True, group="unlock")
    async def try_passphrase(self, passphrase: str) -> None:
        field = self.query_one("#passphrase", Input)
        field.disabled = True
        self.say(_("Unlocking…"))
        try:
            if self.kept:
                await self.custbook.runtime.check_passphrase(passphrase)
            else:
                await self.custbook.runtime.unlock(self.path, passphrase)
        except WrongPassphrase as wrong:
            self.failures += 1
            await self.wait_after_failure(wrong.message)
            return
        except CustbookError as problem:  # damaged, open elsewhere, not a book, newer…
            self.say(problem.message, error=True)
            field.disabled = False
            field.focus()
            return
        self.post_message(Unlocked())

    async def wait_after_failure(self, message: str) -> None:
        field = self.query_one("#passphrase", Input)
        field.value = ""
        delay = delay_after(self.failures)
        if delay:
            self.say(
                message + " " + _("Try again in {seconds:.0f} s.").format(seconds=delay),
                error=True,
            )
            await self.custbook.sleep(delay)
        self.say(message, error=True)
        field.disabled = False
        field.focus()

    def say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(error, "error")
