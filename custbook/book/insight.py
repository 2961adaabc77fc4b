"""What the figures say about a customer today: risk flags and a suggested grade.

Everything here reads kept figures (figures.py) and compares them with today, so it costs a
few indexed lookups per customer whatever the size of the book.

- Risk flags: `payment` (an open order past its payment due date), `cancelled` (orders
  cancelled or refunded), `silent` (no contact for longer than the grade's cadence),
  `falling` (the last three months' revenue under half of the three months before).
- Suggested grade (RFM): recency of the last order, frequency (order count) and money
  (lifetime revenue against the book's top customers) scored 1-3 each; 8-9 is A, 5-7 B,
  else C. Shown next to the grade the person set; never written over it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from custbook.book import figures
from custbook.book.agenda import DEFAULT_CADENCE

if TYPE_CHECKING:
    from custbook.book.book import Book
    from custbook.book.customers import Customer

RISKS = ("payment", "cancelled", "silent", "falling")


def risk_flags(book: Book, customer: Customer, today: date) -> list[str]:
    kept = customer.figures
    flags = []
    if kept.get("unpaid_due") and str(kept["unpaid_due"]) < today.isoformat():
        flags.append("payment")
    if kept.get("troubled_orders"):
        flags.append("cancelled")
    cadence = {**DEFAULT_CADENCE, **(book.setting("cadence_days") or {})}
    days = cadence.get(customer["grade"] or "", cadence["C"])
    since = kept.get("silent_since")
    if since and str(since)[:10] < (today - timedelta(days=days)).isoformat():
        flags.append("silent")
    if _falling(book, customer.id, today):
        flags.append("falling")
    return flags


def _falling(book: Book, customer_id: int, today: date) -> bool:
    months = [_month(today, -k) for k in range(6)]  # this month and the five before
    revenue = figures.monthly_revenue(book.db, customer_id, months[-1])
    recent = sum(revenue.get(m, 0) for m in months[:3])
    before = sum(revenue.get(m, 0) for m in months[3:])
    return before > 0 and recent * 2 < before


def _month(today: date, offset: int) -> str:
    index = today.year * 12 + today.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def suggested_grade(book: Book, customer: Customer, today: date) -> str:
    kept = customer.figures
    last = kept.get("last_order_on")
    age = (today - date.fromisoformat(str(last))).days if last else None
    recency = 3 if age is not None and age <= 90 else 2 if age is not None and age <= 180 else 1
    orders = int(kept.get("orders") or 0)
    frequency = 3 if orders >= 5 else 2 if orders >= 2 else 1
    money = _money_score(book, int(kept.get("revenue_minor") or 0))
    total = recency + frequency + money
    return "A" if total >= 8 else "B" if total >= 5 else "C"


def _money_score(book: Book, revenue: int) -> int:
    """3 in the top fifth of customers by revenue, 2 in the next three tenths, else 1."""
    if revenue <= 0:
        return 1
    top, middle = book.memo("revenue thresholds", lambda: _thresholds(book))
    return 3 if revenue >= top else 2 if revenue >= middle else 1


def _thresholds(book: Book) -> tuple[int, int]:
    count = book.db.execute("SELECT count(*) FROM customer_figures").fetchone()[0]
    return _revenue_at(book, count // 5), _revenue_at(book, count // 2)


def _revenue_at(book: Book, rank: int) -> int:
    row = book.db.execute(
        "SELECT revenue_minor FROM customer_figures ORDER BY revenue_minor DESC LIMIT 1 OFFSET ?",
        (max(rank - 1, 0),),
    ).fetchone()
    return int(row[0]) if row else 0


def insight_json(book: Book, customer: Customer, today: date) -> dict[str, Any]:
    return {
        "risk": risk_flags(book, customer, today),
        "suggested_grade": suggested_grade(book, customer, today),
    }
