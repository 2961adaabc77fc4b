"""Getting everything out: CSV and XLSX (one table custbook's import reads back), vCard 4
of customers and contacts, iCalendar of reminders, JSON of the whole book.

These are the only plaintext files custbook writes, and only where asked: `plaintext_file`
opens them (mode 0600, never over a file without --force), and `write_xlsx` keeps
openpyxl's temporary files in the output's own folder.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import json
import os
import re
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from custbook.book import rows as book_rows
from custbook.book.book import Book
from custbook.book.validation import field_label
from custbook.errors import InvalidInput
from custbook.i18n import _
from custbook.io import headers

FORMATS = ("csv", "xlsx", "vcf", "ics", "json")
_ALL = 10**9  # search's limit when a query picks the customers

CUSTOMER_COLUMNS = (
    headers.REF, "name", "kind", "company", "title", "phones", "emails", "wechat",
    "birthday", "industry", "province", "city", "country", "address", "website", "source",
    "stage", "grade", "satisfaction", "do_not_contact", "consent_date", "tags",
    "preferences", "special_needs", "notes",
)  # fmt: skip
CONTACT_COLUMNS = (headers.CONTACT, *headers.CONTACT_FIELDS)
ORDER_COLUMNS = (
    "ordered_on", "product", "quantity", "unit_price", "amount", "currency", "status",
    "payment_due", "paid_on", "order_notes",
)  # fmt: skip
_DATES = {"ordered_on", "payment_due", "paid_on", "consent_date"}


def chosen_ids(book: Book, query: str | None) -> list[int]:
    """Every customer (archived ones too), or those the search language picks."""
    if not query:
        return [r[0] for r in book.db.execute("SELECT id FROM customers ORDER BY id")]
    return [line.id for line in book.search(query, limit=_ALL)]


def column_label(name: str) -> str:
    """A column's header, in the UI language, as custbook's import recognises it."""
    if name == headers.REF:
        return _("custbook ID")
    if name == "status":
        return _("Order status")
    if name == "order_notes":
        return _("Order notes")
    if name in headers.CONTACT_FIELDS:
        return _("Contact {field}").format(field=field_label(headers.CONTACT_FIELDS[name]))
    return field_label(name)


def custom_label(key: str) -> str:
    """A custom field's header: its name, or custom.NAME when the name reads as one of
    custbook's own fields (a custom "notes" must not come back as the notes)."""
    return key if headers.field_for(key) is None else headers.CUSTOM + key


# ------------------------------------------------------------------------- the table


class Table:
    """Customers as rows: a customer's own fields on its first row; its contacts and
    orders side by side on as many rows as it needs, each row carrying its name and
    custbook's id so the import puts them back together."""

    def __init__(self, book: Book, ids: list[int], *, typed: bool) -> None:
        self.book = book
        self.ids = ids
        self.typed = typed  # XLSX: dates and money as cells of their type
        self.custom = sorted(
            {key for i in ids for key in book.customers.record(i)["custom_fields"]}
        )

    def header(self) -> list[str]:
        names = [*CUSTOMER_COLUMNS, *CONTACT_COLUMNS, *ORDER_COLUMNS]
        return [column_label(n) for n in names] + [custom_label(k) for k in self.custom]

    def rows(self) -> Iterator[list[Any]]:
        for customer_id in self.ids:
            yield from self._customer_rows(customer_id)

    def _customer_rows(self, customer_id: int) -> Iterator[list[Any]]:
        customer = self.book.customers.get(customer_id)
        orders = self.book.deals.orders(customer_id)
        record = customer.record
        for index in range(max(1, len(customer.contacts), len(orders))):
            own = [self._value(record, n) for n in CUSTOMER_COLUMNS] if index == 0 else [
                customer_id, customer.name, *([""] * (len(CUSTOMER_COLUMNS) - 2))
            ]  # fmt: skip
            contact = customer.contacts[index] if index < len(customer.contacts) else None
            order = orders[index] if index < len(orders) else None
            custom = [record["custom_fields"].get(k, "") if index == 0 else "" for k in self.custom]
            yield [*own, *self._contact(contact), *self._order(order), *custom]

    def _value(self, record: dict[str, Any], name: str) -> Any:
        if name == headers.REF:
            return record["id"]
        value = book_rows.field_value(record, name)
        if name == "phones":
            return "; ".join(p["typed"] for p in value)
        if name == "emails":
            return "; ".join(value)
        if name == "tags":
            return ", ".join(value)
        if name == "do_not_contact":
            return "yes" if value else ""
        return self._cell(name, value)

    def _contact(self, contact: dict[str, Any] | None) -> list[Any]:
        if contact is None:
            return [""] * len(CONTACT_COLUMNS)
        return [contact["name"]] + [
            self._value(contact, field) for field in headers.CONTACT_FIELDS.values()
        ]

    def _order(self, order: dict[str, Any] | None) -> list[Any]:
        if order is None:
            return [""] * len(ORDER_COLUMNS)
        return [
            self._money(order.get("unit_price_minor")) if name == "unit_price"
            else self._money(order["amount_minor"]) if name == "amount"
            else self._cell(name, order.get(name.removeprefix("order_")))
            for name in ORDER_COLUMNS
        ]  # fmt: skip

    def _money(self, minor: int | None) -> Any:
        if minor is None:
            return ""
        amount = Decimal(minor).scaleb(-2)
        return amount if self.typed else f"{amount:.2f}"

    def _cell(self, name: str, value: Any) -> Any:
        if value is None:
            return ""
        if self.typed and name in _DATES:
            return datetime.date.fromisoformat(value)
        return value


def write_format(
    book: Book, ids: list[int], fmt: str, out: IO[Any], *, folder: Path, everything: bool
) -> None:
    """The chosen customers in `fmt` (FORMATS); `folder` takes openpyxl's temporary
    files; `everything` adds the reminders of no customer to a calendar."""
    if fmt in ("csv", "xlsx"):
        table = Table(book, ids, typed=fmt == "xlsx")
        if fmt == "csv":
            write_csv(table, out)
        else:
            write_xlsx(table, out, folder)
    elif fmt == "json":
        write_json(book, ids, out, everything=everything)
    elif fmt == "vcf":
        write_vcards(book, ids, out)
    else:
        write_calendar(book, ids, everything=everything, out=out)


def write_csv(table: Table, out: IO[str]) -> None:
    """UTF-8 with a BOM, so Excel opens Chinese correctly."""
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in table.header()])
    writer.writerows([csv_safe(v) for v in row] for row in table.rows())


def write_xlsx(table: Table, out: IO[bytes], folder: Path) -> None:
    """One sheet, typed cells (dates as dates, money as numbers). openpyxl writes each
    sheet through a temporary file of its own, in the system's temp folder: here they go
    in `folder` (the output's, mode 0600) and are removed once in the workbook."""
    from openpyxl import Workbook
    from openpyxl.worksheet import _writer

    made: list[str] = []

    def beside_the_output(suffix: str = "") -> str:
        handle, name = tempfile.mkstemp(suffix=suffix, prefix=".custbook-xlsx-", dir=folder)
        os.close(handle)
        made.append(name)
        _writer.ALL_TEMP_FILES.append(name)  # openpyxl's cleanup takes it off that list
        return name

    original = _writer.create_temporary_file
    _writer.create_temporary_file = beside_the_output
    try:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Customers"))
        sheet.freeze_panes = "C2"
        sheet.append([_text_cell(sheet, h) for h in table.header()])
        for row in table.rows():
            sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in row])
        workbook.save(out)
    finally:
        _writer.create_temporary_file = original
        for name in made:
            with contextlib.suppress(FileNotFoundError):
                os.remove(name)


def _text_cell(sheet: Any, value: str) -> Any:
    """Text as a text cell: openpyxl makes "=…" a formula (Excel would run a customer's
    note, and the text is lost), and refuses control characters (a space instead)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub(" ", value))
    cell.data_type = "s"
    return cell


# Excel runs a CSV cell that starts like a formula; a ' before it shows it as text, and
# custbook's import takes the ' off again (cells.text).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


_NUMBER = re.compile(r"^[+-]?[0-9][0-9 ().-]*$")  # -5, +86 138 0013 8000: no formula


@contextlib.contextmanager
def plaintext_file(path: Path, *, force: bool, binary: bool) -> Iterator[IO[Any]]:
    """A new file at `path` for an export, mode 0600, written whole or not at all (a
    temporary file beside it, renamed over it at the end); an existing file only with
    `force`."""
    if path.is_dir():
        raise InvalidInput(_("{path} is a folder: name a file in it.").format(path=path))
    if (path.exists() or path.is_symlink()) and not force:
        raise InvalidInput(_("{path} exists already; add --force to replace it.").format(path=path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)  # 0600
    except OSError as error:
        raise InvalidInput(
            _("Cannot write {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    try:
        with os.fdopen(handle, "wb" if binary else "w", **({} if binary else _TEXT)) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except OSError as error:  # a full disk, a folder gone: said plainly, nothing left
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)
        raise InvalidInput(
            _("Cannot write {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)
        raise


_TEXT: dict[str, Any] = {"encoding": "utf-8", "newline": ""}


# ------------------------------------------------------------------------- JSON


def book_json(book: Book, ids: list[int], *, everything: bool = True) -> dict[str, Any]:
    """Every record of the chosen customers with their ids, tags and custom fields; the
    reminders of no customer, the settings and the saved views. No history."""
    db = book.db
    customers = []
    for customer_id in ids:
        customer = book.customers.get(customer_id)
        customers.append(
            {
                **customer.record,
                "contacts": customer.contacts,
                "interactions": _records(db, "interaction", customer_id),
                "reminders": _records(db, "reminder", customer_id),
                "orders": _records(db, "order", customer_id),
                "opportunities": _records(db, "opportunity", customer_id),
            }
        )
    return {
        "format": "custbook",
        "version": 1,
        "exported_at": book.now_text(),
        "settings": {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM settings")},
        "saved_views": [dict(r) for r in db.execute("SELECT * FROM saved_views ORDER BY id")],
        "customers": customers,
        "reminders": book_rows.records(
            db.execute("SELECT * FROM reminders WHERE customer_id IS NULL ORDER BY id")
        )
        if everything
        else [],  # a query picks customers: reminders of no one are not among them
    }


def _records(db: Any, entity: str, customer_id: int) -> list[dict[str, Any]]:
    table = book_rows.TABLES[entity]
    return book_rows.records(
        db.execute(f"SELECT * FROM {table} WHERE customer_id = ? ORDER BY id", (customer_id,))
    )


def write_json(book: Book, ids: list[int], out: IO[str], *, everything: bool = True) -> None:
    json.dump(book_json(book, ids, everything=everything), out, ensure_ascii=False, indent=2)
    out.write("\n")


# ------------------------------------------------------------------------- vCard, iCalendar


def write_vcards(book: Book, ids: list[int], out: IO[str]) -> None:
    """vCard 4: a card per customer, and one per contact person (ORG its customer)."""
    for customer_id in ids:
        customer = book.customers.get(customer_id)
        record = customer.record
        company = record["name"] if record["kind"] == "company" else record["company"]
        out.write(_card(record, company, record["tags"]))
        for contact in customer.contacts:
            out.write(_card(contact, customer.name, []))


def _card(record: dict[str, Any], organisation: str | None, tags: list[str]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{_escape(record['name'])}"]
    if record.get("kind", "person") == "person":
        lines.append(f"N:{_escape(record['name'])};;;;")
    if organisation:
        lines.append(f"ORG:{_escape(organisation)}")
    if record.get("title"):
        lines.append(f"TITLE:{_escape(record['title'])}")
    lines += [f"TEL;VALUE=uri:tel:{p['e164']}" for p in record["phones"]]
    lines += [f"EMAIL:{_escape(e)}" for e in record["emails"]]
    if record.get("birthday"):  # 1985-03-05 is 19850305; --03-05 (no year) is --0305
        birthday = record["birthday"]
        lines.append(
            "BDAY:" + ("--" if birthday.startswith("--") else "") + birthday.replace("-", "")
        )
    if record.get("address"):
        lines.append(f"ADR:;;{_escape(record['address'])};;;;")
    if tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in tags))
    if record.get("notes"):
        lines.append(f"NOTE:{_escape(record['notes'])}")
    lines.append("END:VCARD")
    return "".join(_folded(line) for line in lines)


def write_calendar(book: Book, ids: list[int], *, everything: bool, out: IO[str]) -> None:
    """iCalendar: each open reminder an all-day event on its due day (snoozed: the day
    it wakes), repeating by its rule, so a phone calendar shows it."""
    names = dict(book.db.execute("SELECT id, name FROM customers"))
    chosen = set(ids)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//custbook//custbook//EN",
             "CALSCALE:GREGORIAN"]  # fmt: skip
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    for reminder in book.db.execute(
        "SELECT * FROM reminders WHERE done_at IS NULL ORDER BY coalesce(snoozed_until, due), id"
    ):
        owner = reminder["customer_id"]
        if (owner is None and not everything) or (owner is not None and owner not in chosen):
            continue
        summary = reminder["title"] + (f" · {names[owner]}" if owner in names else "")
        rule = _rrule(reminder["repeat_rule"], datetime.date.fromisoformat(reminder["due"]))
        # a series stays anchored at its due day; a snooze is an event of its own
        days = [(reminder["due"], rule)] if rule else []
        if reminder["snoozed_until"] or not rule:
            days.append((reminder["snoozed_until"] or reminder["due"], None))
        for number, (day, repeat) in enumerate(days):
            uid = f"reminder-{reminder['id']}{'-snoozed' if number else ''}@custbook"
            lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
                      f"DTSTART;VALUE=DATE:{day.replace('-', '')}",
                      f"SUMMARY:{_escape(summary)}"]  # fmt: skip
            if reminder["notes"]:
                lines.append(f"DESCRIPTION:{_escape(reminder['notes'])}")
            if repeat:
                lines.append(f"RRULE:{repeat}")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    out.write("".join(_folded(line) for line in lines))


def _rrule(rule: str | None, anchor: datetime.date) -> str | None:
    """The repeat rule as iCalendar says it. custbook moves a day a month lacks to its
    last day (Jan 31 → Feb 28); a calendar would skip that month, so days 29-31 say so."""
    if not rule:
        return None
    if rule in ("daily", "weekly"):
        return f"FREQ={rule.upper()}"
    if rule in ("monthly", "yearly"):
        text = f"FREQ={rule.upper()}"
        if rule == "yearly" and anchor.month != 2:
            return text
        if anchor.day == 31:
            return text + (";BYMONTH=2" if rule == "yearly" else "") + ";BYMONTHDAY=-1"
        if anchor.day >= 29:
            month = ";BYMONTH=2" if rule == "yearly" else ""
            days = ",".join(str(d) for d in range(28, anchor.day + 1))
            return f"{text}{month};BYMONTHDAY={days};BYSETPOS=-1"
        return text
    days = rule.removeprefix("every ").removesuffix(" days")
    return f"FREQ=DAILY;INTERVAL={int(days)}" if days.isdigit() else None


def _escape(text: str) -> str:
    """Text as vCard and iCalendar values hold it (RFC 6350 / 5545)."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    )  # fmt: skip


def _folded(line: str) -> str:
    """A content line folded at 75 octets (never inside a character), ending CRLF."""
    data = line.encode("utf-8")
    parts, start = [], 0
    while len(data) - start > (75 if start == 0 else 74):  # a folded line has its space
        end = start + (75 if start == 0 else 74)
        while end > start and (data[end] & 0xC0) == 0x80:  # not inside a UTF-8 sequence
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return "\r\n ".join(p.decode("utf-8") for p in parts) + "\r\n"
