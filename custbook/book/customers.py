"""Customers and their contact people: create, edit, archive, restore, erase, find by name.

Every write is one change set (see history.py). Input is checked as a whole first, so a
rejected edit changes nothing and names every problem at once.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from custbook.book import figures, recorded, rows
from custbook.book.history import (
    Change,
    Recorder,
    change_set,
    forget_contact,
    forget_customer,
    known_in_history,
)
from custbook.book.search.keys import tokens
from custbook.book.search.query import parse as parse_query
from custbook.book.validation import Checker, clean_text
from custbook.errors import InvalidInput, NotFound
from custbook.i18n import _

if TYPE_CHECKING:
    from custbook.book.book import Book

FieldCheck = Callable[[Checker, str, Any], Any]


def _text(checker: Checker, name: str, raw: Any) -> Any:
    return checker.text(name, raw)


def _required(checker: Checker, name: str, raw: Any) -> Any:
    return checker.text(name, raw, required=True)


def _phones(checker: Checker, name: str, raw: Any) -> Any:
    """Numbers as typed are checked; ones already stored (dicts) are kept as they are, so
    adding a phone never re-judges the old ones."""
    values = _as_list(raw)
    kept = [v for v in values if isinstance(v, dict)]
    typed = [v for v in values if not isinstance(v, dict)]
    found = kept + [p.as_json() for p in checker.phones(name, typed)]
    unique = {(p["e164"], p.get("ext")): p for p in reversed(found)}
    return [p for p in found if unique.get((p["e164"], p.get("ext"))) is p]


def _emails(checker: Checker, name: str, raw: Any) -> Any:
    return checker.emails(name, _as_list(raw))


def _tags(checker: Checker, name: str, raw: Any) -> Any:
    names: list[str] = []
    for value in _as_list(raw):
        for part in re.split(r"[,，、;；]+", clean_text(value) or ""):
            tag = clean_text(part)
            if tag and len(tag) > 100:
                checker.problem(name, tag[:40] + "…", _("is longer than 100 characters"))
            elif tag and tag.casefold() not in {n.casefold() for n in names}:
                names.append(tag)
    return sorted(names, key=str.casefold)


def _flag(checker: Checker, name: str, raw: Any) -> Any:
    """Yes or no; nothing (None, empty) means no."""
    return int(bool(checker.flag(name, raw)))


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list | tuple) else [raw]


TEXT_FIELDS = (
    "company", "title", "industry", "province", "city", "country", "address", "wechat",
    "website", "source", "preferences", "special_needs", "notes",
)  # fmt: skip
CUSTOMER_CHECKS: dict[str, FieldCheck] = {
    "name": _required,
    "kind": lambda c, n, v: c.kind(n, v) or "person",
    **dict.fromkeys(TEXT_FIELDS, _text),
    "phones": _phones,
    "emails": _emails,
    "stage": lambda c, n, v: c.stage(n, v),
    "grade": lambda c, n, v: c.grade(n, v),
    "birthday": lambda c, n, v: c.birthday(n, v),
    "satisfaction": lambda c, n, v: c.satisfaction(n, v),
    "do_not_contact": _flag,
    "consent_date": lambda c, n, v: c.date(n, v),
    "tags": _tags,
}
CONTACT_CHECKS: dict[str, FieldCheck] = {
    "name": _required,
    "title": _text,
    "phones": _phones,
    "emails": _emails,
    "wechat": _text,
    "birthday": lambda c, n, v: c.birthday(n, v),
    "is_primary": _flag,
    "notes": _text,
}


_is_custom = operator.methodcaller("startswith", rows.CUSTOM_PREFIX)


def _defaults(entity: str) -> dict[str, Any]:
    """A new record's defaults, fresh each time (never share the mutable ones)."""
    if entity == "customer":
        return {"kind": "person", "phones": [], "emails": [], "custom_fields": {},
                "do_not_contact": 0, "tags": []}  # fmt: skip
    return {"phones": [], "emails": [], "is_primary": 0}


def check_values(
    checks: Mapping[str, FieldCheck], values: Mapping[str, Any], region: str, *, creating: bool
) -> dict[str, Any]:
    """Clean values for the given fields, or ValidationError naming each bad one.

    `custom.<name>` fields are free text (customers only)."""
    checker = Checker(region=region)
    cleaned: dict[str, Any] = {}
    for name, raw in values.items():
        check = checks.get(name)
        if check is not None:
            cleaned[name] = check(checker, name, raw)
        elif name.startswith(rows.CUSTOM_PREFIX) and checks is CUSTOMER_CHECKS:
            cleaned[name] = checker.text(name, raw)
        else:
            raise ValueError(f"unknown field {name!r}")  # a programming error, not input
    if creating and "name" not in values:
        checker.problem("name", "", _("is required"))
    checker.finish()
    return cleaned


@dataclass(frozen=True)
class Customer:
    """A customer as the services hand it out: plain values, JSON-ready."""

    record: dict[str, Any]
    contacts: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)  # kept at write time

    @property
    def id(self) -> int:
        return int(self.record["id"])

    @property
    def name(self) -> str:
        return str(self.record["name"])

    def __getitem__(self, key: str) -> Any:
        return rows.field_value(self.record, key)


class AmbiguousName(NotFound):
    def __init__(self, name: str, matches: list[Customer]) -> None:
        self.matches = matches
        lines = [
            _("“{name}” matches {n} customers; name one by its id:").format(
                name=name, n=len(matches)
            )
        ]
        lines += [_line_of(match.record) for match in matches]
        super().__init__("\n".join(lines))


class NoSuchName(NotFound):
    """No customer has this exact name; `near`: the records of some that a search for it
    finds (上海蓝港 for 上海蓝港贸易有限公司), so the person can name one by its id."""

    def __init__(self, name: str, near: list[dict[str, Any]]) -> None:
        lines = [_("No customer is named “{name}”.").format(name=name)]
        if near:
            lines.append(_("A search for it finds these; name one by its id:"))
            lines += [_line_of(record) for record in near]
        super().__init__("\n".join(lines))


def _line_of(record: Mapping[str, Any]) -> str:
    where = " · ".join(filter(None, [record.get("company"), record.get("city")]))
    return f"  {record['id']}  {record['name']}" + (f"  ({where})" if where else "")


class Customers:
    """The customer services of one book (see book.Book)."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.db = book.db

    # -- reading -----------------------------------------------------------------------

    def record(self, customer_id: int) -> dict[str, Any]:
        """The customer's own fields (no contacts or figures), or NotFound."""
        record = rows.snapshot(self.db, "customer", customer_id)
        if record is None:
            raise _no_customer(customer_id)
        return record

    def require(self, customer_id: int) -> None:
        """NotFound unless the customer exists (cheaper than reading it)."""
        if self.db.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone():
            return
        raise _no_customer(customer_id)

    def has_contact(self, customer_id: int, contact_id: int) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM contacts WHERE id = ? AND customer_id = ?",
                (contact_id, customer_id),
            ).fetchone()
            is not None
        )

    def get(self, customer_id: int) -> Customer:
        record = self.record(customer_id)
        contacts = rows.records(
            self.db.execute(
                "SELECT * FROM contacts WHERE customer_id = ? ORDER BY is_primary DESC, id",
                (customer_id,),
            )
        )
        return Customer(record, contacts, figures.of(self.db, customer_id))

    def resolve(self, id_or_name: str) -> Customer:
        """By id (`12` or `#12`), else by exact name, live customers first; a name that
        matches several lists them (AmbiguousName)."""
        text = clean_text(id_or_name) or ""
        as_id = _as_id(text)
        if as_id is not None:
            try:
                return self.get(as_id)
            except NotFound:
                if not self._named(text):
                    raise
        named = self._named(text)
        if not named:
            raise NoSuchName(text, self._near(text))
        live = [customer_id for customer_id, is_live in named if is_live]
        candidates = live or [customer_id for customer_id, _live in named]
        if len(candidates) > 1:
            raise AmbiguousName(text, [self.get(i) for i in candidates])
        return self.get(candidates[0])

    def names(self, customer_ids: Iterable[int | None]) -> list[str]:
        """The names of those of `customer_ids` still in the book, by id (an undo's prompt
        says whose change it is)."""
        ids = sorted({i for i in customer_ids if i is not None})
        return [
            r[0]
            for r in self.db.execute(
                "SELECT name FROM customers WHERE id IN (SELECT value FROM json_each(?))"
                " ORDER BY id",
                (json.dumps(ids),),
            )
        ]

    def _near(self, text: str) -> list[dict[str, Any]]:
        """Customers, live or archived (a restore names an archived one), that a search
        for `text` as words finds; none for text of no word (a search would list
        everyone) or with a filter (it would list what the filter does)."""
        try:
            query = parse_query(text)
            if query.filters or not any(map(tokens, query.words)):
                return []
            found = self.book.search(f"{text} archived:any", limit=_NEAR)
        except InvalidInput:  # text the search cannot read as a query (a bad filter)
            return []
        return [listed.record for listed in found]

    def _named(self, name: str) -> list[tuple[int, bool]]:
        return [
            (r[0], bool(r[1]))
            for r in self.db.execute(
                "SELECT id, archived_at IS NULL FROM customers WHERE name = ? ORDER BY id",
                (name,),
            )
        ]

    def erasable(self, id_or_name: str) -> Customer:
        """A live customer, or one that only the history still remembers (an undone
        add): both can be erased."""
        try:
            return self.resolve(id_or_name)
        except NotFound:
            as_id = _as_id(clean_text(id_or_name) or "")
            name = None if as_id is None else known_in_history(self.db, "customer", as_id)
            if name is None:
                raise
            return Customer({"id": as_id, "name": name, "created_at": None})

    # -- writing -----------------------------------------------------------------------

    def create(self, values: Mapping[str, Any], *, source: str) -> Customer:
        cleaned = check_values(CUSTOMER_CHECKS, values, self.book.phone_region, creating=True)
        with change_set(self.db, self.book.clock, source) as recorder:
            created = self._insert("customer", cleaned, {}, recorder)
        kept = recorder.derived.figures.get(created["id"])  # none yet inside an import's
        return Customer(created, [], kept or figures.of(self.db, created["id"]))

    def edit(self, customer_id: int, values: Mapping[str, Any], *, source: str) -> None:
        """Change the customer's own fields (only those that differ are recorded). Returns
        nothing: the app reads what it shows itself, and reading the customer back here
        cost a fifth of an edit (docs/PERFORMANCE.md)."""
        known = [n for n in values if n in CUSTOMER_CHECKS or n.startswith(rows.CUSTOM_PREFIX)]
        current = rows.fields(self.db, "customer", customer_id, known)
        if current is None:  # before the values are checked: a wrong id says so first
            raise _no_customer(customer_id)
        cleaned = check_values(CUSTOMER_CHECKS, values, self.book.phone_region, creating=False)
        with change_set(self.db, self.book.clock, source) as recorder:
            self._update("customer", customer_id, customer_id, current, cleaned, recorder)

    def archive(self, customer_id: int, *, source: str) -> Customer:
        return self._set_archived(customer_id, True, source)

    def restore(self, customer_id: int, *, source: str) -> Customer:
        return self._set_archived(customer_id, False, source)

    def _set_archived(self, customer_id: int, archived: bool, source: str) -> Customer:
        current = self.get(customer_id)
        if (current["archived_at"] is not None) == archived:
            return current
        with change_set(self.db, self.book.clock, source) as recorder:
            value = recorder.made_at if archived else None  # archived when it was changed
            self._update(
                "customer",
                customer_id,
                customer_id,
                current.record,
                {"archived_at": value},
                recorder,
            )
        return self.get(customer_id)

    def erase(self, customer_id: int, *, source: str) -> Customer:
        """Remove the customer from every table and from the history (PIPL), including one
        the history alone remembers. Cannot be undone; the caller asks first."""
        erased = self.erasable(str(customer_id))
        with change_set(self.db, self.book.clock, source, kind="erase") as recorder:
            rows.delete(self.db, "customer", customer_id)  # contacts, orders... cascade
            forget_customer(self.db, customer_id)
            recorder.record(Change("customer", customer_id, None, "delete", None, None, None))
        return erased

    def add_contact(
        self, customer_id: int, values: Mapping[str, Any], *, source: str
    ) -> dict[str, Any]:
        self.require(customer_id)
        cleaned = check_values(CONTACT_CHECKS, values, self.book.phone_region, creating=True)
        with change_set(self.db, self.book.clock, source) as recorder:
            created = self._insert("contact", cleaned, {"customer_id": customer_id}, recorder)
            contact_id = created["id"]
            if cleaned.get("is_primary"):
                self._only_primary(contact_id, customer_id, recorder)
        return rows.snapshot(self.db, "contact", contact_id) or {}

    def contact(self, contact_id: int, *, or_history: bool = False) -> dict[str, Any]:
        """A live contact; with `or_history`, also one only the history remembers."""
        record = rows.snapshot(self.db, "contact", contact_id)
        if record is None and or_history:
            name = known_in_history(self.db, "contact", contact_id)
            record = None if name is None else {"id": contact_id, "name": name}
        if record is None:
            raise NotFound(_("There is no contact {id}.").format(id=contact_id))
        return record

    def edit_contact(
        self, contact_id: int, values: Mapping[str, Any], *, source: str
    ) -> dict[str, Any]:
        current = self.contact(contact_id)
        cleaned = check_values(CONTACT_CHECKS, values, self.book.phone_region, creating=False)
        with change_set(self.db, self.book.clock, source) as recorder:
            owner = current["customer_id"]
            self._update("contact", contact_id, owner, current, cleaned, recorder)
            if cleaned.get("is_primary"):
                self._only_primary(contact_id, owner, recorder)
        return self.contact(contact_id)

    def remove_contact(self, contact_id: int, *, source: str) -> dict[str, Any]:
        """Take a contact off its customer; recorded, so undo brings it back."""
        current = self.contact(contact_id)
        with change_set(self.db, self.book.clock, source) as recorder:
            change = Change(
                "contact", contact_id, current["customer_id"], "delete", None, current, None
            )
            rows.apply(self.db, change, recorder.made_at)
            recorder.record(change)
        return current

    def erase_contact(self, contact_id: int, *, source: str) -> dict[str, Any]:
        """Remove one contact person from the book and its history (PIPL); no undo."""
        current = self.contact(contact_id, or_history=True)
        with change_set(self.db, self.book.clock, source, kind="erase") as recorder:
            rows.delete(self.db, "contact", contact_id)
            forget_contact(self.db, contact_id)
            recorder.record(Change("contact", contact_id, None, "delete", None, None, None))
            owner = current.get("customer_id")  # the erase row names no one; the index must
            if owner is not None:  # still drop the contact from its customer's rows
                recorder.derived.note(
                    Change("contact", contact_id, owner, "delete", None, None, None)
                )
        return current

    # -- shared ------------------------------------------------------------------------

    def _canonical(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """Tags as the book already spells them, so `vip` joins `VIP` and records so."""
        if "tags" in cleaned:
            return {**cleaned, "tags": rows.canonical_tags(self.db, cleaned["tags"])}
        return cleaned

    def _only_primary(self, contact_id: int, customer_id: int, recorder: Recorder) -> None:
        """One primary contact per customer: the others stop being it."""
        for (other,) in self.db.execute(
            "SELECT id FROM contacts WHERE customer_id = ? AND is_primary = 1 AND id != ?",
            (customer_id, contact_id),
        ).fetchall():
            change = Change("contact", other, customer_id, "update", "is_primary", 1, 0)
            rows.apply(self.db, change, recorder.made_at)
            recorder.record(change)

    def new_record(
        self, entity: str, cleaned: dict[str, Any], fixed: dict[str, Any]
    ) -> dict[str, Any]:
        """A customer or contact to insert, from checked values (check_values)."""
        now = self.book.now_text()
        cleaned = self._canonical(cleaned)
        record = {**_defaults(entity), "created_at": now, "updated_at": now, **fixed, **cleaned}
        for name in [*filter(_is_custom, cleaned)]:  # (no loop over every field)
            value = record.pop(name)
            if value is not None:
                record["custom_fields"][name.removeprefix(rows.CUSTOM_PREFIX)] = value
        return record

    def _insert(
        self, entity: str, cleaned: dict[str, Any], fixed: dict[str, Any], recorder: Recorder
    ) -> dict[str, Any]:
        """Insert and record a new record; returns it as stored."""
        record = self.new_record(entity, cleaned, fixed)
        return recorded.create(self.book, entity, record, record.get("customer_id"), recorder)

    def _update(
        self,
        entity: str,
        entity_id: int,
        customer_id: int,
        current: dict[str, Any],
        cleaned: dict[str, Any],
        recorder: Recorder,
    ) -> None:
        for name, value in self._canonical(cleaned).items():
            before = rows.field_value(current, name)
            if before == value:
                continue
            change = Change(entity, entity_id, customer_id, "update", name, before, value)
            rows.apply(self.db, change, recorder.made_at)
            recorder.record(change)


_NEAR = 5  # customers a name that matches no one suggests


def _no_customer(customer_id: int) -> NotFound:
    return NotFound(_("There is no customer {id}.").format(id=customer_id))


def _as_id(text: str) -> int | None:
    """`12` or `#12` as an id; anything else (other digits, huge numbers) is a name."""
    digits = text.removeprefix("#")
    if digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    return None
