"""Done and snooze for a reminder, the same from the agenda and from a customer's page:
each is a change for the book's thread and what to tell once it is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding

from custbook.book import Book
from custbook.book.validation import Problem, ValidationError
from custbook.book.when import WhenError, parse_when
from custbook.i18n import _
from custbook.tui.forms import when_hint
from custbook.tui.screens.form import Field, Form

Change = tuple[Callable[[Book], Any], Callable[[Any], str]]


def bindings(*, show: bool) -> list[Binding]:
    """The keys of a screen with reminders under its cursor (actions done, snooze,
    snooze_until); `show`: in its footer."""
    return [
        Binding("d", "done", _("Done"), show=show, id="done"),
        Binding("z", "snooze('1d')", _("Snooze a day"), show=show, id="snooze-day"),
        Binding("w", "snooze('1w')", _("Snooze a week"), show=show, id="snooze-week"),
        Binding("Z", "snooze_until", _("Snooze until…"), show=show, id="snooze-until"),
    ]


def done(reminder_id: int) -> Change:
    """Done: a repeating reminder moves on to its next date."""
    return (
        lambda book: book.activity.complete(reminder_id, source="app done"),
        lambda r: (
            _("Done: {title}").format(title=r["title"])
            if r["done_at"]
            else _("Done; it comes back on {due}.").format(due=r["due"])
        ),
    )


def snooze(reminder_id: int, when: str) -> Change:
    """Put off by a WHEN (1d, 1w)."""
    return (
        lambda book: book.activity.snooze(
            reminder_id, parse_when(when, book.clock().date()), source="app snooze"
        ),
        _snoozed,
    )


def snooze_form(reminder_id: int) -> Form:
    """Put off until a day the person types."""

    def save(book: Book, values: dict[str, str]) -> str:
        try:
            until = parse_when(values["until"], book.clock().date())
        except WhenError as problem:
            raise ValidationError([Problem("until", values["until"], problem.message)]) from None
        return _snoozed(book.activity.snooze(reminder_id, until, source="app snooze"))

    field = Field("until", _("Until"), hint=when_hint())
    return Form(_("Snooze until"), (field,), save)


def _snoozed(reminder: dict[str, Any]) -> str:
    return _("Snoozed until {until}: {title}").format(
        until=reminder["snoozed_until"], title=reminder["title"]
    )
