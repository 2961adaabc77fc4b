"""One form for every record: a field per line, each problem shown under its field, saving
refused until the book accepts it, nothing typed lost; Esc asks before dropping changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from custbook.book import Book
from custbook.book.validation import ValidationError
from custbook.errors import CustbookError
from custbook.i18n import _
from custbook.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    key: str  # the key that picks it while the field has focus


@dataclass(frozen=True)
class Field:
    name: str  # as the book's services (and their problems) name it
    label: str
    value: str = ""
    choices: tuple[Choice, ...] = ()  # a choice bar instead of a text box
    lines: int = 1  # more: a text area
    hint: str = ""


@dataclass(frozen=True)
class Form:
    title: str
    fields: tuple[Field, ...]
    save: Callable[[Book, dict[str, str]], str]  # the values typed → what was done
    changed_only: bool = False  # an edit sends only the fields that changed
    made: Callable[[], int | None] | None = None  # the customer a save made: shown then


def digit_choices(pairs: list[tuple[str, str]]) -> tuple[Choice, ...]:
    """Choices picked by 1, 2, 3…"""
    return tuple(Choice(value, label, str(n)) for n, (value, label) in enumerate(pairs, 1))


class ChoiceBar(Widget, can_focus=True):
    """The choices side by side, each with its key; ←/→ move, the key picks."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"choice-bar--key", "choice-bar--chosen"}
    DEFAULT_CSS = """
    ChoiceBar { height: auto; width: 1fr; padding: 0 1; background: $boost; }
    ChoiceBar:focus { background: $block-cursor-background 30%; }
    ChoiceBar > .choice-bar--key { color: $accent; text-style: bold; }
    ChoiceBar > .choice-bar--chosen { text-style: bold reverse; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", _("Previous choice"), show=False, id="choice-left"),
        Binding("right", "move(1)", _("Next choice"), show=False, id="choice-right"),
    ]
    value: reactive[str] = reactive("")

    def __init__(self, choices: tuple[Choice, ...], value: str, *, id: str) -> None:
        super().__init__(id=id)
        self.choices = choices
        self.set_reactive(ChoiceBar.value, value)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("choice-bar--key")
        chosen_style = self.get_component_rich_style("choice-bar--chosen")
        text = Text()  # wraps on a narrow terminal: every choice stays in sight
        for choice in self.choices:
            chosen = choice.value == self.value
            text.append(choice.key, style=chosen_style if chosen else key_style)
            text.append(" ")
            text.append(choice.label, style=chosen_style if chosen else "")
            text.append("  ")
        return text

    def on_key(self, event: events.Key) -> None:
        for choice in self.choices:
            if event.character == choice.key:
                self.value = choice.value
                event.stop()

    def action_move(self, step: int) -> None:
        values = [c.value for c in self.choices]
        at = values.index(self.value) if self.value in values else -1
        self.value = values[(at + step) % len(values)]


class FormScreen(ModalScreen[bool]):
    """Dismissed with True once the book took the values."""

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen #form {
        width: 90; max-width: 100%; height: auto; max-height: 90%; border: round $primary;
        background: $surface; padding: 0 1;
    }
    FormScreen #title { text-style: bold; color: $primary; padding: 0 0 1 0; }
    FormScreen .row { height: auto; margin-top: 1; }
    FormScreen .label { width: 16; padding: 0 1 0 0; text-style: bold; }
    FormScreen .field { width: 1fr; height: auto; }
    FormScreen Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    FormScreen Input:focus { background: $block-cursor-background 30%; border: none; }
    FormScreen TextArea { width: 1fr; height: 4; border: none; padding: 0 1; }
    FormScreen .problem { color: $error; padding-left: 16; height: auto; }
    FormScreen .problem.-empty { display: none; }
    FormScreen .hint { color: $text-muted; padding-left: 16; height: auto; }
    FormScreen #form-problem { color: $error; height: auto; }
    FormScreen #form-problem.-empty { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", _("Save"), id="save"),  # not priority: keys before it land first
        Binding("escape", "leave", _("Cancel"), id="cancel"),
    ]

    def __init__(self, form: Form) -> None:
        super().__init__()
        self.form = form

    @property
    def custbook(self) -> CustbookApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Static(self.form.title, id="title", markup=False)
            yield Static("", id="form-problem", classes="-empty", markup=False)
            for field in self.form.fields:
                with Horizontal(classes="row"):
                    yield Label(field.label, classes="label", markup=False)
                    with Vertical(classes="field"):
                        yield self._editor(field)
                if field.hint:
                    yield Static(field.hint, classes="hint", markup=False)
                yield Static("", id=f"problem-{field.name}", classes="problem -empty", markup=False)
            yield Static(_("Ctrl+S saves · Esc cancels"), classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#form", VerticalScroll).can_focus = False  # Tab goes field to field
        self.query_one(f"#field-{self.form.fields[0].name}").focus()

    def _editor(self, field: Field) -> Widget:
        if field.choices:
            return ChoiceBar(field.choices, field.value, id=f"field-{field.name}")
        if field.lines > 1:
            return TextArea(field.value, id=f"field-{field.name}", soft_wrap=True)
        return Input(field.value, id=f"field-{field.name}")

    def values(self) -> dict[str, str]:
        """Every field's text as typed now."""
        found = {}
        for field in self.form.fields:
            editor = self.query_one(f"#field-{field.name}")
            if isinstance(editor, ChoiceBar):
                found[field.name] = editor.value
            elif isinstance(editor, TextArea):
                found[field.name] = editor.text
            else:
                found[field.name] = editor.value  # type: ignore[attr-defined]
        return found

    def changed(self) -> dict[str, str]:
        initial = {f.name: f.value for f in self.form.fields}
        return {name: v for name, v in self.values().items() if v != initial[name]}

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the next field; on the last field it saves (a one-field form, as
        snooze until, is typed and Entered)."""
        event.stop()
        if event.input.id == f"field-{self.form.fields[-1].name}":
            await self.action_save()
        else:
            self.focus_next()

    async def action_save(self) -> None:
        values = self.changed() if self.form.changed_only else self.values()
        if self.form.changed_only and not values:
            self.dismiss(False)
            return
        self._show_problems({}, "")
        try:
            done = await self.custbook.write(lambda book: self.form.save(book, values))
        except ValidationError as invalid:
            by_field = {p.field: p.message for p in invalid.problems}
            known = {f.name for f in self.form.fields}
            others = [p.describe() for p in invalid.problems if p.field not in known]
            self._show_problems(by_field, "\n".join(others))
            return
        except CustbookError as problem:
            self._show_problems({}, problem.message)
            return
        self.notify(done, markup=False)
        self.dismiss(True)

    def _show_problems(self, by_field: dict[str, str], general: str) -> None:
        _say(self.query_one("#form-problem", Static), general)
        first = None
        for field in self.form.fields:
            message = by_field.get(field.name, "")
            _say(self.query_one(f"#problem-{field.name}", Static), message)
            if message and first is None:
                first = field.name
        if first is not None:
            self.query_one(f"#field-{first}").focus()

    @work(exclusive=True, group="leave-form")
    async def action_leave(self) -> None:
        if self.changed():
            question = _("Drop what you typed in this form?")
            if not await self.app.push_screen_wait(ConfirmScreen(question, _("Drop it"))):
                return
        self.dismiss(False)


def _say(place: Static, message: str) -> None:
    """A problem shown, or its line gone."""
    place.update(message)
    place.set_class(not message, "-empty")
