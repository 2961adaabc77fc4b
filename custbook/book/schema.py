"""The book's tables, built by numbered migrations on `PRAGMA user_version`.

Migration 1 lays the whole data model of DESIGN.md, so later features add code, not tables.
Each migration runs in one transaction; a book from a newer custbook (user_version above
what this code knows) is refused rather than guessed at.

Ids are AUTOINCREMENT: an id is never handed out twice, so a history row or an erase can
never be confused with a later record that happened to get a freed id.

Conventions: money is integer minor units (`*_minor`) with a `currency` (CNY by default);
dates are ISO-8601 `YYYY-MM-DD`; times are ISO-8601 with their UTC offset; lists (phones,
emails) are JSON arrays and custom fields a JSON object, edited whole by the services.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from custbook.book import figures, rows
from custbook.book.db import transaction
from custbook.book.search import index as search_index
from custbook.errors import CustbookError, ExitCode
from custbook.i18n import _

SCHEMA_V1 = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL                      -- JSON
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('company', 'person')),
    name TEXT NOT NULL CHECK (name <> ''),
    company TEXT,
    title TEXT,
    industry TEXT,
    province TEXT,                           -- region / province (省份 / 地区)
    city TEXT,
    country TEXT,
    address TEXT,
    phones TEXT NOT NULL DEFAULT '[]',       -- JSON [{"typed", "e164", "ext"?}]
    emails TEXT NOT NULL DEFAULT '[]',       -- JSON ["a@b.cn"]
    wechat TEXT,
    website TEXT,
    stage TEXT CHECK (stage IN ('lead', 'prospect', 'active', 'loyal', 'dormant', 'lost')),
    grade TEXT CHECK (grade IN ('A', 'B', 'C')),
    source TEXT,
    birthday TEXT,                           -- YYYY-MM-DD, or --MM-DD without a year
    preferences TEXT,                        -- 兴趣偏好
    special_needs TEXT,                      -- 个性化需求
    notes TEXT,
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    do_not_contact INTEGER NOT NULL DEFAULT 0 CHECK (do_not_contact IN (0, 1)),
    consent_date TEXT,                       -- PIPL consent
    custom_fields TEXT NOT NULL DEFAULT '{}',-- JSON {"name": "value"}
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    reviewed_at TEXT,
    archived_at TEXT
);
CREATE INDEX customers_name ON customers (name);
CREATE INDEX customers_company ON customers (company);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (customer_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX customer_tags_tag ON customer_tags (tag_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (name <> ''),
    title TEXT,
    phones TEXT NOT NULL DEFAULT '[]',
    emails TEXT NOT NULL DEFAULT '[]',
    wechat TEXT,
    birthday TEXT,
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN
        ('call', 'visit', 'meeting', 'email', 'message', 'feedback', 'event')),
    happened_at TEXT NOT NULL,
    subject TEXT,
    body TEXT,
    outcome TEXT,
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    created_at TEXT NOT NULL
);
CREATE INDEX interactions_customer ON interactions (customer_id, happened_at);

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'follow-up' CHECK (kind IN
        ('follow-up', 'birthday', 'renewal', 'payment', 'custom')),
    title TEXT NOT NULL,
    notes TEXT,
    due TEXT NOT NULL,                       -- a date, or a time with offset
    repeat_rule TEXT,                        -- daily, weekly, monthly, yearly, every N days
    snoozed_until TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX reminders_due ON reminders (done_at, due);
CREATE INDEX reminders_customer ON reminders (customer_id);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    ordered_on TEXT NOT NULL,
    product TEXT,
    quantity TEXT,                           -- a decimal, as text: never a float
    unit_price_minor INTEGER,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN
        ('open', 'paid', 'cancelled', 'refunded')),
    payment_due TEXT,
    paid_on TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, ordered_on);

CREATE TABLE opportunities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    product TEXT,
    amount_minor INTEGER,
    currency TEXT NOT NULL DEFAULT 'CNY',
    stage TEXT,
    probability INTEGER CHECK (probability BETWEEN 0 AND 100),
    expected_close TEXT,
    next_step TEXT,
    outcome TEXT CHECK (outcome IN ('won', 'lost')),
    closed_on TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX opportunities_customer ON opportunities (customer_id);

-- One change set per command, screen save or import; one row per changed field.
CREATE TABLE change_sets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    made_at TEXT NOT NULL,
    source TEXT NOT NULL,                    -- what made it: "cli edit", "app", "import"
    kind TEXT NOT NULL DEFAULT 'change' CHECK (kind IN ('change', 'undo', 'erase')),
    undoes INTEGER REFERENCES change_sets (id),
    undone_by INTEGER REFERENCES change_sets (id)
);
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    change_set_id INTEGER NOT NULL REFERENCES change_sets (id) ON DELETE CASCADE,
    entity TEXT NOT NULL,                    -- customer, contact, ...
    entity_id INTEGER NOT NULL,
    customer_id INTEGER,                     -- whose record this touches (history, erase)
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    field TEXT,                              -- NULL for create/delete: a whole-row snapshot
    before TEXT,                             -- JSON
    after TEXT                               -- JSON
);
CREATE INDEX changes_set ON changes (change_set_id);
CREATE INDEX changes_customer ON changes (customer_id);

CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    query TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def apply(db: sqlite3.Connection) -> None:
        for statement in _statements(sql):
            db.execute(statement)

    return apply


def _statements(sql: str) -> list[str]:
    """Split a script on complete statements (executescript would commit mid-migration)."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    return [s for s in statements if s.strip()]


def _add_figures(db: sqlite3.Connection) -> None:
    _script(figures.FIGURES_SCHEMA)(db)
    figures.rebuild(db)


def _add_all_words(db: sqlite3.Connection) -> None:
    """Computes every customer's pinyin once, at the upgrade (or copies it from the tables
    of migration 3); from then on only writes do."""
    search_index.add_all_words(db)


MIGRATIONS: list[Migration] = [
    Migration(1, "the whole data model", _script(SCHEMA_V1)),
    Migration(2, "figures kept per customer (last contact, next reminder)", _add_figures),
    Migration(
        3, "the search index (trigram text, pinyin, recency order)", _script(search_index.SCHEMA)
    ),  # filled by 4
    Migration(4, "one index of every word, for queries of several words", _add_all_words),
    Migration(5, "each word behind its column group's mark", search_index.mark_words),
    Migration(6, "two-character words sort as read (重庆 under C)", search_index.resort),
    Migration(7, "Latin names sort among Chinese ones by their words", search_index.resort),
]
LATEST = MIGRATIONS[-1].version


class NewerBook(CustbookError):
    exit_code = ExitCode.NEWER_VERSION


def schema_version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite3.Connection, target: int = LATEST) -> int:
    """Bring the database up to `target`, one transaction per migration. Returns the
    version it started from."""
    start = schema_version(db)
    if start > LATEST:
        raise NewerBook(
            _(
                "This book's data was written by a newer custbook (schema {found}, this "
                "version knows {known}). Update custbook to open it."
            ).format(found=start, known=LATEST)
        )
    for migration in MIGRATIONS:
        if start < migration.version <= target:
            with transaction(db):
                migration.apply(db)
                db.execute(f"PRAGMA user_version = {migration.version}")
            rows.forget_schema()  # the tables may have changed
    return start
