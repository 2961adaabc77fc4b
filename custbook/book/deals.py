"""What customers buy and might buy: orders and opportunities.

Money is integer minor units with a currency (the book's, CNY unless set). Each write is a
change set like any other and refreshes the customer's kept figures (revenue, unpaid
orders, open opportunities).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from custbook.book import recorded, rows
from custbook.book.history import change_set
from custbook.book.money import Money
from custbook.book.validation import MAX_MINOR, Checker
from custbook.errors import InvalidInput, NotFound
from custbook.i18n import _

if TYPE_CHECKING:
    from custbook.book.book import Book

ORDER_STATUSES = ("open", "paid", "cancelled", "refunded")
OPPORTUNITY_FIELDS = ("title", "product", "amount", "stage", "probability", "expected_close",
                      "next_step", "notes")  # fmt: skip
STATUS_WORDS = {
    "open": "open", "未付": "open", "待付": "open", "未付款": "open", "待付款": "open",
    "未收款": "open", "待收款": "open", "部分付款": "open", "部分收款": "open", "unpaid": "open",
    "paid": "paid", "已付": "paid", "已付款": "paid", "已收款": "paid", "已结清": "paid",
    "已结算": "paid", "已回款": "paid",
    "cancelled": "cancelled", "canceled": "cancelled", "取消": "cancelled", "已取消": "cancelled",
    "作废": "cancelled", "已作废": "cancelled",
    "refunded": "refunded", "退款": "refunded", "已退款": "refunded", "退货": "refunded",
    "已退货": "refunded",
}  # fmt: skip


class Deals:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.db = book.db

    # -- orders ------------------------------------------------------------------------

    def add_order(
        self, customer_id: int, values: Mapping[str, Any], *, source: str
    ) -> dict[str, Any]:
        """An order; the amount is given, or quantity × unit price."""
        self.book.customers.require(customer_id)
        with change_set(self.db, self.book.clock, source):  # made at its instant
            record = self.order_record(customer_id, values)
            return self._create("order", record, customer_id, source)

    def order_record(self, customer_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
        """An order to insert, every value checked (ValidationError names each bad one)."""
        checker = Checker()
        currency = str(self.book.setting("currency"))
        today = self.book.clock().date()
        unit = checker.amount("unit_price", values.get("unit_price"), currency)
        amount = checker.amount("amount", values.get("amount"), currency)
        quantity = checker.quantity("quantity", values.get("quantity"))
        record = {
            "customer_id": customer_id,
            "ordered_on": checker.date("ordered_on", values.get("ordered_on")) or today.isoformat(),
            "product": checker.text("product", values.get("product")),
            "quantity": None if quantity is None else str(quantity),
            "unit_price_minor": None if unit is None else unit.minor,
            "status": checker.choice(
                "status", values.get("status") or "open", STATUS_WORDS, ORDER_STATUSES
            ),
            "payment_due": checker.date("payment_due", values.get("payment_due")),
            "paid_on": checker.date("paid_on", values.get("paid_on")),
            "notes": checker.text("notes", values.get("notes")),
            "created_at": self.book.now_text(),
        }
        total = _total(checker, amount, unit, quantity)
        checker.finish()
        record["amount_minor"] = total.minor if total else 0
        record["currency"] = total.currency if total else currency
        return record

    def edit_order(
        self, order_id: int, values: Mapping[str, Any], *, source: str
    ) -> dict[str, Any]:
        """Change an order's product, dates, amount, quantity, unit price, status or notes,
        each checked as when adding. A new quantity or unit price makes the amount their
        product (unless an amount is given too: a discount). A paid day makes an open
        order paid; opened again or cancelled, it has none; refunded, it keeps it."""
        current = self.order(order_id)
        checker = Checker()
        updates: dict[str, Any] = {}
        unit: Money | None = None
        for name, value in values.items():
            if name == "quantity":
                quantity = checker.quantity("quantity", value)
                updates["quantity"] = None if quantity is None else str(quantity)
            elif name == "unit_price":
                unit = checker.amount("unit_price", value, current["currency"])
                updates["unit_price_minor"] = None if unit is None else unit.minor
            elif name in ("product", "notes"):
                updates[name] = checker.text(name, value)
            elif name in ("ordered_on", "payment_due", "paid_on"):
                updates[name] = checker.date(name, value)
            elif name == "amount":  # in the order's own currency unless it names one
                amount = checker.amount("amount", value, current["currency"])
                if amount is not None:
                    updates.update(amount_minor=amount.minor, currency=amount.currency)
            elif name == "status":
                updates["status"] = checker.choice("status", value, STATUS_WORDS, ORDER_STATUSES)
            else:
                raise ValueError(f"unknown field {name!r}")  # a programming error
        if "ordered_on" in updates and updates["ordered_on"] is None:
            checker.problem("ordered_on", "", _("is required"))
        _paid_and_status(checker, current, updates)
        if not checker.problems:
            _price_and_amount(checker, current, updates, values, unit)
        checker.finish()
        changed = {k: v for k, v in updates.items() if current[k] != v}
        return self._update("order", current, changed, source) if changed else current

    def order(self, order_id: int) -> dict[str, Any]:
        return self._get("order", order_id, _("There is no order {id}."))

    def mark_paid(self, order_id: int, paid_on: date, *, source: str) -> dict[str, Any]:
        current = self.order(order_id)
        if current["status"] in ("cancelled", "refunded"):
            raise InvalidInput(
                _("Order {id} is {status}; it cannot be paid.").format(
                    id=order_id, status=current["status"]
                )
            )
        return self._update(
            "order", current, {"status": "paid", "paid_on": paid_on.isoformat()}, source
        )

    def set_order_status(self, order_id: int, status: str, *, source: str) -> dict[str, Any]:
        checker = Checker()
        updates = {"status": checker.choice("status", status, STATUS_WORDS, ORDER_STATUSES)}
        checker.finish()
        current = self.order(order_id)
        _paid_and_status(checker, current, updates)  # as an edit of the status does
        return self._update("order", current, updates, source)

    def orders(self, customer_id: int) -> list[dict[str, Any]]:
        return self._list("order", "orders", customer_id, "ordered_on DESC, id DESC")

    # -- opportunities -----------------------------------------------------------------

    def add_opportunity(
        self, customer_id: int, values: Mapping[str, Any], *, source: str
    ) -> dict[str, Any]:
        self.book.customers.require(customer_id)
        given = {name: values.get(name) for name in OPPORTUNITY_FIELDS}
        with change_set(self.db, self.book.clock, source):  # made at its instant
            now = self.book.now_text()
            record = {
                "customer_id": customer_id,
                **self._checked_opportunity(given),
                "created_at": now,
                "updated_at": now,
            }
            return self._create("opportunity", record, customer_id, source)

    def edit_opportunity(
        self, opportunity_id: int, values: Mapping[str, Any], *, source: str
    ) -> dict[str, Any]:
        """Change the given fields (OPPORTUNITY_FIELDS), each checked as when adding."""
        current = self.opportunity(opportunity_id)
        updates = self._checked_opportunity(values)
        changed = {k: v for k, v in updates.items() if current[k] != v}
        if not changed:
            return current
        # (its updated_at is the change set's, as rows.apply stamps every field it writes)
        return self._update("opportunity", current, changed, source)

    def _checked_opportunity(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Stored values for the given fields, or ValidationError naming each bad one."""
        checker = Checker()
        currency = str(self.book.setting("currency"))
        checks = {
            "title": lambda v: checker.text("title", v, required=True),
            "product": lambda v: checker.text("product", v),
            "stage": lambda v: checker.text("stage", v),
            "probability": lambda v: checker.whole_number("probability", v, 0, 100),
            "expected_close": lambda v: checker.date("expected_close", v),
            "next_step": lambda v: checker.text("next_step", v),
            "notes": lambda v: checker.text("notes", v),
        }
        checked: dict[str, Any] = {}
        for name, value in values.items():
            if name == "amount":
                amount = checker.amount("amount", value, currency)
                checked["amount_minor"] = None if amount is None else amount.minor
                checked["currency"] = currency if amount is None else amount.currency
            elif name in checks:
                checked[name] = checks[name](value)
            else:
                raise ValueError(f"unknown field {name!r}")  # a programming error
        checker.finish()
        return checked

    def opportunity(self, opportunity_id: int) -> dict[str, Any]:
        return self._get("opportunity", opportunity_id, _("There is no opportunity {id}."))

    def close_opportunity(
        self, opportunity_id: int, outcome: str, closed_on: date, *, source: str
    ) -> dict[str, Any]:
        """Won or lost; `outcome` is "won" or "lost"."""
        if outcome not in ("won", "lost"):
            raise ValueError(f"outcome must be won or lost, not {outcome!r}")  # a caller's bug
        changes = {"outcome": outcome, "closed_on": closed_on.isoformat()}
        return self._update("opportunity", self.opportunity(opportunity_id), changes, source)

    def opportunities(self, customer_id: int) -> list[dict[str, Any]]:
        return self._list("opportunity", "opportunities", customer_id, "created_at DESC, id DESC")

    # -- shared ------------------------------------------------------------------------

    def _get(self, entity: str, entity_id: int, missing: str) -> dict[str, Any]:
        record = rows.snapshot(self.db, entity, entity_id)
        if record is None:
            raise NotFound(missing.format(id=entity_id))
        return record

    def _list(self, entity: str, table: str, customer_id: int, order: str) -> list[dict[str, Any]]:
        return [
            rows.snapshot(self.db, entity, r[0]) or {}
            for r in self.db.execute(
                f"SELECT id FROM {table} WHERE customer_id = ? ORDER BY {order}", (customer_id,)
            )
        ]

    def _create(
        self, entity: str, record: dict[str, Any], customer_id: int, source: str
    ) -> dict[str, Any]:
        with change_set(self.db, self.book.clock, source) as recorder:
            return recorded.create(self.book, entity, record, customer_id, recorder)

    def _update(
        self, entity: str, current: dict[str, Any], updates: dict[str, Any], source: str
    ) -> dict[str, Any]:
        return recorded.update(self.book, entity, current, updates, source)


def _paid_and_status(checker: Checker, current: dict[str, Any], updates: dict[str, Any]) -> None:
    """A paid day makes an open order paid; a refunded order keeps the day it was paid
    (and may have it corrected); a cancelled order has none; an order opened again drops
    it."""
    status = updates.get("status", current["status"])
    if updates.get("paid_on"):
        if status == "cancelled":
            checker.problem("paid_on", updates["paid_on"], _("cannot be set on a {status} order")
                            .format(status=status))  # fmt: skip
        elif status == "open":
            updates["status"] = "paid"
    elif "status" in updates and status in ("open", "cancelled"):
        updates["paid_on"] = None


def _price_and_amount(
    checker: Checker,
    current: dict[str, Any],
    updates: dict[str, Any],
    values: Mapping[str, Any],
    unit: Money | None,
) -> None:
    """An amount that follows a changed quantity or unit price (unless an amount is given
    too: a discount); an amount cleared is their product."""
    order = {**current, **updates}
    if not _one_currency(checker, current, order, values, unit):
        return
    moved = any(order[k] != current[k] for k in ("quantity", "unit_price_minor"))
    cleared = "amount" in values and "amount_minor" not in updates
    if not (cleared or (moved and "amount" not in values)):
        return
    if order["quantity"] is None or order["unit_price_minor"] is None:
        if cleared:
            checker.problem("amount", "", _("is required (or give a quantity and a unit price)"))
        return
    unit_price = Money(order["unit_price_minor"], order["currency"])
    total = _total(checker, None, unit_price, Decimal(order["quantity"]))
    if total is not None:
        updates["amount_minor"] = total.minor


def _one_currency(
    checker: Checker,
    current: dict[str, Any],
    order: dict[str, Any],
    values: Mapping[str, Any],
    unit: Money | None,
) -> bool:
    """An order's amount and unit price are in its one currency: a unit price in another
    is refused, and so is an amount in another while the unit price stays in the old."""
    currency = order["currency"]
    if unit is not None and unit.currency != currency:
        reason = _("is in {unit}; this order is in {order}")
        checker.problem(
            "unit_price",
            str(values["unit_price"]),
            reason.format(unit=unit.currency, order=currency),
        )
        return False
    kept_unit = order["unit_price_minor"] is not None and "unit_price" not in values
    if currency != current["currency"] and kept_unit:
        reason = _("is in {amount}; the unit price is in {order}: give it in {amount} too")
        shown = reason.format(amount=currency, order=current["currency"])
        checker.problem("amount", str(values["amount"]), shown)
        return False
    return True


def _total(checker: Checker, amount: Any, unit: Any, quantity: Decimal | None) -> Any:
    """The amount given, else quantity × unit price when that comes to whole minor units."""
    if amount is not None or unit is None or quantity is None:
        if amount is None and not checker.problems:
            checker.problem("amount", "", _("is required (or give a quantity and a unit price)"))
        return amount
    product = quantity * unit.minor
    if product != product.to_integral_value():
        checker.problem("amount", str(product / 100), _("is not exact to 0.01: give the amount"))
        return None
    if abs(product) > MAX_MINOR:
        checker.problem("amount", str(product / 100), _("is too large"))
        return None
    return type(unit)(int(product), unit.currency)
