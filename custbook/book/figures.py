"""Figures kept per customer at write time, so lists and the agenda never aggregate.

The inputs that do not change with time (the last contact, the next open reminder, revenue,
the earliest unpaid due date, open opportunity value) are kept in `customer_figures`,
indexed, and refreshed whenever a write touches a customer's interactions, reminders,
orders or opportunities (services and undo alike go through `rows.apply`). Whatever
depends on today ("silent for 40 days") is computed at read time from these columns.
`rebuild` recomputes every row; a test checks kept == recomputed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from custbook.book.db import transaction

FIGURES_SCHEMA = """
CREATE TABLE customer_figures (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    last_contact_at TEXT,                    -- newest interaction
    interactions INTEGER NOT NULL DEFAULT 0,
    next_due TEXT,                           -- earliest open reminder (snooze applied)
    revenue_minor INTEGER NOT NULL DEFAULT 0,-- orders neither cancelled nor refunded
    orders INTEGER NOT NULL DEFAULT 0,
    last_order_on TEXT,
    unpaid_due TEXT,                         -- earliest payment due of an open order
    troubled_orders INTEGER NOT NULL DEFAULT 0, -- cancelled or refunded
    open_opportunity_minor INTEGER NOT NULL DEFAULT 0,
    silent_since TEXT,                       -- last contact, or when added if never contacted
    watch_grade TEXT                         -- the grade, for customers the agenda watches
                                             -- (not archived, not do-not-contact, not lost)
);
CREATE INDEX customer_figures_watch ON customer_figures (watch_grade, silent_since)
    WHERE watch_grade IS NOT NULL;
CREATE INDEX customer_figures_silent_since ON customer_figures (silent_since);
CREATE INDEX customer_figures_revenue ON customer_figures (revenue_minor);
CREATE TABLE customer_revenue_months (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    month TEXT NOT NULL,                     -- YYYY-MM of the order date
    revenue_minor INTEGER NOT NULL,
    PRIMARY KEY (customer_id, month)
) WITHOUT ROWID;
CREATE INDEX customers_birthday_day ON customers (substr(birthday, -5))
    WHERE birthday IS NOT NULL;
CREATE INDEX contacts_birthday_day ON contacts (substr(birthday, -5))
    WHERE birthday IS NOT NULL;
CREATE INDEX orders_unpaid_due ON orders (payment_due) WHERE status = 'open';
CREATE INDEX reminders_open_wakes ON reminders (coalesce(snoozed_until, due))
    WHERE done_at IS NULL;

CREATE INDEX customer_figures_last_contact ON customer_figures (last_contact_at);
CREATE INDEX customer_figures_next_due ON customer_figures (next_due);
CREATE INDEX customer_figures_unpaid_due ON customer_figures (unpaid_due);
"""

COLUMNS = (
    "last_contact_at", "interactions", "next_due", "revenue_minor", "orders", "last_order_on",
    "unpaid_due", "troubled_orders", "open_opportunity_minor", "silent_since", "watch_grade",
)  # fmt: skip
_COMPUTE = """
SELECT
    (SELECT max(happened_at) FROM interactions WHERE customer_id = :id),
    (SELECT count(*) FROM interactions WHERE customer_id = :id),
    (SELECT min(coalesce(snoozed_until, due)) FROM reminders
        WHERE customer_id = :id AND done_at IS NULL),
    (SELECT coalesce(sum(amount_minor), 0) FROM orders
        WHERE customer_id = :id AND status IN ('open', 'paid')),
    (SELECT count(*) FROM orders WHERE customer_id = :id AND status IN ('open', 'paid')),
    (SELECT max(ordered_on) FROM orders WHERE customer_id = :id AND status IN ('open', 'paid')),
    (SELECT min(payment_due) FROM orders WHERE customer_id = :id AND status = 'open'),
    (SELECT count(*) FROM orders WHERE customer_id = :id AND status IN ('cancelled', 'refunded')),
    (SELECT coalesce(sum(amount_minor), 0) FROM opportunities
        WHERE customer_id = :id AND outcome IS NULL),
    coalesce(
        (SELECT max(happened_at) FROM interactions WHERE customer_id = :id),
        (SELECT created_at FROM customers WHERE id = :id)
    ),
    (SELECT grade FROM customers WHERE id = :id AND archived_at IS NULL
        AND do_not_contact = 0 AND coalesce(stage, '') != 'lost')
"""


# What a change must touch for the figures to follow: the customer fields they read (the
# agenda watches by grade, stage, archiving and consent) and every change to the rest.
SOURCES = {"customer", "interaction", "reminder", "order", "opportunity"}
_CUSTOMER_FIELDS = {"grade", "stage", "archived_at", "do_not_contact"}
REFRESH_SQL = (
    f"INSERT INTO customer_figures (customer_id, {', '.join(COLUMNS)})"
    f" SELECT :id, {_COMPUTE.strip().removeprefix('SELECT')}"
    " WHERE EXISTS (SELECT 1 FROM customers WHERE id = :id)"  # erased or undone: nothing
    " ON CONFLICT (customer_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS)
)


def affected(entity: str, action: str, field: str | None) -> bool:
    """Whether a change to this record can move its customer's figures."""
    if entity == "customer" and action == "update":
        return field in _CUSTOMER_FIELDS
    return entity in SOURCES


def refresh(db: sqlite3.Connection, customer_id: int, *, revenue: bool = True) -> None:
    """Recompute one customer's figures (a few indexed lookups), and with `revenue` its
    revenue per month (only orders move it)."""
    db.execute(REFRESH_SQL, {"id": customer_id})
    if revenue:
        refresh_revenue(db, customer_id)


def refresh_revenue(db: sqlite3.Connection, customer_id: int) -> None:
    db.execute(_DELETE_REVENUE, (customer_id,))
    db.execute(_INSERT_REVENUE, (customer_id,))


def refresh_many(
    db: sqlite3.Connection, ids: list[int], *, revenue: list[int]
) -> dict[int, dict[str, object]]:
    """`refresh` for many customers: a few, one executemany per statement; many (an
    import), one statement of grouped reads for all of them (a tenth of the time: each
    table read once, not a dozen lookups per customer). Returns a lone customer's figures
    (an everyday write's: a new customer is handed back without reading them again)."""
    kept: dict[int, dict[str, object]] = {}
    if not ids:  # an executemany of nothing still prepares its statement
        return kept
    if len(ids) == 1:
        for row in db.execute(_REFRESH_ONE_SQL, {"id": ids[0]}).fetchall():  # none when
            kept[ids[0]] = _named(row)  # the customer is gone (erased, an add undone)
    elif len(ids) < _SET_FROM:
        db.executemany(REFRESH_SQL, ({"id": i} for i in ids))
    else:
        db.execute(_REFRESH_SET_SQL, {"ids": json.dumps(ids)})
    if revenue:
        _refresh_revenue_many(db, revenue)
    return kept


_REFRESH_ONE_SQL = f"{REFRESH_SQL} RETURNING {', '.join(COLUMNS)}"


def _refresh_revenue_many(db: sqlite3.Connection, revenue: list[int]) -> None:
    if len(revenue) < _SET_FROM:
        db.executemany(_DELETE_REVENUE, ((i,) for i in revenue))
        db.executemany(_INSERT_REVENUE, ((i,) for i in revenue))
    else:
        db.execute(_DELETE_REVENUE.replace("= ?", _IN_IDS), {"ids": json.dumps(revenue)})
        db.execute(
            _INSERT_REVENUE.replace("= ?", _IN_IDS).replace("GROUP BY 2", "GROUP BY 1, 2"),
            {"ids": json.dumps(revenue)},
        )


_SET_FROM = 100  # customers
_IN_IDS = " IN (SELECT value FROM json_each(:ids))"
# _COMPUTE for a set of customers: the same figures from grouped reads (a test compares
# them with `refresh` one by one).
_REFRESH_SET_SQL = f"""
INSERT INTO customer_figures (customer_id, {", ".join(COLUMNS)})
SELECT c.id, i.last_at, coalesce(i.n, 0), r.next_due, coalesce(o.revenue, 0),
    coalesce(o.n, 0), o.last_order, o.unpaid_due, coalesce(o.troubled, 0),
    coalesce(p.open_value, 0), coalesce(i.last_at, c.created_at),
    CASE WHEN c.archived_at IS NULL AND c.do_not_contact = 0
        AND coalesce(c.stage, '') != 'lost' THEN c.grade END
FROM customers c
LEFT JOIN (SELECT customer_id, max(happened_at) AS last_at, count(*) AS n FROM interactions
    WHERE customer_id{_IN_IDS} GROUP BY customer_id) i ON i.customer_id = c.id
LEFT JOIN (SELECT customer_id, min(coalesce(snoozed_until, due)) AS next_due FROM reminders
    WHERE customer_id{_IN_IDS} AND done_at IS NULL GROUP BY customer_id) r
    ON r.customer_id = c.id
LEFT JOIN (SELECT customer_id,
        sum(CASE WHEN status IN ('open', 'paid') THEN amount_minor END) AS revenue,
        sum(status IN ('open', 'paid')) AS n,
        max(CASE WHEN status IN ('open', 'paid') THEN ordered_on END) AS last_order,
        min(CASE WHEN status = 'open' THEN payment_due END) AS unpaid_due,
        sum(status IN ('cancelled', 'refunded')) AS troubled
    FROM orders WHERE customer_id{_IN_IDS} GROUP BY customer_id) o ON o.customer_id = c.id
LEFT JOIN (SELECT customer_id, sum(amount_minor) AS open_value FROM opportunities
    WHERE customer_id{_IN_IDS} AND outcome IS NULL GROUP BY customer_id) p
    ON p.customer_id = c.id
WHERE c.id{_IN_IDS}
ON CONFLICT (customer_id) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in COLUMNS)}
"""


_DELETE_REVENUE = "DELETE FROM customer_revenue_months WHERE customer_id = ?"
_INSERT_REVENUE = (
    "INSERT INTO customer_revenue_months (customer_id, month, revenue_minor)"
    " SELECT customer_id, substr(ordered_on, 1, 7), sum(amount_minor) FROM orders"
    " WHERE customer_id = ? AND status IN ('open', 'paid') GROUP BY 2"
)


def rebuild(db: sqlite3.Connection) -> int:
    """Recompute every customer's figures; returns how many."""
    ids = [r[0] for r in db.execute("SELECT id FROM customers")]
    with transaction(db):
        for customer_id in ids:
            refresh(db, customer_id)
    return len(ids)


def kept(db: sqlite3.Connection) -> list[tuple[object, ...]]:
    """Every kept figure, monthly revenue included, for comparing with a rebuild."""
    names = ", ".join(COLUMNS)
    figures = [
        tuple(r)
        for r in db.execute(f"SELECT customer_id, {names} FROM customer_figures ORDER BY 1")
    ]
    months = [tuple(r) for r in db.execute("SELECT * FROM customer_revenue_months ORDER BY 1, 2")]
    return figures + months


def monthly_revenue(db: sqlite3.Connection, customer_id: int, since_month: str) -> dict[str, int]:
    return {
        r[0]: r[1]
        for r in db.execute(
            "SELECT month, revenue_minor FROM customer_revenue_months"
            " WHERE customer_id = ? AND month >= ?",
            (customer_id, since_month),
        )
    }


def monthly_revenue_of(
    db: sqlite3.Connection, customer_ids: list[int], since_month: str
) -> dict[int, dict[str, int]]:
    """`monthly_revenue` of several customers in one read (every id has an entry)."""
    found: dict[int, dict[str, int]] = {customer_id: {} for customer_id in customer_ids}
    marks = ", ".join("?" for _ in customer_ids)
    for customer_id, month, revenue in db.execute(
        "SELECT customer_id, month, revenue_minor FROM customer_revenue_months"
        f" WHERE customer_id IN ({marks}) AND month >= ?",
        (*customer_ids, since_month),
    ):
        found[customer_id][month] = revenue
    return found


def of(db: sqlite3.Connection, customer_id: int) -> dict[str, object]:
    """One customer's kept figures by name (zeros for one without a row yet)."""
    row = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM customer_figures WHERE customer_id = ?",
        (customer_id,),
    ).fetchone()
    return _named(row or (None, 0, None, 0, 0, None, None, 0, 0, None, None))


def _named(row: Sequence[object]) -> dict[str, object]:
    return dict(zip(COLUMNS, row, strict=True))
