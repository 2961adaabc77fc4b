"""Orders and opportunities, and the figures kept from them."""

from __future__ import annotations

from datetime import date

import pytest

from custbook.book import ValidationError, figures
from tests.book.conftest import ZHANG


@pytest.fixture
def customer(book):
    return book.customers.create(ZHANG, source="add")


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("¥1,250.50", 125050), ("3000元", 300000), ("2,000", 200000), ("1.2万", 1200000)],
)
def test_amounts_in_every_spelling(book, customer, typed, minor):
    order = book.deals.add_order(customer.id, {"amount": typed, "product": "打印纸"}, source="o")
    assert (order["amount_minor"], order["currency"]) == (minor, "CNY")


def test_quantity_times_unit_price(book, customer):
    order = book.deals.add_order(customer.id, {"quantity": "12", "unit_price": "¥8.50"}, source="o")
    assert (order["amount_minor"], order["quantity"], order["unit_price_minor"]) == (
        10200,
        "12",
        850,
    )
    with pytest.raises(ValidationError, match="Amount"):
        book.deals.add_order(customer.id, {"product": "无价"}, source="o")
    with pytest.raises(ValidationError, match="Amount"):
        book.deals.add_order(customer.id, {"amount": "一些钱"}, source="o")


def test_a_date_of_a_year_the_book_does_not_keep_names_the_years(book, customer):
    """2926 typed for 2026 is a real date: the message says which years are kept, not
    that it is not a date."""
    with pytest.raises(ValidationError) as raised:
        book.deals.add_order(
            customer.id, {"amount": "100", "payment_due": "2926-01-01", "ordered_on": "2月30日"},
            source="o",
        )  # fmt: skip
    assert [p.describe() for p in raised.value.problems] == [
        "Order date: “2月30日” is not a date like 2024-03-05",
        "Payment due: “2926-01-01” is not between the years 1900 and 2199",
    ]


def test_figures_follow_orders_and_opportunities(book, customer):
    first = book.deals.add_order(
        customer.id,
        {"amount": "1000", "ordered_on": "2026-01-10", "payment_due": "2026-02-10"},
        source="o",
    )
    book.deals.add_order(customer.id, {"amount": "500", "ordered_on": "2026-02-01"}, source="o")
    refunded = book.deals.add_order(
        customer.id, {"amount": "300", "ordered_on": "2026-02-05"}, source="o"
    )
    book.deals.set_order_status(refunded["id"], "退款", source="o")
    chance = book.deals.add_opportunity(
        customer.id, {"title": "扩容", "amount": "2万", "probability": "60"}, source="p"
    )
    kept = figures.of(book.db, customer.id)
    assert (kept["revenue_minor"], kept["orders"], kept["troubled_orders"]) == (150000, 2, 1)
    assert (kept["unpaid_due"], kept["last_order_on"], kept["open_opportunity_minor"]) == (
        "2026-02-10",
        "2026-02-01",
        2000000,
    )
    book.deals.mark_paid(first["id"], date(2026, 2, 9), source="paid")
    book.deals.close_opportunity(chance["id"], "won", date(2026, 3, 1), source="won")
    kept = figures.of(book.db, customer.id)
    assert (kept["unpaid_due"], kept["open_opportunity_minor"]) == (None, 0)
    book.undo(source="undo")
    book.undo(source="undo")
    assert figures.of(book.db, customer.id)["unpaid_due"] == "2026-02-10"
    kept_now = figures.kept(book.db)
    figures.rebuild(book.db)
    assert figures.kept(book.db) == kept_now


def test_erase_takes_orders_with_it(book, customer):
    book.deals.add_order(
        customer.id, {"amount": "1000", "product": "SECRET-PRODUCT-秘"}, source="o"
    )
    book.customers.erase(customer.id, source="erase")
    assert "SECRET-PRODUCT-秘".encode() not in book.db.serialize()


def test_a_cancelled_order_cannot_be_paid(book, customer):
    from custbook.errors import InvalidInput

    order = book.deals.add_order(customer.id, {"amount": "100"}, source="o")
    book.deals.set_order_status(order["id"], "cancelled", source="o")
    with pytest.raises(InvalidInput, match="cannot be paid"):
        book.deals.mark_paid(order["id"], date(2026, 3, 1), source="paid")


def test_editing_an_opportunity_checks_each_field_and_can_be_undone(book, customer):
    deal = book.deals.add_opportunity(
        customer.id, {"title": "年度采购", "amount": "5万"}, source="o"
    )
    with pytest.raises(ValidationError) as refused:
        book.deals.edit_opportunity(deal["id"], {"probability": "120", "title": " "}, source="e")
    assert {p.field for p in refused.value.problems} == {"probability", "title"}
    assert book.deals.opportunity(deal["id"]) == deal  # nothing of a refused edit is kept
    edited = book.deals.edit_opportunity(
        deal["id"], {"amount": "6万", "expected_close": "2026-12-31"}, source="e"
    )
    assert (edited["amount_minor"], edited["expected_close"]) == (6_000_000, "2026-12-31")
    # one time for what an add or edit stamps, though this clock moves at each reading
    (first,) = book.db.execute("SELECT made_at FROM change_sets WHERE source = 'o'").fetchone()
    assert deal["created_at"] == deal["updated_at"] == first
    made_at, stamped = book.db.execute(
        "SELECT s.made_at, group_concat(c.field) FROM change_sets s"
        " JOIN changes c ON c.change_set_id = s.id WHERE s.id = (SELECT max(id) FROM change_sets)"
    ).fetchone()
    assert edited["updated_at"] == made_at and "updated_at" not in stamped.split(",")
    assert book.deals.edit_opportunity(deal["id"], {"amount": "6万"}, source="e") == edited
    book.undo(source="undo")
    assert book.deals.opportunity(deal["id"])["amount_minor"] == 5_000_000


def test_editing_an_order_keeps_status_and_paid_day_consistent(book, customer):
    order = book.deals.add_order(customer.id, {"amount": "3000元", "product": "纸"}, source="o")
    paid = book.deals.edit_order(order["id"], {"paid_on": "2026-03-02"}, source="e")
    assert (paid["status"], paid["paid_on"]) == ("paid", "2026-03-02")
    reopened = book.deals.edit_order(order["id"], {"status": "open"}, source="e")
    assert (reopened["status"], reopened["paid_on"]) == ("open", None)
    book.deals.edit_order(order["id"], {"status": "cancelled"}, source="e")
    with pytest.raises(ValidationError) as refused:
        book.deals.edit_order(
            order["id"], {"paid_on": "2026-03-03", "amount": "很多", "ordered_on": ""}, source="e"
        )
    assert {p.field for p in refused.value.problems} == {"paid_on", "amount", "ordered_on"}
    edited = book.deals.edit_order(
        order["id"], {"amount": "1.2万", "product": "复印纸"}, source="e"
    )
    assert (edited["amount_minor"], edited["product"]) == (1_200_000, "复印纸")
    kept = figures.kept(book.db)  # the revenue figures followed every edit
    figures.rebuild(book.db)
    assert figures.kept(book.db) == kept


def test_a_refunded_order_keeps_the_day_it_was_paid(book, customer):
    order = book.deals.add_order(customer.id, {"amount": "800"}, source="o")
    book.deals.mark_paid(order["id"], date(2026, 3, 2), source="p")
    refunded = book.deals.set_order_status(order["id"], "refunded", source="r")
    assert (refunded["status"], refunded["paid_on"]) == ("refunded", "2026-03-02")
    corrected = book.deals.edit_order(order["id"], {"paid_on": "2026-03-01"}, source="e")
    assert (corrected["status"], corrected["paid_on"]) == ("refunded", "2026-03-01")
    cancelled = book.deals.set_order_status(order["id"], "cancelled", source="c")
    assert (cancelled["status"], cancelled["paid_on"]) == ("cancelled", None)
    with pytest.raises(ValidationError, match="cannot be set"):
        book.deals.edit_order(order["id"], {"paid_on": "2026-03-01"}, source="e")
    book.undo(source="undo")
    assert book.deals.order(order["id"])["paid_on"] == "2026-03-01"


def test_a_new_quantity_or_unit_price_makes_the_amount_their_product(book, customer):
    order = book.deals.add_order(
        customer.id, {"quantity": "3", "unit_price": "¥100", "product": "墨盒"}, source="o"
    )
    assert order["amount_minor"] == 30_000

    def edited(values):
        return book.deals.edit_order(order["id"], values, source="e")

    five = edited({"quantity": "5"})
    assert (five["quantity"], five["amount_minor"]) == ("5", 50_000)
    assert edited({"unit_price": "120元"})["amount_minor"] == 60_000
    discounted = edited({"quantity": "2", "amount": "200"})  # an amount given wins
    assert (discounted["quantity"], discounted["amount_minor"]) == ("2", 20_000)
    with pytest.raises(ValidationError) as refused:
        edited({"quantity": "很多"})
    assert [p.field for p in refused.value.problems] == ["quantity"]
    with pytest.raises(ValidationError, match="not exact"):
        edited({"quantity": "1.5", "unit_price": "0.01"})
    assert book.deals.order(order["id"])["amount_minor"] == 20_000  # nothing of those kept
    assert figures.of(book.db, customer.id)["revenue_minor"] == 20_000
    book.undo(source="undo")
    assert book.deals.order(order["id"])["amount_minor"] == 60_000
    plain = book.deals.add_order(customer.id, {"amount": "500"}, source="o")
    kept = book.deals.edit_order(plain["id"], {"quantity": "4"}, source="e")
    assert (kept["quantity"], kept["amount_minor"]) == ("4", 50_000)  # no unit price: as typed


def test_an_orders_price_edits_keep_one_currency_and_a_discount(book, customer):
    order = book.deals.add_order(
        customer.id, {"quantity": "3", "unit_price": "¥100", "amount": "250"}, source="o"
    )  # a discount

    def edited(values):
        return book.deals.edit_order(order["id"], values, source="e")

    assert edited({"quantity": "3"})["amount_minor"] == 25_000  # the same quantity: kept
    with pytest.raises(ValidationError) as refused:
        edited({"unit_price": "US$20"})
    assert [(p.field, p.value) for p in refused.value.problems] == [("unit_price", "US$20")]
    assert "CNY" in refused.value.problems[0].message
    with pytest.raises(ValidationError) as refused:
        edited({"amount": "US$500"})  # the unit price would stay in yuan
    assert [p.field for p in refused.value.problems] == ["amount"]
    dollars = edited({"amount": "US$500", "unit_price": "US$200"})
    assert (dollars["currency"], dollars["amount_minor"], dollars["unit_price_minor"]) == (
        "USD", 50_000, 20_000,
    )  # fmt: skip
    assert edited({"amount": "", "quantity": "2"})["amount_minor"] == 40_000  # cleared: 2 × 200
    with pytest.raises(ValidationError, match="below zero"):
        edited({"quantity": "-2"})
    with pytest.raises(ValidationError, match="below zero"):
        book.deals.add_order(customer.id, {"quantity": "-1", "unit_price": "10"}, source="o")
    plain = book.deals.add_order(customer.id, {"amount": "500"}, source="o")
    with pytest.raises(ValidationError, match="required"):
        book.deals.edit_order(plain["id"], {"amount": ""}, source="e")  # nothing to work from
    with pytest.raises(ValidationError):
        book.deals.set_order_status(10_000, "bogus", source="s")  # the value first, as before


def test_amounts_below_zero_are_refused_and_an_edit_keeps_the_orders_currency(book, customer):
    with pytest.raises(ValidationError, match="below zero"):
        book.deals.add_order(customer.id, {"amount": "-5"}, source="o")
    order = book.deals.add_order(customer.id, {"amount": "USD 12.50"}, source="o")
    edited = book.deals.edit_order(order["id"], {"amount": "150"}, source="e")
    assert (edited["amount_minor"], edited["currency"]) == (15000, "USD")
