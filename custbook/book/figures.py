"""Figures kept per customer at write time, so lists and the agenda never aggregate.

The inputs that do not change with time (the last contact, the next open reminder) are
kept in `customer_figures`, indexed, and refreshed whenever a write touches a customer's
interactions or reminders (services and undo alike go through `rows.apply`). Whatever
depends on today ("silent for 40 days") is computed at read time from these columns.
`rebuild` recomputes every row; a test checks kept == recomputed.
"""

from __future__ import annotations

import sqlite3

FIGURES_SCHEMA = """
CREATE TABLE customer_figures (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    last_contact_at TEXT,                    -- newest interaction
    interactions INTEGER NOT NULL DEFAULT 0,
    next_due TEXT                            -- earliest open reminder (snooze applied)
);
CREATE INDEX customer_figures_last_contact ON customer_figures (last_contact_at);
CREATE INDEX customer_figures_next_due ON customer_figures (next_due);
"""

_COMPUTE = """
SELECT
    (SELECT max(happened_at) FROM interactions WHERE customer_id = :id),
    (SELECT count(*) FROM interactions WHERE customer_id = :id),
    (SELECT min(coalesce(snoozed_until, due)) FROM reminders
        WHERE customer_id = :id AND done_at IS NULL)
"""


def refresh(db: sqlite3.Connection, customer_id: int) -> None:
    """Recompute one customer's figures (a few indexed lookups)."""
    if db.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
        return  # erased or undone: its row went with it
    last, count, due = db.execute(_COMPUTE, {"id": customer_id}).fetchone()
    db.execute(
        "INSERT INTO customer_figures (customer_id, last_contact_at, interactions, next_due)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET"
        " last_contact_at = excluded.last_contact_at, interactions = excluded.interactions,"
        " next_due = excluded.next_due",
        (customer_id, last, count, due),
    )


def rebuild(db: sqlite3.Connection) -> int:
    """Recompute every customer's figures; returns how many."""
    ids = [r[0] for r in db.execute("SELECT id FROM customers")]
    for customer_id in ids:
        refresh(db, customer_id)
    return len(ids)


def kept(db: sqlite3.Connection) -> list[tuple[object, ...]]:
    return [
        tuple(r)
        for r in db.execute(
            "SELECT customer_id, last_contact_at, interactions, next_due FROM customer_figures"
            " ORDER BY customer_id"
        )
    ]
