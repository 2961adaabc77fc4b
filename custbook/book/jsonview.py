"""The one JSON shape of a customer, shared by `show`, `find`, `due` and `export`, and the
shape of a change set for `history --json`.

snake_case keys, English enum keys (stage "active", grade "A"), times ISO-8601 with their
offset, yes/no fields as booleans; money (later) as integer `amount_minor` with `currency`.
"""

from __future__ import annotations

from typing import Any

from custbook.book.customers import Customer
from custbook.book.history import ChangeSet

_BOOLEANS = {"do_not_contact", "is_primary"}


def _value(field: str | None, value: Any) -> Any:
    return bool(value) if field in _BOOLEANS and value is not None else value


def _plain(record: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if record is None else {k: _value(k, v) for k, v in record.items()}


def customer_json(customer: Customer, currency: str = "CNY") -> dict[str, Any]:
    data = _plain(customer.record) or {}
    data["contacts"] = [_plain(c) for c in customer.contacts]
    kept = customer.figures
    data["figures"] = {
        "last_contact_at": kept.get("last_contact_at"),
        "interactions": kept.get("interactions", 0),
        "next_reminder_due": kept.get("next_due"),
        "lifetime_revenue": {"amount_minor": kept.get("revenue_minor", 0), "currency": currency},
        "orders": kept.get("orders", 0),
        "last_order_on": kept.get("last_order_on"),
        "earliest_unpaid_due": kept.get("unpaid_due"),
        "cancelled_or_refunded_orders": kept.get("troubled_orders", 0),
        "open_opportunities": {
            "amount_minor": kept.get("open_opportunity_minor", 0),
            "currency": currency,
        },
    }
    return data


def change_json(change_set: ChangeSet) -> dict[str, Any]:
    """A change set, its values in the same shape as the records they belong to."""

    def value(field: str | None, raw: Any) -> Any:
        return _plain(raw) if field is None else _value(field, raw)

    return {
        "id": change_set.id,
        "made_at": change_set.made_at,
        "source": change_set.source,
        "kind": change_set.kind,
        "undoes": change_set.undoes,
        "undone_by": change_set.undone_by,
        "changes": [
            {
                "entity": c.entity,
                "entity_id": c.entity_id,
                "action": c.action,
                "field": c.field,
                "before": value(c.field, c.before),
                "after": value(c.field, c.after),
            }
            for c in change_set.changes
        ],
    }
