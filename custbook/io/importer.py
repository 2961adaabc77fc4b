"""Bringing a spreadsheet or contact export into the book, losing nothing.

`prepare` reads the file, finds its header and maps its columns, reads every row and
puts the rows of one customer together (the same name with a shared phone or email, or
without any to tell them apart). `run` writes the result through the book's services as
one change set, so a finished import is one undo and a failed one changes nothing:

- a customer already in the book (found the same way) gets its empty fields filled and
  new phones, emails, tags, contacts and orders added; a value that differs from the
  book's is never written over it: it is reported and kept in a line of the notes;
- an order already in the book (same day, product and amount) is not added again, so
  importing the same file twice changes nothing the second time.

A dry run is a run rolled back: its counts are exactly what the import would do.
"""

from __future__ import annotations

import csv
import gc
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from custbook import workers
from custbook.book import recorded
from custbook.book import rows as book_rows
from custbook.book.book import Book
from custbook.book.customers import CONTACT_CHECKS, CUSTOMER_CHECKS, check_values
from custbook.book.db import transaction
from custbook.book.history import Recorder, change_set
from custbook.book.money import Money
from custbook.book.search import index, keys
from custbook.book.validation import field_label
from custbook.errors import InvalidInput
from custbook.i18n import _
from custbook.io import cells, headers, sources
from custbook.io.rows import (
    Numbered,
    Problem,
    Rejected,
    Row,
    RowReader,
    bad_value_note,
    differs,
    header_of,
    read_all,
)

SOURCE = "import"
_SAMPLE_ROWS = 20
Progress = Callable[[int, int], None]


@dataclass
class Incoming:
    """One customer as the file has it: one or more rows."""

    rows: list[Row]
    customer: dict[str, Any]
    contacts: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    identities: set[str] = field(default_factory=set)
    # values of later rows that differ from an earlier row's: what they are measured
    # against is known only when writing (the book's value, if it has one, wins)
    differing: list[Differing] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.rows[0].key


@dataclass
class Plan:
    path: Path
    sheet: str
    header_row: int  # as Excel numbers rows
    columns: list[headers.Column]
    samples: dict[int, str]  # a column's first value, by column index
    incoming: list[Incoming]
    problems: list[Problem]
    rejected: list[Rejected]
    header_cells: list[sources.Cell]
    rows_read: int


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    contacts: int = 0
    orders: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: list[Rejected] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)  # in order: one run of ids

    def counts(self) -> tuple[int, ...]:
        return (self.created, self.updated, self.unchanged, self.contacts, self.orders)

    def restore(self, counts: tuple[int, ...]) -> None:
        self.created, self.updated, self.unchanged, self.contacts, self.orders = counts

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "contacts": self.contacts, "orders": self.orders, "rejected": self.rejected,
            "problems": [p.as_json() for p in self.problems],
        }  # fmt: skip


# ------------------------------------------------------------------------- reading


@contextmanager
def _collector_paused() -> Iterator[None]:
    """An import makes millions of objects that live until it ends; the cycle collector
    would walk them again and again (a tenth of a large import's time) and free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def prepare(
    path: Path,
    *,
    region: str,
    currency: str,
    sheet: str | None = None,
    encoding: str | None = None,
    overrides: dict[str, str] | None = None,
    workers: int | None = None,
) -> Plan:
    """The file read, mapped and grouped; nothing written. `workers`: processes reading
    the rows (default: one a core for a large file)."""
    overrides = overrides or {}
    chosen, header_index = _choose_sheet(sources.read(path, encoding=encoding), sheet, overrides)
    grid = chosen.rows
    header_cells = grid[header_index]
    headers.check_overrides(overrides, header_cells)
    data = [(number + 1, grid[number]) for number in range(header_index + 1, len(grid))]
    columns = _used_columns(headers.map_columns(header_cells, overrides), data, overrides)
    problems = []
    fields = {c.field for c in columns}
    if fields & {"amount", "unit_price"} and "ordered_on" not in fields:
        reason = _("no order date column: orders are dated the day of the import")
        problems.append(Problem(header_index + 1, "", "", reason))
    read = read_all(RowReader(columns, region, currency), data, workers)
    return Plan(
        path, chosen.name, header_index + 1, columns, _samples(columns, data),
        group(read.rows), problems + read.problems, read.rejected, header_cells,
        len(read.rows) + len(read.rejected),
    )  # fmt: skip


def _choose_sheet(
    sheets: list[sources.Sheet], wanted: str | None, overrides: dict[str, str]
) -> tuple[sources.Sheet, int]:
    """The sheet named, else the first whose header can be found; and its header row."""
    if wanted is not None:
        named = [s for s in sheets if s.name == wanted]
        if not named:
            raise InvalidInput(
                _("There is no sheet “{sheet}”; the sheets are: {names}").format(
                    sheet=wanted, names=", ".join(s.name for s in sheets)
                )
            )
        sheets = named
    for sheet in sheets:
        found = headers.find_header(sheet.rows, overrides)
        if found is not None:
            return sheet, found
    raise InvalidInput(
        _(
            "No header row found (in {sheets}): among the first 50 rows, a row naming the "
            "customer (客户名称, 姓名, 公司, 联系人 or Name) and one more known column. Name "
            "columns with --map COLUMN=FIELD; if the headers are garbled, name the "
            "encoding with --encoding (e.g. gbk)."
        ).format(sheets=", ".join(s.name for s in sheets))
    )


def _used_columns(
    columns: list[headers.Column],
    data: list[Numbered],
    overrides: dict[str, str],
) -> list[headers.Column]:
    """Columns without a value in any row are skipped (nothing to keep), unless mapped."""
    used = {c.index for c in columns if any(_filled_at(row, c.index) for _n, row in data)}
    return [
        c
        if c.index in used or headers.normal_header(c.header) in overrides
        else headers.Column(c.index, c.header, headers.SKIP)
        for c in columns
    ]


def _filled_at(row: list[sources.Cell], index: int) -> bool:
    """Whether the row has a value in that column (most columns have one in the first
    row: asking stops there, where asking every cell read the whole sheet)."""
    return index < len(row) and _filled(row[index])


def _filled(cell: sources.Cell) -> bool:
    """Whether a cell holds anything (cheaper than cells.text: every cell is asked)."""
    if isinstance(cell, str):
        return bool(cell) and not cell.isspace()
    return cell is not None


def _samples(columns: list[headers.Column], data: list[Numbered]) -> dict[int, str]:
    """Each column's first value among the first rows (not just row one's)."""
    found: dict[int, str] = {}
    for _number, row in data[:_SAMPLE_ROWS]:
        for column in columns:
            if column.index not in found and column.index < len(row):
                shown = cells.text(row[column.index])
                if shown is not None:
                    found[column.index] = shown
    return found


# ------------------------------------------------------------------------- grouping


def group(rows: Iterable[Row]) -> list[Incoming]:
    """Rows of the same customer as one: same name, and a phone or email in common or
    none on one side to tell them apart; then customers a later row linked (a row with
    both of two customers' phones) as one. Writing never changes what this made: a
    dry run and the import after it write the same."""
    by_key: dict[str, list[Incoming]] = {}
    # (name, phone or email) -> the first customer of that name holding it: thousands of
    # rows of one name (张伟) are not each compared with every customer before them
    holder: dict[tuple[str, str], Incoming] = {}
    found: list[Incoming] = []
    for row in rows:
        identities = row.identities()
        same = _same_in_file(by_key.setdefault(row.key, []), row.key, identities, holder)
        if same is None:
            same = Incoming([row], {})
            by_key[row.key].append(same)
            found.append(same)
        else:
            same.rows.append(row)
        _take_row(same, row, identities)
        for identity in identities:
            holder.setdefault((row.key, identity), same)
    became: dict[int, Incoming | None] = {}
    for groups in by_key.values():
        if len(groups) > 1:
            became |= _linked(groups)
    if not became:
        return found
    kept = (became.get(id(incoming), incoming) for incoming in found)
    return [incoming for incoming in kept if incoming is not None]


def _same_in_file(
    groups: list[Incoming],
    key: str,
    identities: set[str],
    holder: dict[tuple[str, str], Incoming],
) -> Incoming | None:
    """_same_customer among the file's customers of one name, by the index: the first
    sharing a phone or email; else the first, when either side has none (only the first
    of a name can have none: a row with none joins it)."""
    sharing = [holder[(key, i)] for i in identities if (key, i) in holder]
    if sharing:
        return min(sharing, key=lambda incoming: incoming.rows[0].number)
    if groups and (not identities or not groups[0].identities):
        return groups[0]
    return None


def _linked(groups: list[Incoming]) -> dict[int, Incoming | None]:
    """Customers of one name whose phones or emails came to overlap, each set of them
    as one customer made again from its rows in the file's order (the earliest value of
    a field is kept, as for any customer): id(customer) -> what it became (None: part
    of an earlier one)."""
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_holder: dict[str, int] = {}
    for i, incoming in enumerate(groups):
        for identity in incoming.identities:
            a, b = root(first_holder.setdefault(identity, i)), root(i)
            parent[max(a, b)] = min(a, b)
    sets: dict[int, list[int]] = {}
    for i in range(len(groups)):
        sets.setdefault(root(i), []).append(i)
    became: dict[int, Incoming | None] = {}
    for first, members in sets.items():
        if len(members) > 1:
            rows = sorted((r for m in members for r in groups[m].rows), key=lambda r: r.number)
            became |= {id(groups[m]): None for m in members}
            became[id(groups[first])] = _made_of(rows)
    return became


def _made_of(rows: list[Row]) -> Incoming:
    made = Incoming([], {})
    for row in rows:
        made.rows.append(row)
        _take_row(made, row, row.identities())
    return made


def _same_customer(candidates: list[tuple[int, set[str]]], identities: set[str]) -> Any:
    """The book's customer (id, identities) sharing a phone, email or custbook id with
    the file's; else, when either side has none to tell them apart, the first
    (deterministic, so a second import finds the same one). A book customer's own id
    counts only against a row that names one."""
    for candidate in candidates:
        if identities & candidate[1]:
            return candidate
    naming = any(identity.startswith("ref:") for identity in identities)
    for candidate in candidates:
        theirs = candidate[1] if naming else {i for i in candidate[1] if not i.startswith("ref:")}
        if not identities or not theirs:
            return candidate
    return None


def _take_row(incoming: Incoming, row: Row, identities: set[str]) -> None:
    """The row's values added to its customer's; one that differs from an earlier row's
    is remembered (for the notes and the problems, once writing knows what is kept)."""
    updates, conflicts = merged(incoming.customer.get, row.customer)
    incoming.customer.update(updates)
    incoming.notes += row.notes
    incoming.differing += [Differing(row, c) for c in conflicts]
    incoming.identities |= identities
    if row.contact:
        _take_contact(incoming, row)
    if row.order:
        incoming.orders.append(row.order)


def _take_contact(incoming: Incoming, row: Row) -> None:
    contact = row.contact
    key = keys.normal(contact["name"])
    for known in incoming.contacts:
        if keys.normal(known["name"]) == key:
            updates, conflicts = merged(known.get, contact, contact=known["name"])
            known.update(updates)
            incoming.differing += [Differing(row, c) for c in conflicts]
            return
    incoming.contacts.append(dict(contact))


@dataclass(frozen=True)
class Conflict:
    """A value that differs from the one kept (of a contact person, when `contact`)."""

    field: str
    value: Any
    kept: Any
    contact: str | None = None


@dataclass(frozen=True)
class Differing:
    """A conflict found between rows of the file, and the row that brought the value."""

    row: Row
    conflict: Conflict

    def problem(self, columns: list[headers.Column], *, in_book: bool) -> Problem:
        return _conflict_problem(self.row, columns, self.conflict, in_book=in_book)


def merged(
    current: Callable[[str], Any], incoming: dict[str, Any], *, contact: str | None = None
) -> tuple[dict[str, Any], list[Conflict]]:
    """What `incoming` adds to a record: its empty fields filled, new list items added;
    and the values that differ from the record's."""
    updates: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for name, value in incoming.items():
        have = current(name)
        if name in ("phones", "emails", "tags"):
            added = [v for v in value if _item_key(v) not in {_item_key(h) for h in have or []}]
            if added:
                updates[name] = [*(have or []), *added]
        elif have in (None, "", []):
            updates[name] = value
        elif name == "notes" and value not in have:
            updates[name] = f"{have}\n{value}"
        elif name not in ("notes", "kind") and differs(have, value):
            conflicts.append(Conflict(name, value, have, contact))
    return updates, conflicts


def _item_key(value: Any) -> Any:
    if isinstance(value, dict):  # a phone
        return (value["e164"], value.get("ext"))
    return str(value).casefold()


def _against_book(
    differing: list[Differing],
    record: dict[str, Any],
    contacts: dict[str, dict[str, Any]],
    columns: list[headers.Column],
) -> list[tuple[Conflict, Problem]]:
    """Later rows' differing values, measured against what the book keeps: its own value
    where it has one (a value equal to it is no conflict), else the earlier row's."""
    found = []
    for later in differing:
        conflict = later.conflict
        if conflict.contact is None:
            have = book_rows.field_value(record, conflict.field)
        else:
            have = contacts.get(keys.normal(conflict.contact), {}).get(conflict.field)
        if have in (None, "", []):
            found.append((conflict, later.problem(columns, in_book=False)))
        elif differs(have, conflict.value):
            against = Conflict(conflict.field, conflict.value, have, conflict.contact)
            found.append((against, _conflict_problem(later.row, columns, against, in_book=True)))
    return found


def _conflict_note(conflict: Conflict) -> str:
    label = field_label(conflict.field)
    if conflict.contact is not None:
        label = _("{field} of {contact}").format(field=label, contact=conflict.contact)
    kept = _("the book keeps “{kept}”").format(kept=conflict.kept)
    return bad_value_note(label, str(conflict.value), kept)


def _conflict_problem(
    row: Row, columns: list[headers.Column], conflict: Conflict, *, in_book: bool
) -> Problem:
    """The conflict under the file's column that brought the value."""
    of_contact = conflict.contact is not None
    column = header_of(columns, row, conflict.field, contact=of_contact, value=conflict.value)
    if not of_contact and in_book:
        reason = _("differs from the book's “{kept}”, which was kept; the value is in the notes")
    elif not of_contact:
        reason = _(
            "differs from “{kept}” on an earlier row of this customer, which was kept; the "
            "value is in the notes"
        )
    elif in_book:
        reason = _(
            "differs from the book's “{kept}” for {contact}, which was kept; the value is in "
            "the notes"
        )
    else:
        reason = _(
            "differs from “{kept}” for {contact} on an earlier row, which was kept; the value "
            "is in the notes"
        )
    return Problem(
        row.number,
        column,
        str(conflict.value),
        reason.format(kept=conflict.kept, contact=conflict.contact),
    )


def _origin(incoming: Incoming, conflict: Conflict) -> Row:
    """The row that brought a value to the customer (the first that had it; for a
    contact person's, the first naming that person)."""
    person = None if conflict.contact is None else keys.normal(conflict.contact)
    for row in incoming.rows:
        if person is None and conflict.field in row.customer:
            return row
        named = person is not None and keys.normal(row.contact.get("name", "")) == person
        if named and conflict.field in row.contact:
            return row
    return incoming.rows[0]


# ------------------------------------------------------------------------- writing


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@_collector_paused()
def run(
    book: Book, plan: Plan, *, dry_run: bool = False, progress: Progress | None = None
) -> Summary:
    """Write the plan as one change set (or, dry, do it and roll it back)."""
    summary = Summary(problems=list(plan.problems), rejected_rows=list(plan.rejected))
    total = len(plan.incoming)
    # At most so many new customers: a batch of them may have its words worked out by a
    # forked child (a large import's are by started workers at the close)
    writer = _Writer(book, summary, plan.columns, index.forked_for(total))
    try:
        with (
            book.one_instant(),
            transaction(book.db),
            change_set(book.db, book.clock, SOURCE) as recorder,
        ):
            known = writer.known_customers()
            for start in range(0, total, _BATCH):
                batch = plan.incoming[start : start + _BATCH]
                new = [incoming for incoming in batch if writer.matched(incoming, known)]
                writer.create_many(new, recorder)
                if progress is not None:
                    progress(start + len(batch), total)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        writer.close()
    summary.problems.sort(key=lambda problem: problem.row)  # the file's order (stable)
    return summary


_BATCH = 2000  # customers written with one executemany per table (and a progress step)
# The book's customers by name: each one's id, and its phones, emails (its contacts' too)
# and custbook id, as `ref:ID` (a row of custbook's own export names it)
Known = dict[str, list[tuple[int, set[str]]]]


class _Writer:
    def __init__(
        self, book: Book, summary: Summary, columns: list[headers.Column], forked: bool
    ) -> None:
        self.book = book
        self.summary = summary
        self.columns = columns
        # A small import's new customers' words are worked out by a forked child while
        # their records are written (index.forked_for): 8% of a 1,000-row import's time
        self.forked = forked
        self.searching: list[index.WordsLater] = []

    def close(self) -> None:
        """Children whose words were not asked for (a dry run, an error) are ended."""
        workers.close_all(self.searching)

    def known_customers(self) -> Known:
        """Every customer's name key with its phones and emails (its contacts' too)."""
        ids: dict[int, set[str]] = {}
        names: dict[int, str] = {}
        db = self.book.db
        for customer_id, name, phones, emails in db.execute(
            "SELECT id, name, phones, emails FROM customers"
            " UNION ALL SELECT customer_id, NULL, phones, emails FROM contacts"
        ):
            found = ids.setdefault(customer_id, {f"ref:{customer_id}"})
            found |= {p["e164"] for p in _json(phones)} | {e.casefold() for e in _json(emails)}
            if name is not None:
                names[customer_id] = " ".join(keys.normal(name).split())
        known: Known = {}
        for customer_id in sorted(names):
            known.setdefault(names[customer_id], []).append((customer_id, ids[customer_id]))
        return known

    def matched(self, incoming: Incoming, known: Known) -> bool:
        """Bring `incoming` into the customer it matches; True when it is a new one."""
        match = _same_customer(known.get(incoming.key, []), incoming.identities)
        if match is None:  # new (two of the file's are never one: grouping saw to that)
            return True
        target, identities = match
        identities.update(incoming.identities)
        self._update_alone(target, incoming)
        return False

    def _update_alone(self, customer_id: int, incoming: Incoming) -> None:
        """Update one customer; one the book's own checks refuse is rolled back alone and
        its rows rejected with the reason."""
        db, counts = self.book.db, self.summary.counts()
        reported = len(self.summary.problems)
        db.execute("SAVEPOINT import_customer")
        try:
            self._update(customer_id, incoming)
        except InvalidInput as error:
            db.execute("ROLLBACK TO import_customer")
            self.summary.restore(counts)
            del self.summary.problems[reported:]  # nothing of it was kept: only why
            self._reject(incoming, error)
        finally:
            db.execute("RELEASE import_customer")

    def _reject(self, incoming: Incoming, error: InvalidInput) -> None:
        reason = " ".join(str(error).split())
        for row in incoming.rows:
            self.summary.problems.append(Problem(row.number, "", row.name[:80], reason))
            self.summary.rejected_rows.append((row.number, row.cells, reason))

    def create_many(self, new: list[Incoming], recorder: Recorder) -> None:
        """New customers with their contacts and orders, each checked by the services'
        own checks first, then written with one executemany per table."""
        checked = []
        for incoming in new:
            try:
                checked.append((incoming, *self._records(incoming)))
            except InvalidInput as error:
                self._reject(incoming, error)
                continue
            self.summary.problems += [
                d.problem(self.columns, in_book=False) for d in incoming.differing
            ]
        book = self.book
        words = self._searched_later(checked)
        ids = recorded.create_many(book, "customer", [c[1] for c in checked], recorder)
        if words is not None:
            recorder.derived.searched_later(ids, words)
        people, orders = [], []
        for (_incoming, _customer, contacts, deals), customer_id in zip(checked, ids, strict=True):
            people += [(customer_id, {**c, "customer_id": customer_id}) for c in contacts]
            orders += [(customer_id, {**o, "customer_id": customer_id}) for o in deals]
        for entity, records in (("contact", people), ("order", orders)):
            recorded.create_many(book, entity, [r for _o, r in records], recorder)
        self.summary.created += len(ids)
        self.summary.contacts += len(people)
        self.summary.orders += len(orders)
        self.summary.created_ids += ids

    def _searched_later(self, checked: list[Any]) -> index.WordsLater | None:
        """The words of the customers about to be created, begun in a forked child."""
        if not (self.forked and index.forked_for(len(checked))):
            return None
        unsearched = [index.unsearched(customer, people) for _i, customer, people, _o in checked]
        words = workers.later(index.searched_all, unsearched)
        self.searching.append(words)
        return words

    def _records(
        self, incoming: Incoming
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """The customer, contact and order records to insert (ValidationError if the
        book's checks refuse one)."""
        customers, region = self.book.customers, self.book.phone_region
        values = dict(incoming.customer)
        differing = (_conflict_note(d.conflict) for d in incoming.differing)
        note_lines = list(dict.fromkeys([*incoming.notes, *differing]))
        if note_lines:
            values["notes"] = "\n".join(filter(None, [values.get("notes"), *note_lines]))
        customer = customers.new_record("customer", _checked(CUSTOMER_CHECKS, values, region), {})
        contacts = [
            customers.new_record("contact", _checked(CONTACT_CHECKS, c, region), {})
            for c in incoming.contacts
        ]
        orders = [self.book.deals.order_record(0, _order_values(o)) for o in incoming.orders]
        return customer, contacts, orders

    def _update(self, customer_id: int, incoming: Incoming) -> None:
        customers = self.book.customers
        record = customers.record(customer_id)
        changes, conflicts = merged(lambda f: book_rows.field_value(record, f), incoming.customer)
        changes.pop("kind", None)  # the book's kind stands
        existing = {keys.normal(c["name"]): c for c in customers.get(customer_id).contacts}
        touched, contact_conflicts = self._merge_contacts(customer_id, incoming, existing)
        conflicts += contact_conflicts
        self.summary.problems += [
            _conflict_problem(_origin(incoming, c), self.columns, c, in_book=True)
            for c in conflicts
        ]
        later = _against_book(incoming.differing, record, existing, self.columns)
        self.summary.problems += [problem for _c, problem in later]
        lines = [
            *incoming.notes,
            *(_conflict_note(c) for c in [*conflicts, *(c for c, _p in later)]),
        ]
        notes = changes.get("notes", record.get("notes")) or ""
        new_lines = [line for line in dict.fromkeys(lines) if line not in notes]
        if new_lines:
            changes["notes"] = "\n".join(filter(None, [notes, *new_lines]))
        touched |= bool(changes)
        if changes:
            customers.edit(customer_id, changes, source=SOURCE)
        touched |= self._add_orders(customer_id, incoming.orders) > 0
        if touched:
            self.summary.updated += 1
        else:
            self.summary.unchanged += 1

    def _merge_contacts(
        self, customer_id: int, incoming: Incoming, by_name: dict[str, dict[str, Any]]
    ) -> tuple[bool, list[Conflict]]:
        """New contact people added, known ones (`by_name`) given their empty fields;
        whether any was, and the values that differ from the book's (for the notes)."""
        customers = self.book.customers
        touched = False
        conflicts: list[Conflict] = []
        for contact in incoming.contacts:
            known = by_name.get(keys.normal(contact["name"]))
            if known is None:
                customers.add_contact(customer_id, contact, source=SOURCE)
                self.summary.contacts += 1
                touched = True
                continue
            updates, differing = merged(known.get, contact, contact=known["name"])
            conflicts += differing
            if updates:
                customers.edit_contact(known["id"], updates, source=SOURCE)
                touched = True
        return touched, conflicts

    def _add_orders(self, customer_id: int, orders: list[dict[str, Any]]) -> int:
        """Orders not in the book yet (counted: two equal rows are two orders). One
        without a day was dated the day it was imported: it matches any day."""
        have, undated = Counter[tuple[Any, ...]](), Counter[tuple[Any, ...]]()
        for day, product, minor, currency in self.book.db.execute(
            "SELECT ordered_on, product, amount_minor, currency FROM orders WHERE customer_id = ?",
            (customer_id,),
        ):
            have[(day, *_order_key(product, minor, currency))] += 1
            undated[_order_key(product, minor, currency)] += 1
        added = 0
        for order in orders:
            loose = _order_key(order.get("product"), *_order_amount(order))
            day = order.get("ordered_on")
            if (have[(day, *loose)] if day else undated[loose]) > 0:
                have[(day, *loose)] -= 1
                undated[loose] -= 1
                continue
            self.book.deals.add_order(customer_id, _order_values(order), source=SOURCE)
            added += 1
        self.summary.orders += added
        return added


def _checked(checks: dict[str, Any], values: dict[str, Any], region: str) -> dict[str, Any]:
    """check_values for a new record, but for the emails, which rows.py checked with the
    same Checker already (validating an address again costs as much as the first time)."""
    emails = values.get("emails", [])
    cleaned = check_values(checks, {k: v for k, v in values.items() if k != "emails"}, region,
                           creating=True)  # fmt: skip
    if emails:
        unique: dict[str, str] = {}
        for email in emails:
            unique.setdefault(email.casefold(), email)
        cleaned["emails"] = list(unique.values())
    return cleaned


def _order_key(product: str | None, minor: int, currency: str) -> tuple[Any, ...]:
    return (keys.normal(product or ""), minor, currency)


def _order_amount(order: dict[str, Any]) -> tuple[int, str]:
    """The amount the order will have: given, or quantity × unit price."""
    if "amount" in order:
        return order["amount"]
    if "unit_price" in order and "quantity" in order:
        minor, currency = order["unit_price"]
        return int((Decimal(minor) * Decimal(order["quantity"])).to_integral_value()), currency
    return 0, order.get("currency") or "CNY"


def _order_values(order: dict[str, Any]) -> dict[str, Any]:
    """The order as deals.add_order takes it; a row without a status was a sale: paid."""
    values = {k: v for k, v in order.items() if k not in ("amount", "unit_price", "currency")}
    for name in ("amount", "unit_price"):
        if name in order:
            minor, currency = order[name]
            values[name] = Money(minor, order.get("currency") or currency)
    values.setdefault("status", "paid")
    return values


def _json(text: str | None) -> list[Any]:
    return json.loads(text) if text else []


# ------------------------------------------------------------------------- rejects


def write_rejects(plan: Plan, summary: Summary, path: Path) -> int:
    """The rejected rows as CSV (UTF-8 with BOM, for Excel) under the file's header, the
    reason in a last column: fix them and import the file again. Mode 0600; an existing
    file is never written over."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(
            _("{path} exists already; name another file for the rejected rows.").format(path=path)
        ) from None
    except OSError as error:
        raise InvalidInput(
            _("Cannot write {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([cells.text(c) or "" for c in plan.header_cells] + [_("import problem")])
        for _number, row_cells, reason in sorted(summary.rejected_rows, key=lambda r: r[0]):
            shown = [cells.text(c) or "" for c in row_cells]
            shown += [""] * (len(plan.header_cells) - len(shown))
            writer.writerow([*shown, reason])
    return summary.rejected
