"""One spreadsheet row into what it says: a customer's fields, maybe a contact person,
maybe an order, and the problems of its cells.

A bad value never drops its row: the value is left out of the record and kept verbatim
in a line of the customer's notes, and the problem is listed with its row and column.
Only a row without any name is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from custbook import workers as workers_module
from custbook.book.customers import CONTACT_CHECKS, CUSTOMER_CHECKS
from custbook.book.deals import ORDER_STATUSES, STATUS_WORDS
from custbook.book.search import keys
from custbook.book.validation import MAX_MINOR, Checker, field_label
from custbook.book.validation import Problem as ValidationProblem
from custbook.i18n import _
from custbook.io import cells
from custbook.io.headers import (
    CONTACT,
    CONTACT_FIELDS,
    CUSTOM,
    NAME_PARTS,
    ORDER_FIELDS,
    PERSON_FIELDS,
    REF,
    SKIP,
    Column,
)
from custbook.io.sources import Cell

# A name that is an organisation, not a person (for the customer's kind).
_ORGANISATION = re.compile(
    r"(公司|集团|有限|企业|工厂|厂$|店$|商行|中心|研究院|研究所|事务所|银行|学校|大学|医院|"
    r"协会|工作室|\b(ltd|inc|llc|co|corp|gmbh|limited|company|group)\b\.?)",
    re.IGNORECASE,
)
# What sits under a table in a workbook: totals (合计 20000) and notes (注：…, 制表人：…).
_NOT_A_CUSTOMER = re.compile(
    r"^\s*(合\s*计|小\s*计|总\s*计|总计金额|汇\s*总|共计|(grand\s+|sub)?totals?)\s*[:：]?\s*$"
    r"|^\s*(注|备注|说明|制表人?|填表人|审核人?|note|notes)\s*[:：]",
    re.IGNORECASE,
)
_EMPTY_DATES = {"0/0/00", "0/0/0000", "00/00/0000", "0000-00-00"}  # Outlook's "no date"
MAX_TEXT = 10_000
_PLAIN_NUMBER = re.compile(r"^[0-9][0-9,]*(\.[0-9]+)?$")
_GRADE_SUFFIX = re.compile(r"(级|类)?(客户)?$")
_TAG_SPLIT = re.compile(r"[,，、;；]+|:::")
_LISTS = {"phones", "emails", "tags"}  # fields whose values are lists
_KNOWN_VALUES = 2000  # remembered per field (RowReader._cleaned)


Cleaned = tuple[Any, tuple[ValidationProblem, ...]]  # a cell's value, and its problems
# A row's cells with a value, by field: each with its column and its text.
Values = dict[str, list[tuple[Column, Cell, str]]]


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value,
                "reason": self.reason}  # fmt: skip


@dataclass
class Row:
    """What one row says, cleaned."""

    number: int
    name: str
    cells: list[Cell]  # as read, for the rejects file
    ref: str | None = None  # custbook's id in an export
    customer: dict[str, Any] = field(default_factory=dict)
    contact: dict[str, Any] = field(default_factory=dict)
    order: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # bad values, kept verbatim

    @property
    def key(self) -> str:
        return " ".join(keys.normal(self.name).split())

    def identities(self) -> set[str]:
        """The customer's own phones and emails, for telling two customers of one name
        apart (its contact people's are not: one company has many people)."""
        found = {p["e164"] for p in self.customer.get("phones", [])}
        found |= {e.casefold() for e in self.customer.get("emails", [])}
        return found | {f"ref:{self.ref}"} if self.ref else found


def bad_value_note(label: str, value: str, reason: str) -> str:
    """The line a value that could not be read leaves in the customer's notes."""
    return _("Imported {field}: “{value}” ({reason})").format(
        field=label, value=value, reason=reason
    )


Numbered = tuple[int, list[Cell]]  # a row of the file: its number (as Excel shows it), cells
Rejected = tuple[int, list[Cell], str]  # a row left out: number, cells, why
_CHUNK = 2500  # rows a worker reads at a time
# Rows from which workers read (workers.spread). Once a field's repeated values were
# read once per import, reading here took 1.1 s for 10,000 rows against 1.6 s in two
# started workers (starting them and sending the rows back outweigh the work), and
# 100,000 rows took the same either way, on this 2-core machine: more cores may gain
# there. A forked worker starts in milliseconds and is sent nothing.
_WORKERS_FROM = 60_000
_FORKED_FROM = 400


@dataclass
class ReadRows:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def read_all(reader: RowReader, data: list[Numbered], workers: int | None = None) -> ReadRows:
    """Every row read, in order; a large file's chunks in worker processes, one a core.
    (The rows' cells stay here: the workers send back only what they read.)"""
    way = (
        workers_module.spread(len(data), _CHUNK, _WORKERS_FROM, _FORKED_FROM)
        if workers is None
        else workers_module.Spread(workers, _CHUNK)  # as asked
    )
    chunks = workers_module.chunked(data, way.chunk)
    cells_of = dict(data)
    found = ReadRows()
    read = partial(_read_chunk, reader)
    for part in workers_module.map_chunks(read, chunks, way.workers, forked=way.forked):
        for row in part.rows:
            row.cells = cells_of[row.number]
        found.rows += part.rows
        found.problems += part.problems
        found.rejected += [(n, cells_of[n], why) for n, _cells, why in part.rejected]
    return found


def _read_chunk(reader: RowReader, chunk: Sequence[Numbered]) -> ReadRows:
    found = ReadRows()
    for number, row_cells in chunk:
        row, problems = reader.read(number, row_cells)
        found.problems += problems
        if row is not None:
            row.cells = []
            found.rows.append(row)
        elif problems:
            found.rejected.append((number, [], problems[0].reason))
    return found


class RowReader:
    """Reads the rows of one sheet with its columns' fields."""

    def __init__(self, columns: list[Column], region: str, currency: str) -> None:
        self.columns = [c for c in columns if c.field != SKIP]
        self.contact_columns = any(c.field in CONTACT_FIELDS for c in self.columns)
        fields = {c.field for c in self.columns}
        self.has_status, self.has_date = "status" in fields, "ordered_on" in fields
        self.region = region
        self.currency = currency
        self._known: dict[str, dict[tuple[Any, ...], Cleaned]] = {}  # see _cleaned

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_known": {}}  # a worker's reader starts afresh

    def read(self, number: int, cells_of_row: list[Cell]) -> tuple[Row | None, list[Problem]]:
        """The row, or None when it names no one (a problem says so)."""
        values: Values = {}
        for column in self.columns:
            cell = cells_of_row[column.index] if column.index < len(cells_of_row) else None
            shown = cells.text(cell)
            if shown is not None and shown not in _EMPTY_DATES:
                values.setdefault(column.field, []).append((column, cell, shown))
        if not values:
            return None, []  # a blank row
        name, company = self._names(values)
        if not name:
            reason = _("has no name: the row was left out")
            return None, [Problem(number, "", _shown(values)[:200], reason)]
        if _NOT_A_CUSTOMER.match(name):
            reason = _("is a total or a note, not a customer: the row was left out")
            return None, [Problem(number, "", _shown(values)[:200], reason)]
        for column, _cell, text in _all(values) if _too_long(values) else ():
            if len(text) > MAX_TEXT:  # a note can hold no more: the row waits in the rejects
                reason = _("is longer than 10,000 characters: the row was left out")
                return None, [Problem(number, column.header, text[:40] + "…", reason)]
        row = Row(number, name, cells_of_row)
        problems: list[Problem] = []
        for field_name, found in values.items():
            for column, cell, shown in found:
                self._read_cell(row, field_name, column, (cell, shown), problems)
        problems += self._place(row, name, company)
        if row.order:
            problems += self._check_order(row, values)
        return row, problems

    def _check_order(self, row: Row, values: Values) -> list[Problem]:
        """An order needs an amount and, when the file has a date column, its date; a
        file that tracks payment leaves an order without a readable status open."""
        if not _has_amount(row.order):
            return self._order_to_note(row, values)
        if reason := _total_problem(row.order):
            return self._order_to_note(row, values, reason)
        if self.has_date and "ordered_on" not in row.order:
            return self._order_to_note(row, values, _("an order needs its date"))
        if self.has_status:
            row.order.setdefault("status", "open")
        return []

    def _order_to_note(self, row: Row, values: Values, reason: str | None = None) -> list[Problem]:
        """An order without an amount (none, one that is no amount, a quantity × unit
        price that is none), or without its date, cannot be one: its cells are kept in a
        note instead, saying why."""
        row.order.clear()
        shown = "; ".join(
            f"{column.header} {text}"
            for column, _cell, text in _all(values)
            if column.field in ORDER_FIELDS
        )
        if reason is None:
            row.notes.append(_("Imported order without an amount: {order}").format(order=shown))
            reason = _("an order needs an amount")
        else:
            note = _("Imported order, not kept as one ({reason}): {order}")
            row.notes.append(note.format(reason=reason, order=shown))
        return [
            Problem(row.number, "", shown, _("{reason}: kept in the notes").format(reason=reason))
        ]

    def _names(self, values: Values) -> tuple[str, str | None]:
        def first(name: str) -> str | None:
            found = values.get(name)
            return found[0][2] if found else None

        name, company, contact = first("name"), first("company"), first(CONTACT)
        if not name and company and contact:
            name = company  # 公司 + 联系人: the customer is the company
        if not name:
            parts = [first(p) for p in ("family_name", "middle_name", "given_name")]
            name = _joined_name([p for p in parts if p])
        return name or company or contact or "", company

    def _read_cell(
        self, row: Row, name: str, column: Column, cell: tuple[Cell, str], problems: list[Problem]
    ) -> None:
        if name in ("name", CONTACT, REF, *NAME_PARTS):
            if name == CONTACT:
                row.contact["name"] = cell[1]
            elif name == REF:
                row.ref = cell[1]
            return
        target = row.customer
        if name in ORDER_FIELDS or name == "order_notes":
            target, name = row.order, name.removeprefix("order_")
        elif name in CONTACT_FIELDS:
            target, name = row.contact, CONTACT_FIELDS[name]
        if column.scale and _PLAIN_NUMBER.match(cell[1]):  # 金额(万元): 1.2 is 1.2万
            cell = (cell[1] + column.scale, cell[1] + column.scale)
        value, found = self._cleaned(name, cell)
        for problem in found:
            problems.append(Problem(row.number, column.header, problem.value, problem.message))
            row.notes.append(bad_value_note(column.header, problem.value, problem.message))
        if value is None or value == []:
            return
        if isinstance(value, list):
            target.setdefault(name, [])
            target[name] += [v for v in value if v not in target[name]]
        elif name == "notes" and name in target:
            target[name] += "\n" + value
        else:
            target.setdefault(name, value)

    def _cleaned(self, name: str, cell: tuple[Cell, str]) -> Cleaned:
        """`_clean` of a cell, with its problems; a field with one value (a date, a
        city, a grade) remembers what its values gave: a directory repeats them row after
        row (lists are not remembered: they are added to, and phones never repeat)."""
        if name in _LISTS:
            checker = Checker(region=self.region)
            return self._clean(checker, name, *cell), tuple(checker.problems)
        known = self._known.setdefault(name, {})
        key = (type(cell[0]), *cell)  # 1, 1.0 and True are equal keys otherwise
        found = known.get(key)
        if found is None:
            checker = Checker(region=self.region)
            found = (self._clean(checker, name, *cell), tuple(checker.problems))
            if len(known) < _KNOWN_VALUES:
                known[key] = found
        return found

    def _clean(self, checker: Checker, name: str, cell: Cell, shown: str) -> Any:
        """A cell's value as its field takes it (`shown` is its text, cells.text)."""
        if name == "phones":
            return [p.as_json() for p in cells.phones(checker, name, shown)]
        if name in ("ordered_on", "payment_due", "paid_on", "birthday"):
            return cells.date(checker, name, cell, birthday=name == "birthday")
        if name in ("amount", "unit_price"):
            money = cells.amount(checker, name, cell, self.currency)
            return None if money is None else (money.minor, money.currency)
        if name == "quantity":
            quantity = checker.decimal(name, shown)
            return None if quantity is None else str(quantity)
        if name == "currency":
            return shown.upper()[:3]
        if name == "status":
            return checker.choice(name, shown, STATUS_WORDS, ORDER_STATUSES)
        if name == "grade":
            return checker.grade(name, _GRADE_SUFFIX.sub("", shown))
        if name == "tags":
            parts = (t.strip() for t in _TAG_SPLIT.split(shown))
            return [t for t in parts if t and not t.startswith("*")]
        if name.startswith(CUSTOM) or name == "product":
            return checker.text(name, shown)
        if name == "emails":  # Google's exports put " ::: " between several
            shown = shown.replace(":::", ";")
        check = CUSTOMER_CHECKS.get(name) or CONTACT_CHECKS[name]
        return check(checker, name, shown)

    def _place(self, row: Row, name: str, company: str | None) -> list[Problem]:
        """The customer's name and kind; person fields go to the contact when the row
        names one (and has no columns of the contact's own). Problems: a contact column's
        value that differs from the customer's own column, when both are the customer."""
        contact_name = row.contact.pop("name", None)
        problems = []
        if not contact_name or contact_name == name:  # no one else: the values are its own
            for person_field, value in row.contact.items():
                problems += self._take_own(row, person_field, value)
            row.contact.clear()
        else:
            row.contact["name"] = contact_name
            if not self.contact_columns:  # 客户名称 + 联系人 + 电话: the phone is the person's
                for person_field in PERSON_FIELDS:
                    if person_field in row.customer:
                        row.contact[person_field] = row.customer.pop(person_field)
        row.customer["name"] = name
        if company == name:
            row.customer.pop("company", None)
        if "kind" not in row.customer:
            is_company = bool(row.contact) or company == name or _ORGANISATION.search(name)
            row.customer["kind"] = "company" if is_company else "person"
        return problems

    def _take_own(self, row: Row, name: str, value: Any) -> list[Problem]:
        """A contact column's value given to the customer it names: added to a list, put
        after the notes, or, differing from the customer's own column, kept in the notes."""
        have = row.customer.get(name)
        if have is None:
            row.customer[name] = value
        elif isinstance(have, list):
            row.customer[name] = have + [v for v in value if v not in have]
        elif name == "notes":
            row.customer[name] = f"{have}\n{value}"
        elif differs(have, value):
            header = header_of(self.columns, row, name, contact=True, value=value)
            kept = _("the book keeps “{kept}”").format(kept=have)
            row.notes.append(bad_value_note(header, str(value), kept))
            reason = _(
                "differs from “{kept}” in another column of this row, which was kept; the "
                "value is in the notes"
            ).format(kept=have)
            return [Problem(row.number, header, str(value), reason)]
        return []


def header_of(
    columns: Sequence[Column], row: Row, name: str, *, contact: bool, value: Any = None
) -> str:
    """The file's column that gave a row's customer (or contact person) a field: among
    that field's columns holding something (the contact's own first for a contact's
    field), the one reading as `value`, else the first (a problem names the column, not
    custbook's field)."""
    order = (CONTACT + "_" + name, name) if contact else (name, CONTACT + "_" + name)
    holding = []
    for wanted in order:
        for column in columns:
            if column.field != wanted or column.index >= len(row.cells):
                continue
            text = cells.text(row.cells[column.index])  # only the field's own columns
            if text is not None:
                holding.append((column.header, text))
    saying = [header for header, text in holding if not differs(text, value)]
    return (saying or [header for header, _text in holding] or [field_label(name)])[0]


def differs(have: Any, value: Any) -> bool:
    """Whether two values say different things (not only in case, width or spacing)."""
    return _spelled(have) != _spelled(value)


def _spelled(value: Any) -> str:
    return " ".join(keys.normal(str(value)).split())


def _has_amount(order: dict[str, Any]) -> bool:
    return "amount" in order or ("unit_price" in order and "quantity" in order)


def _total_problem(order: dict[str, Any]) -> str | None:
    """Why quantity × unit price makes no amount (not whole cents, too large), or None."""
    if "amount" in order:
        return None
    total = Decimal(order["unit_price"][0]) * Decimal(order["quantity"])
    if total != total.to_integral_value():
        return _("quantity × unit price is not exact to 0.01")
    if abs(total) > MAX_MINOR:
        return _("quantity × unit price is too large")
    return None


def _joined_name(parts: list[str]) -> str:
    """Family, middle and given names as one: 张 + 伟 is 张伟; Zhang + Alice is
    "Alice Zhang"."""
    if all(keys.is_han(ch) for part in parts for ch in part.replace(" ", "")):
        return "".join(parts)
    return " ".join(reversed(parts))


def _too_long(values: Values) -> bool:
    return any(len(text) > MAX_TEXT for found in values.values() for _c, _v, text in found)


def _shown(values: Values) -> str:
    """A row's cells as a problem quotes it: 客户名称=甲; 电话=138…"""
    return "; ".join(f"{c.header}={text}" for c, _v, text in _all(values))


def _all(values: Values) -> list[tuple[Column, Cell, str]]:
    return sorted((one for found in values.values() for one in found), key=lambda v: v[0].index)
