"""The one JSON shape of a customer, shared by `show`, `find`, `due` and `export`.

snake_case keys, English enum keys (stage "active", grade "A"), times ISO-8601 with their
offset, booleans as booleans; money (later) as integer `amount_minor` with `currency`.
"""

from __future__ import annotations

from typing import Any

from custbook.book.customers import Customer

_BOOLEANS = {"do_not_contact", "is_primary"}
_CONTACT_KEYS = (
    "id",
    "name",
    "title",
    "phones",
    "emails",
    "wechat",
    "birthday",
    "is_primary",
    "notes",
)


def _plain(record: dict[str, Any], keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    chosen = keys or tuple(record)
    return {k: bool(record[k]) if k in _BOOLEANS else record[k] for k in chosen if k in record}


def customer_json(customer: Customer) -> dict[str, Any]:
    data = _plain(customer.record)
    data["contacts"] = [_plain(c, _CONTACT_KEYS) for c in customer.contacts]
    return data
