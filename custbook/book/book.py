"""`Book`: the domain layer over one sqlite3 connection. Screens and commands call its
services and never write SQL themselves."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar, cast

from custbook.book import agenda, history, listing
from custbook.book.activity import Activity
from custbook.book.agenda import Agenda
from custbook.book.customers import Customers
from custbook.book.db import prepare_connection, transaction
from custbook.book.deals import Deals
from custbook.book.history import ChangeSet
from custbook.book.listing import PAGE_SIZE, ListedCustomer
from custbook.book.schema import migrate
from custbook.book.search import engine
from custbook.book.search.views import Views
from custbook.book.tags import Tags
from custbook.clock import Clock, system_clock

T = TypeVar("T")

DEFAULT_SETTINGS: dict[str, Any] = {
    "phone_region": "CN",
    "currency": "CNY",
}


class Book:
    def __init__(self, db: sqlite3.Connection, *, clock: Clock = system_clock) -> None:
        self.db = db
        self.clock = clock
        prepare_connection(db)
        migrate(db)
        self.customers = Customers(self)
        self.tags = Tags(self)
        self.activity = Activity(self)
        self.deals = Deals(self)
        self.views = Views(self)
        self._memo: dict[str, tuple[int, Any]] = {}
        self._settings: dict[str, Any] = {}

    @classmethod
    def in_memory(cls, *, clock: Clock = system_clock) -> Book:
        return cls(sqlite3.connect(":memory:"), clock=clock)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, remembered until the next write (sqlite3's total_changes moves on
        every INSERT, UPDATE and DELETE): book-wide figures a page asks for fifty times."""
        stamp = self.db.total_changes
        hit = self._memo.get(key)
        if hit is not None and hit[0] == stamp:
            return cast(T, hit[1])
        value = compute()
        self._memo[key] = (stamp, value)
        return value

    def now_text(self) -> str:
        """Now, as stored; inside a change set, its instant (made_at): what is stamped
        while it is open shares one time (a log and its follow-up; an import's thousands
        of records, read once). Services stamp inside their change set; outside one
        (a saved view, an export) this is the clock's time."""
        made_at = history.open_made_at(self.db)
        return made_at if made_at is not None else self.clock().isoformat(timespec="seconds")

    @contextmanager
    def one_instant(self) -> Iterator[None]:
        """The clock stands still inside: what is written is made at one time, as an
        import's thousands of records are (one change set, one moment; and the clock is
        read once, not twice a record)."""
        clock, now = self.clock, self.clock()
        self.clock = lambda: now
        try:
            yield
        finally:
            self.clock = clock

    # -- settings ----------------------------------------------------------------------

    def setting(self, key: str) -> Any:
        """A book setting (kept in memory: only set_setting changes them)."""
        if key not in self._settings:
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            self._settings[key] = json.loads(row[0]) if row else DEFAULT_SETTINGS.get(key)
        return self._settings[key]

    def set_setting(self, key: str, value: Any) -> None:
        self._settings.pop(key, None)
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    @property
    def phone_region(self) -> str:
        return str(self.setting("phone_region"))

    def search(
        self, text: str, *, today: date | None = None, limit: int = 50, order: str | None = None
    ) -> list[ListedCustomer]:
        """The customers `text` finds, best first (search/engine.py); QueryError for a
        filter it cannot read."""
        return engine.search(self, text, today or self.clock().date(), limit=limit, order=order)

    def count(self, text: str, *, today: date | None = None) -> int | None:
        """How many customers a filter-only query finds in all (None for free text)."""
        return engine.count(self, text, today or self.clock().date())

    def page(
        self, *, after: tuple[str, int] | None = None, limit: int = PAGE_SIZE
    ) -> list[ListedCustomer]:
        """A page of the customer list, by name (listing.py)."""
        return listing.page(self, self.clock().date(), after=after, limit=limit)

    def agenda(self, today: date | None = None) -> Agenda:
        """Overdue and due reminders, silent customers, unpaid orders, birthdays."""
        return agenda.build(self, today or self.clock().date())

    # -- history -----------------------------------------------------------------------

    def history(self, customer_id: int) -> list[ChangeSet]:
        return history.customer_history(self.db, customer_id)

    def undo(self, *, source: str) -> tuple[ChangeSet, ChangeSet]:
        return history.undo(self.db, self.clock, source)

    def next_to_undo(self) -> ChangeSet | None:
        return history.next_to_undo(self.db)
