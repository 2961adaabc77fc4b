"""The Textual app: unlock, the customer list, saving a moment after each change, the idle
lock. Everything that touches the book goes through `runtime` (runtime.py)."""

from __future__ import annotations

import asyncio
import gc
import time
import traceback
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer

from custbook.book import Book
from custbook.clock import Clock, system_clock
from custbook.errors import CustbookError
from custbook.i18n import _
from custbook.tui.commands import ActionProvider, CustomerProvider, screen_actions
from custbook.tui.config import AppConfig
from custbook.tui.forms import FORMS, ROW_FORMS, new_customer_form
from custbook.tui.messages import OpenCustomer, Unlocked
from custbook.tui.runtime import BookRuntime
from custbook.tui.screens.agenda import AgendaScreen
from custbook.tui.screens.customer import CustomerScreen
from custbook.tui.screens.form import Form, FormScreen
from custbook.tui.screens.help import HelpScreen
from custbook.tui.screens.importing import ImportScreen
from custbook.tui.screens.main import MainScreen
from custbook.tui.screens.unlock import UnlockScreen

T = TypeVar("T")
SAVE_DELAY_S = 2.0  # after the last change
IDLE_CHECK_S = 15.0


def settle_memory() -> None:
    """After an unlock: collect now what the unlock left (its buffers, a big book's worth)
    and freeze what stays, so the collector never walks the long-lived objects between
    keystrokes (a full collection took about 100 ms at 100,000 customers)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def awake_and_asleep_seconds() -> float:
    """A clock for the idle lock that keeps running while the laptop sleeps (monotonic
    does not, on Linux or macOS): CLOCK_BOOTTIME where there is one, else wall time."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(boottime) if boottime is not None else time.time()


class CustbookApp(App[None]):
    TITLE = "custbook"
    COMMANDS = App.COMMANDS | {CustomerProvider, ActionProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "toggle_theme", _("Light/dark"), show=False, id="theme"),
        Binding("ctrl+l", "lock_asked", _("Lock"), show=False, id="lock-anywhere"),
        Binding("tab", "focus_next", _("Next field"), show=False, id="focus-next"),
        Binding("shift+tab", "focus_previous", _("Previous field"), show=False, id="focus-back"),
    ]

    def __init__(
        self,
        path: Path,
        *,
        passphrase: str = "",
        clock: Clock = system_clock,
        config: AppConfig | None = None,
        idle_clock: Callable[[], float] = awake_and_asleep_seconds,
    ) -> None:
        super().__init__()
        self.book_path = path
        self.prefilled = passphrase
        self.config = config or AppConfig()
        self.runtime = BookRuntime(clock)
        self.clock = clock
        self.idle_clock = idle_clock
        self.last_activity = idle_clock()
        self.save_text = ""
        self.locked = True
        self._save_timer: Timer | None = None
        self._quit_unsaved = False
        self._quit_typed = False  # a Ctrl+Q already warned about a form's typed text

    async def on_mount(self) -> None:
        self.theme = self.config.theme
        notice = ""
        if self.prefilled:
            notice = _("A demo book: its passphrase “{passphrase}” is filled in. Press Enter.")
            notice = notice.format(passphrase=self.prefilled)
        await self.push_screen(
            UnlockScreen(self.book_path, passphrase=self.prefilled, notice=notice)
        )
        self.set_interval(IDLE_CHECK_S, self.lock_if_idle)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    # -- unlocking and locking ---------------------------------------------------------

    @on(Unlocked)
    async def unlocked(self) -> None:
        self.locked = False
        self.last_activity = self.idle_clock()
        settle_memory()
        if isinstance(self.screen, UnlockScreen) and self.screen.kept:
            self.pop_screen()  # the book stayed in memory: back where we were
            return
        await self.switch_screen(MainScreen())
        rollback = self.runtime.vault.rollback
        if rollback is not None:  # an older copy of the file was put back
            self.notify(rollback.describe(), severity="warning", timeout=30, markup=False)
        if await self.runtime.has_unsaved_changes():  # an upgraded book: save it once
            self.changed()

    async def action_lock(self) -> None:
        """Save, forget the data and the key, and ask for the passphrase again. If the save
        fails, the changes stay in memory (never on disk) and the unlock screen says so."""
        if self.locked or not self.runtime.is_open:
            return
        self.locked = True
        if await self.save_now():
            await self.runtime.close()
            while len(self.screen_stack) > 2:
                self.pop_screen()
            await self.switch_screen(UnlockScreen(self.book_path))
        else:
            notice = _(
                "Locked, but the last changes could not be saved ({problem}). They are "
                "kept in memory only, never on disk: unlock to keep working, and save again."
            ).format(problem=self.save_text)
            await self.push_screen(UnlockScreen(self.book_path, notice=notice, kept=True))

    async def action_lock_asked(self) -> None:
        """Ctrl+L on any screen; not over a form with typed text (locking would drop it)."""
        if any(isinstance(s, FormScreen) and s.changed() for s in self.screen_stack):
            self.notify(_("Save or cancel the form first (Ctrl+S or Esc)."), markup=False)
            return
        await self.action_lock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown
                      | events.MouseScrollUp):  # fmt: skip
            self.last_activity = self.idle_clock()
        await super().on_event(event)

    async def lock_if_idle(self) -> None:
        idle = self.idle_clock() - self.last_activity
        if not self.locked and idle >= self.config.idle_minutes * 60:
            await self.action_lock()

    # -- saving ------------------------------------------------------------------------

    def changed(self) -> None:
        """Something was written: save a moment after the last change."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY_S, self.save_now)
        self.set_save_text(_("unsaved changes"))

    async def save_now(self) -> bool:
        """Save now if anything changed; False (and the footer says why) if it failed."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if not self.runtime.is_open:
            return True
        self.set_save_text(_("saving…"))
        try:
            await self.runtime.save()
        except CustbookError as problem:
            self.set_save_text(_("not saved: {problem}").format(problem=problem.message))
            return False
        self.set_save_text(_("saved {time}").format(time=self.clock().strftime("%H:%M")))
        self._quit_unsaved = False  # a later failure warns again
        return True

    def set_save_text(self, text: str) -> None:
        self.save_text = text
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.show_save_state(text)

    async def write(self, work: Callable[[Book], T]) -> T:
        """A change on the book's thread, then a save a moment later (CustbookError, for
        input the book refused, goes to the caller: nothing was written)."""
        done = await self.runtime.run(work)
        self.changed()
        return done

    async def write_and_tell(self, work: Callable[[Book], T], told: Callable[[T], str]) -> bool:
        """`write`, then a note saying what was done (`told`; nothing when empty), or the
        book's refusal; False if it was refused."""
        try:
            done = await self.write(work)
        except CustbookError as problem:
            self.notify(problem.message, severity="error", markup=False)
            return False
        if text := told(done):
            self.notify(text, markup=False)
        return True

    async def action_quit(self) -> None:
        typing = [s for s in self.screen_stack if isinstance(s, FormScreen) and s.changed()]
        if typing and not self._quit_typed:
            self._quit_typed = True
            self.notify(
                _("A form holds what you typed: Ctrl+S saves it, Esc closes it. Press "
                  "Ctrl+Q again to quit without it."),
                severity="warning",
                timeout=10,
                markup=False,
            )  # fmt: skip
            return
        if self.runtime.is_open and not await self.save_now() and not self._quit_unsaved:
            self._quit_unsaved = True
            self.notify(
                _("The book could not be saved: {problem}. Press Ctrl+Q again to quit "
                  "without the last changes.").format(problem=self.save_text),
                severity="error",
                timeout=10,
                markup=False,
            )  # fmt: skip
            return
        if self.runtime.is_open:
            await self.runtime.close()
        self.runtime.shutdown()
        self.exit()

    # -- everywhere --------------------------------------------------------------------

    @on(OpenCustomer)
    async def open_customer(self, message: OpenCustomer) -> None:
        if self.runtime.is_open and not self.locked:
            await self.push_screen(CustomerScreen(message.customer_id))

    def shown_customer(self) -> int | None:
        """The customer the screen is about: the one open, or under the list's cursor."""
        customer_id = getattr(self.screen, "customer_id", None)
        if customer_id is None and isinstance(self.screen, MainScreen):
            customer_id = self.screen.cursor_customer()
        return customer_id

    async def open_form(self, kind: str, customer_id: int | None = None) -> None:
        """A form (forms.FORMS) about a customer: the one shown when not given."""
        customer_id = customer_id if customer_id is not None else self.shown_customer()
        if customer_id is not None:
            await self._push_form(lambda book: FORMS[kind](book, customer_id))

    async def _push_form(self, build: Callable[[Book], Form]) -> None:
        if not self.runtime.is_open or self.locked:
            return
        self._quit_typed = False  # a new form: Ctrl+Q warns about it again
        try:
            form = await self.runtime.run(build)
        except CustbookError as problem:
            self.notify(problem.message, severity="error", markup=False)
            return
        await self.push_screen(FormScreen(form), partial(self._saved, form))

    def _saved(self, form: Form, saved: bool | None) -> None:
        made = form.made() if saved and form.made is not None else None
        if made is not None:  # a new customer: its page
            self.post_message(OpenCustomer(made))

    async def action_new_customer(self) -> None:
        await self._push_form(new_customer_form)

    async def open_row_form(self, tab: str, row_id: int) -> None:
        """The form that edits one row of a customer's page (forms.ROW_FORMS)."""
        await self._push_form(lambda book: ROW_FORMS[tab](book, row_id))

    async def action_add(self, kind: str) -> None:
        await self.open_form(kind)

    async def action_log_for_shown(self) -> None:
        await self.open_form("log")

    async def action_import(self) -> None:
        if self.runtime.is_open and not self.locked and not isinstance(self.screen, ImportScreen):
            await self.push_screen(ImportScreen())

    async def show_imported(self, created: list[int]) -> None:
        """Back to the list, showing the customers an import added (its ids are one
        run: it writes them in order)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, MainScreen):
            self.pop_screen()
        if isinstance(self.screen, MainScreen) and created:
            self.screen.search_for(f"id:{min(created)}-{max(created)}")

    async def action_agenda(self) -> None:
        if self.runtime.is_open and not self.locked and not isinstance(self.screen, AgendaScreen):
            await self.push_screen(AgendaScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands, less Screenshot: it would write the customers on the
        screen to a plain file."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_help(self) -> None:
        """custbook's own keys that apply here, the keys of one action on one line."""
        keys = [(keys, what) for what, keys, _node, _binding in screen_actions(self, self.screen)]
        self.push_screen(HelpScreen(keys))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self.config.theme = self.theme

    def _fatal_error(self) -> None:
        """Textual prints the crash with local variables, which could hold customer data;
        custbook prints only where it happened."""
        error = self._exception
        frames = traceback.extract_tb(error.__traceback__) if error else []
        lines = [f"  {f.filename}:{f.lineno} in {f.name}" for f in frames[-12:]]
        text = Text(
            _("custbook stopped on an unexpected error ({kind}). The book file holds the last "
              "save; nothing else was written.").format(kind=type(error).__name__)
            + "\n" + "\n".join(lines)
        )  # fmt: skip
        self.bell()
        self._exit_renderables.append(text)
        self._close_messages_no_wait()
