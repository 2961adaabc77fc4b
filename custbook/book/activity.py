"""What happens with customers: interactions logged, reminders set, done and snoozed.

Each is a record in the history like any other, so `undo` reverts the last log (with the
follow-up it set) and each write refreshes the customer's kept figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from custbook.book import recorded, rows
from custbook.book.history import Recorder, change_set
from custbook.book.recurrence import RuleError, next_due, parse_rule
from custbook.book.validation import LATEST_YEAR, Checker, clean_text
from custbook.errors import NotFound
from custbook.i18n import _

if TYPE_CHECKING:
    from custbook.book.book import Book

INTERACTION_KINDS = ("call", "visit", "meeting", "email", "message", "feedback", "event")
REMINDER_KINDS = ("follow-up", "birthday", "renewal", "payment", "custom")
_KIND_WORDS = {
    "call": "call", "电话": "call", "打电话": "call",
    "visit": "visit", "拜访": "visit", "上门": "visit",
    "meeting": "meeting", "会议": "meeting", "开会": "meeting",
    "email": "email", "邮件": "email",
    "message": "message", "消息": "message", "微信": "message", "短信": "message",
    "feedback": "feedback", "反馈": "feedback",
    "event": "event", "活动": "event",
}  # fmt: skip


class Activity:
    """Interactions and reminders of one book."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.db = book.db

    def log(
        self,
        customer_id: int,
        values: Mapping[str, Any],
        *,
        source: str,
        follow_up: date | None = None,
    ) -> dict[str, Any]:
        """Record an interaction (when: now unless given) and, in the same change set, the
        next follow-up reminder."""
        record = self.checked_log(customer_id, values, follow_up=follow_up)
        with change_set(self.db, self.book.clock, source) as recorder:
            record["created_at"] = self.book.now_text()  # the change set's: its follow-up's too
            logged = self._create("interaction", record, customer_id, recorder)
            if follow_up is not None:
                title = _("Follow up: {subject}").format(
                    subject=record["subject"] or record["kind"]
                )
                self._create(
                    "reminder", self._reminder(customer_id, title, follow_up), customer_id, recorder
                )
        return logged

    def checked_log(
        self, customer_id: int, values: Mapping[str, Any], *, follow_up: date | None = None
    ) -> dict[str, Any]:
        """The interaction `log` would record, or ValidationError naming every problem;
        nothing is written (a form asks it, with the dates it could read)."""
        customers = self.book.customers
        customers.require(customer_id)
        checker = Checker(region=self.book.phone_region)
        contact_id = values.get("contact_id")
        if contact_id is not None and not customers.has_contact(customer_id, contact_id):
            checker.problem("contact_id", str(contact_id), _("is not a contact of this customer"))
        record = {
            "customer_id": customer_id,
            "kind": checker.choice(
                "kind", values.get("kind") or "call", _KIND_WORDS, INTERACTION_KINDS
            ),
            "happened_at": _time_text(
                values.get("happened_at") or self.book.clock(), self.book.clock()
            ),
            "contact_id": values.get("contact_id"),
            "subject": checker.text("subject", values.get("subject")),
            "body": checker.text("body", values.get("body")),
            "outcome": checker.text("outcome", values.get("outcome")),
            "rating": checker.whole_number("rating", values.get("rating"), 1, 5),
        }
        checker.in_years("next", follow_up)
        checker.finish()
        return record

    def remind(
        self,
        title: str,
        due: date,
        *,
        source: str,
        customer_id: int | None = None,
        kind: str = "follow-up",
        repeat_rule: str | None = None,
        notes: str | None = None,
    ) -> dict[str, Any]:
        checker = Checker()
        cleaned = checker.text("title", title, required=True)
        repeat_rule = self._rule(checker, repeat_rule)
        chosen = checker.choice("kind", kind, {k: k for k in REMINDER_KINDS}, REMINDER_KINDS)
        checker.in_years("due", due)
        checker.finish()
        if customer_id is not None:
            self.book.customers.require(customer_id)
        with change_set(self.db, self.book.clock, source) as recorder:
            record = self._reminder(customer_id, cleaned or "", due, kind=chosen or "follow-up")
            record.update(repeat_rule=repeat_rule, notes=clean_text(notes))
            return self._create("reminder", record, customer_id, recorder)

    def reminder(self, reminder_id: int) -> dict[str, Any]:
        record = rows.snapshot(self.db, "reminder", reminder_id)
        if record is None:
            raise NotFound(_("There is no reminder {id}.").format(id=reminder_id))
        return record

    def done(self, reminder_id: int, next_due: date | None, *, source: str) -> dict[str, Any]:
        """Mark done; a repeating one moves on to `next_due` instead (its next occurrence,
        which the caller computes from the repeat rule). One done already stays as it is,
        and nothing is recorded."""
        current = self.reminder(reminder_id)
        if current["done_at"] is not None:
            return current
        with change_set(self.db, self.book.clock, source):  # done at its instant
            if next_due is not None:
                updates = {"due": next_due.isoformat(), "snoozed_until": None}
            else:
                updates = {"done_at": self.book.now_text()}
            return self._update(current, updates, source)

    def edit_reminder(
        self, reminder_id: int, values: Mapping[str, Any], *, source: str
    ) -> dict[str, Any]:
        """Change a reminder's title, due day (a date), repeat rule or notes, each checked
        as when setting one; a new due day wakes a snoozed reminder on that day."""
        current = self.reminder(reminder_id)
        checker = Checker()
        updates: dict[str, Any] = {}
        for name, value in values.items():
            if name == "title":
                updates["title"] = checker.text("title", value, required=True)
            elif name == "due":
                due = checker.date("due", value)
                if due is None and not checker.problems:
                    checker.problem("due", "", _("is required"))
                updates.update(due=due, snoozed_until=None)
            elif name == "repeat_rule":
                updates["repeat_rule"] = self._rule(checker, value)
            elif name == "notes":
                updates["notes"] = checker.text("notes", value)
            else:
                raise ValueError(f"unknown field {name!r}")  # a programming error
        checker.finish()
        changed = {k: v for k, v in updates.items() if current[k] != v}
        return self._update(current, changed, source) if changed else current

    @staticmethod
    def _rule(checker: Checker, text: Any) -> str | None:
        """A repeat rule in its stored form (None: once), or a problem for the checker."""
        if not clean_text(text):
            return None
        try:
            return parse_rule(str(text))
        except RuleError:
            checker.problem(
                "repeat_rule", str(text), _("is not a repeat rule like monthly or 每月")
            )
            return None

    def complete(self, reminder_id: int, *, source: str) -> dict[str, Any]:
        """Done: a repeating reminder moves on to its next date after today (and after its
        own due date), any other one is marked done."""
        current = self.reminder(reminder_id)
        rule = current["repeat_rule"]
        due = date.fromisoformat(current["due"][:10])
        today = self.book.clock().date()
        try:
            moved_to = next_due(rule, due, max(due, today)) if rule else None
        except OverflowError:  # the next one would fall after the year 9999
            moved_to = None
        if moved_to is not None and moved_to.year > LATEST_YEAR:
            moved_to = None  # the series ends with the years the book keeps
        return self.done(reminder_id, moved_to, source=source)

    def snooze(self, reminder_id: int, until: date, *, source: str) -> dict[str, Any]:
        current = self.reminder(reminder_id)
        checker = Checker()
        checker.in_years("snoozed_until", until)
        checker.finish()
        return self._update(current, {"snoozed_until": until.isoformat()}, source)

    def interactions(self, customer_id: int) -> list[dict[str, Any]]:
        """Newest first."""
        return [
            rows.snapshot(self.db, "interaction", r[0]) or {}
            for r in self.db.execute(
                "SELECT id FROM interactions WHERE customer_id = ?"
                " ORDER BY happened_at DESC, id DESC",
                (customer_id,),
            )
        ]

    def open_reminders(self, customer_id: int | None = None) -> list[dict[str, Any]]:
        """Not done, soonest first (a snoozed one counts from when it wakes)."""
        where, arguments = "done_at IS NULL", ()
        if customer_id is not None:
            where, arguments = "done_at IS NULL AND customer_id = ?", (customer_id,)
        return [
            rows.snapshot(self.db, "reminder", r[0]) or {}
            for r in self.db.execute(
                f"SELECT id FROM reminders WHERE {where} ORDER BY coalesce(snoozed_until, due), id",
                arguments,
            )
        ]

    def _reminder(
        self, customer_id: int | None, title: str, due: date, *, kind: str = "follow-up"
    ) -> dict[str, Any]:
        return {
            "customer_id": customer_id,
            "kind": kind,
            "title": title,
            "due": due.isoformat(),
            "created_at": self.book.now_text(),
        }

    def _create(
        self, entity: str, record: dict[str, Any], customer_id: int | None, recorder: Recorder
    ) -> dict[str, Any]:
        return recorded.create(self.book, entity, record, customer_id, recorder)

    def _update(
        self, current: dict[str, Any], updates: dict[str, Any], source: str
    ) -> dict[str, Any]:
        return recorded.update(self.book, "reminder", current, updates, source)


def _time_text(when: datetime, now: datetime) -> str:
    """ISO-8601 with an offset; a time without one is taken in the book's clock's zone."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=now.tzinfo)
    return when.isoformat(timespec="seconds")
