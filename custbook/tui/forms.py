"""What each form asks and what saving it does: logging an interaction (with the next
follow-up), editing a customer, adding a contact, an order, an opportunity, a reminder.
Built on the book's thread (an edit starts from the stored values)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from custbook.book import Book
from custbook.book.activity import INTERACTION_KINDS
from custbook.book.deals import OPPORTUNITY_FIELDS, ORDER_STATUSES
from custbook.book.describe import kind_words, order_status_words, shown
from custbook.book.money import Money, format_amount
from custbook.book.validation import GRADES, Problem, ValidationError, field_label, stage_labels
from custbook.book.when import WhenError, parse_moment, parse_when
from custbook.i18n import _
from custbook.tui.screens.form import Choice, Field, Form, digit_choices

SOURCE = "app"
_KIND_KEYS = {"call": "c", "visit": "v", "meeting": "m", "email": "e", "message": "s",
              "feedback": "f", "event": "t"}  # fmt: skip


def when_hint() -> str:
    return _("3d, 2w, next mon, 明天, 下周一, 2026-12-01")


_LONG_TEXT = ("notes", "body", "next_step")  # text areas: a pasted paragraph stays whole


def _field(name: str, value: Any = "", **options: Any) -> Field:
    if name in _LONG_TEXT:
        options.setdefault("lines", 4)
    return Field(name, field_label(name), shown(name, value), **options)


def _day(book: Book, name: str, text: str) -> str | None:
    """A WHEN (3d, 明天…) as an ISO date for a date field; the problem named by the field."""
    if not text.strip():
        return None
    try:
        return parse_when(text, book.clock().date()).isoformat()
    except WhenError as problem:
        raise ValidationError([Problem(name, text, problem.message)]) from None


def _days(book: Book, values: dict[str, str], names: tuple[str, ...]) -> _Days:
    """The date fields among `values` read as WHENs (ISO dates). One that cannot be read
    is left as typed: the service refuses it with every other problem of the form at
    once, and `_Days.saving` puts the WHEN's own message (what can be typed) in place."""
    found: dict[str, str | None] = {}
    problems: dict[str, Problem] = {}
    for name in names:
        if name in values:
            try:
                found[name] = _day(book, name, values[name])
            except ValidationError as unread:
                found[name], problems[name] = values[name], unread.problems[0]
    return _Days(found, problems)


class _Days(NamedTuple):
    read: dict[str, str | None]
    problems: dict[str, Problem]

    def saving(self, write: Callable[[], Any]) -> None:
        try:
            write()
        except ValidationError as refused:
            told = [self.problems.get(p.field, p) for p in refused.problems]
            raise ValidationError(told) from None


def _text_or_none(values: dict[str, str]) -> dict[str, str | None]:
    return {name: (value.strip() or None) for name, value in values.items()}


# -- logging ---------------------------------------------------------------------------


def log_form(book: Book, customer_id: int) -> Form:
    name = book.customers.record(customer_id)["name"]
    words = kind_words()
    kinds = tuple(Choice(k, words[k], _KIND_KEYS[k]) for k in INTERACTION_KINDS)
    fields = (
        Field("kind", _("Kind"), "call", choices=kinds),
        Field("happened_at", _("When"), hint=_("empty: now; or yesterday 14:30, 2026-11-20 9:00")),
        _field("subject"),
        _field("body"),
        _field("outcome"),
        Field("rating", field_label("rating"), hint=_("1 to 5")),
        Field("next", _("Next follow-up"), hint=_("empty: none; ") + when_hint()),
    )
    return Form(_("Log for {name}").format(name=name), fields, _logger(customer_id))


def _logger(customer_id: int) -> Callable[[Book, dict[str, str]], str]:
    def save(book: Book, values: dict[str, str]) -> str:
        typed = _text_or_none(values)
        record = {key: typed[key] for key in ("kind", "subject", "body", "outcome", "rating")}
        happened, follow_up = _log_days(book, customer_id, values, record)
        book.activity.log(
            customer_id, {**record, "happened_at": happened}, source=SOURCE, follow_up=follow_up
        )
        if follow_up is None:
            return _("Logged.")
        return _("Logged; next follow-up {due}.").format(due=follow_up.isoformat())

    return save


def _log_days(
    book: Book, customer_id: int, values: dict[str, str], record: dict[str, Any]
) -> tuple[Any, date | None]:
    """A log's When and Next follow-up; when one cannot be read, ValidationError with
    every other problem of the form too (the service checks the rest without them)."""
    problems = []
    happened = None
    try:
        happened = parse_moment(values["happened_at"], book.clock())
    except WhenError as unread:
        problems.append(Problem("happened_at", values["happened_at"], unread.message))
    days = _days(book, values, ("next",))
    problems += days.problems.values()
    next_day = days.read["next"] if not days.problems else None
    follow_up = None if next_day is None else date.fromisoformat(next_day)
    if problems:
        try:
            book.activity.checked_log(customer_id, record, follow_up=follow_up)
        except ValidationError as refused:
            problems += refused.problems
        raise ValidationError(problems)
    return happened, follow_up


# -- the customer and its contacts -----------------------------------------------------------

_CUSTOMER_FIELDS = ("name", "company", "title", "phones", "emails", "wechat", "city",
                    "province", "address", "industry", "source", "birthday", "tags")  # fmt: skip


def _customer_fields(values: Callable[[str], Any]) -> tuple[Field, ...]:
    """A customer's fields, each starting from `values(name)` (its stored value or none)."""
    stages = digit_choices([("", _("none")), *((k, v[0]) for k, v in stage_labels().items())])
    grades = (Choice("", _("none"), "0"), *(Choice(g, g, g.lower()) for g in GRADES))
    return (
        *(_field(name, values(name)) for name in _CUSTOMER_FIELDS[:1]),
        Field("grade", field_label("grade"), values("grade") or "", choices=grades),
        Field("stage", field_label("stage"), values("stage") or "", choices=stages),
        *(_field(name, values(name)) for name in _CUSTOMER_FIELDS[1:]),
        _field("notes", values("notes")),
    )


def customer_form(book: Book, customer_id: int) -> Form:
    customer = book.customers.get(customer_id)

    def save(book: Book, values: dict[str, str]) -> str:
        book.customers.edit(customer_id, values, source=SOURCE)
        return _("Saved.")

    title = _("Edit {name}").format(name=customer.name)
    return Form(title, _customer_fields(customer.__getitem__), save, changed_only=True)


def new_customer_form(_book: Book) -> Form:
    """A customer of one's own (a person or a company), shown once saved (`Form.made`)."""
    kinds = (Choice("person", _("person"), "1"), Choice("company", _("company"), "2"))
    name, *others = _customer_fields(lambda _name: "")
    fields = (name, Field("kind", field_label("kind"), "person", choices=kinds), *others)
    made: list[int] = []

    def save(book: Book, values: dict[str, str]) -> str:
        customer = book.customers.create(values, source=SOURCE)
        made.append(customer.id)
        return _("Added {name}.").format(name=customer.name)

    return Form(_("New customer"), fields, save, made=lambda: made[-1] if made else None)


def contact_form(book: Book, customer_id: int) -> Form:
    name = book.customers.record(customer_id)["name"]
    fields = tuple(_field(n) for n in ("name", "title", "phones", "emails", "wechat", "notes"))

    def save(book: Book, values: dict[str, str]) -> str:
        book.customers.add_contact(customer_id, _text_or_none(values), source=SOURCE)
        return _("Contact added.")

    return Form(_("New contact of {name}").format(name=name), fields, save)


def contact_edit_form(book: Book, contact_id: int) -> Form:
    contact = book.customers.contact(contact_id)
    names = ("name", "title", "phones", "emails", "wechat", "notes")
    fields = tuple(_field(name, contact[name]) for name in names)

    def save(book: Book, values: dict[str, str]) -> str:
        book.customers.edit_contact(contact_id, values, source=SOURCE)
        return _("Saved.")

    title = _("Edit contact {name}").format(name=contact["name"])
    return Form(title, fields, save, changed_only=True)


# -- orders, opportunities, reminders ----------------------------------------------------------


def order_edit_form(book: Book, order_id: int) -> Form:
    """An order's product, dates, quantity, unit price, amount, status and notes; a paid
    day makes it paid."""
    order = book.deals.order(order_id)
    words = order_status_words()
    statuses = digit_choices([(s, words[s]) for s in ORDER_STATUSES])
    amount = format_amount(Money(order["amount_minor"], order["currency"]))
    unit = order["unit_price_minor"]
    unit_price = "" if unit is None else format_amount(Money(unit, order["currency"]))
    fields = (
        Field("ordered_on", field_label("ordered_on"), order["ordered_on"], hint=when_hint()),
        _field("product", order["product"]),
        _field("quantity", order["quantity"]),
        _field("unit_price", unit_price),
        Field(
            "amount",
            field_label("amount"),
            amount,
            hint=_("¥1,250.50, 3000元, 1.2万; a new quantity or unit price makes it their product"),
        ),
        Field("status", field_label("status"), order["status"], choices=statuses),
        Field("payment_due", field_label("payment_due"), order["payment_due"] or "",
              hint=when_hint()),
        Field("paid_on", field_label("paid_on"), order["paid_on"] or "", hint=when_hint()),
        _field("notes", order["notes"]),
    )  # fmt: skip

    def save(book: Book, values: dict[str, str]) -> str:
        days = _days(book, values, ("ordered_on", "payment_due", "paid_on"))
        days.saving(lambda: book.deals.edit_order(order_id, {**values, **days.read}, source=SOURCE))
        return _("Saved.")

    title = _("Order of {day}: {product}").format(
        day=order["ordered_on"], product=order["product"] or ""
    )
    return Form(title, fields, save, changed_only=True)


def order_form(book: Book, customer_id: int) -> Form:
    name = book.customers.record(customer_id)["name"]
    words = order_status_words()
    statuses = digit_choices([(s, words[s]) for s in ORDER_STATUSES])
    fields = (
        Field("ordered_on", field_label("ordered_on"), hint=_("empty: today; ") + when_hint()),
        *(_field(n) for n in ("product", "quantity", "unit_price")),
        Field(
            "amount",
            field_label("amount"),
            hint=_("¥1,250.50, 3000元, 1.2万; or leave it to quantity × unit price"),
        ),
        Field("status", field_label("status"), "open", choices=statuses),
        Field("payment_due", field_label("payment_due"), hint=when_hint()),
        _field("notes"),
    )

    def save(book: Book, values: dict[str, str]) -> str:
        days = _days(book, values, ("ordered_on", "payment_due"))
        typed = {**_text_or_none(values), **days.read}
        days.saving(lambda: book.deals.add_order(customer_id, typed, source=SOURCE))
        return _("Order added.")

    return Form(_("New order of {name}").format(name=name), fields, save)


def opportunity_form(book: Book, customer_id: int) -> Form:
    name = book.customers.record(customer_id)["name"]
    fields = tuple(
        Field(n, field_label(n), hint=when_hint()) if n == "expected_close" else _field(n)
        for n in OPPORTUNITY_FIELDS
    )

    def save(book: Book, values: dict[str, str]) -> str:
        days = _days(book, values, ("expected_close",))
        typed = {**_text_or_none(values), **days.read}
        days.saving(lambda: book.deals.add_opportunity(customer_id, typed, source=SOURCE))
        return _("Opportunity added.")

    return Form(_("New opportunity with {name}").format(name=name), fields, save)


def reminder_form(book: Book, customer_id: int) -> Form:
    name = book.customers.record(customer_id)["name"]
    fields = (
        _field("title"),
        Field("due", field_label("due"), hint=when_hint()),
        Field("repeat_rule", field_label("repeat_rule"), hint=_("empty: once; monthly, 每周…")),
        _field("notes"),
    )

    def save(book: Book, values: dict[str, str]) -> str:
        typed = _text_or_none(values)
        due = _day(book, "due", values["due"]) or book.clock().date().isoformat()  # empty: today
        book.activity.remind(
            values["title"],
            date.fromisoformat(due),
            source=SOURCE,
            customer_id=customer_id,
            repeat_rule=typed["repeat_rule"],
            notes=typed["notes"],
        )
        return _("Reminder set for {due}.").format(due=due)

    return Form(_("New reminder for {name}").format(name=name), fields, save)


def opportunity_edit_form(book: Book, opportunity_id: int) -> Form:
    deal = book.deals.opportunity(opportunity_id)
    minor = deal["amount_minor"]
    amount = "" if minor is None else format_amount(Money(minor, deal["currency"]))
    fields = tuple(
        Field(n, field_label(n), amount, hint=_("¥1,250.50, 3000元, 1.2万"))
        if n == "amount"
        else Field(n, field_label(n), deal[n] or "", hint=when_hint())
        if n == "expected_close"
        else _field(n, deal[n])
        for n in OPPORTUNITY_FIELDS
    )

    def save(book: Book, values: dict[str, str]) -> str:
        days = _days(book, values, ("expected_close",))
        typed = {**values, **days.read}
        days.saving(lambda: book.deals.edit_opportunity(opportunity_id, typed, source=SOURCE))
        return _("Saved.")

    return Form(
        _("Opportunity: {title}").format(title=deal["title"]), fields, save, changed_only=True
    )


def reminder_edit_form(book: Book, reminder_id: int) -> Form:
    reminder = book.activity.reminder(reminder_id)
    fields = (
        _field("title", reminder["title"]),
        Field("due", field_label("due"), reminder["due"][:10], hint=when_hint()),
        Field(
            "repeat_rule",
            field_label("repeat_rule"),
            reminder["repeat_rule"] or "",
            hint=_("empty: once; monthly, 每周…"),
        ),
        _field("notes", reminder["notes"]),
    )

    def save(book: Book, values: dict[str, str]) -> str:
        typed: dict[str, Any] = dict(values)
        if "due" in typed:
            typed["due"] = _day(book, "due", values["due"]) or ""
        book.activity.edit_reminder(reminder_id, typed, source=SOURCE)
        return _("Saved.")

    title = _("Reminder: {title}").format(title=reminder["title"])
    return Form(title, fields, save, changed_only=True)


# Forms about a customer's row: the tab it is on → the form that edits it.
ROW_FORMS: dict[str, Callable[[Book, int], Form]] = {
    "contacts": contact_edit_form,
    "orders": order_edit_form,
    "opportunities": opportunity_edit_form,
    "reminders": reminder_edit_form,
}
FORMS: dict[str, Callable[[Book, int], Form]] = {
    "log": log_form,
    "customer": customer_form,
    "contact": contact_form,
    "order": order_form,
    "opportunity": opportunity_form,
    "reminder": reminder_form,
}
