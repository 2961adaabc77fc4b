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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from custbook.book import figures
from custbook.book.agenda import DEFAULT_CADENCE

if TYPE_CHECKING:
    from custbook.book.book import Book
    from custbook.book.customers import Customer

RISKS = ("payment", "cancelled", "silent", "falling")


@dataclass(frozen=True)
class Judge:
    """Today's yardsticks, worked out once and applied to as many customers as a page has:
    the payment and silence cut-offs, the two three-month windows, the revenue thresholds."""

    today: date
    cadence: Mapping[str, int]
    thresholds: tuple[int, int]  # lifetime revenue at the top fifth and the top half

    @cached_property
    def silent_before(self) -> dict[str, str]:
        return {
            grade: (self.today - timedelta(days=days)).isoformat()
            for grade, days in self.cadence.items()
        }

    @cached_property
    def months(self) -> tuple[list[str], list[str]]:
        months = [_month(self.today, -k) for k in range(6)]  # this month and the five before
        return months[:3], months[3:]

    @property
    def revenue_since(self) -> str:
        """The first month `flags` needs revenue for."""
        return self.months[1][-1]

    @cached_property
    def today_text(self) -> str:
        return self.today.isoformat()

    @cached_property
    def recent_orders(self) -> tuple[str, str]:
        """The earliest last-order days that score recency 3 (90 days) and 2 (180)."""
        return (
            (self.today - timedelta(days=90)).isoformat(),
            (self.today - timedelta(days=180)).isoformat(),
        )

    def flags(
        self, kept: Mapping[str, Any], grade: str | None, revenue: Mapping[str, int]
    ) -> list[str]:
        """The risk flags of one customer's kept figures and revenue per month (fifty a
        page: dates compared as ISO text, cut-offs worked out once)."""
        flags = []
        unpaid = kept.get("unpaid_due")
        if unpaid and str(unpaid) < self.today_text:
            flags.append("payment")
        if kept.get("troubled_orders"):
            flags.append("cancelled")
        silent_before = self.silent_before.get(grade or "", self.silent_before["C"])
        since = kept.get("silent_since")
        if since and str(since)[:10] < silent_before:
            flags.append("silent")
        if revenue and self._falling(revenue):  # most bought nothing in six months
            flags.append("falling")
        return flags

    def _falling(self, revenue: Mapping[str, int]) -> bool:
        """The last three months' revenue under half of the three months before."""
        (this_month, _, recent_from), (_, _, before_from) = self.months
        recent = before = 0
        for month, amount in revenue.items():  # a few months: one pass, no lookups
            if before_from <= month <= this_month:
                if month >= recent_from:
                    recent += amount
                else:
                    before += amount
        return before > 0 and recent * 2 < before

    def grade(self, kept: Mapping[str, Any]) -> str:
        """The suggested grade (RFM) of one customer's kept figures."""
        last = str(kept.get("last_order_on") or "")  # ISO dates compare as text
        within_90, within_180 = self.recent_orders
        recency = 3 if last >= within_90 else 2 if last >= within_180 else 1
        orders = int(kept.get("orders") or 0)
        frequency = 3 if orders >= 5 else 2 if orders >= 2 else 1
        money = _money_score(self.thresholds, int(kept.get("revenue_minor") or 0))
        total = recency + frequency + money
        return "A" if total >= 8 else "B" if total >= 5 else "C"


def judge(book: Book, today: date) -> Judge:
    """Today's yardsticks for this book (its cadence setting; thresholds remembered until
    the next write)."""
    cadence = {**DEFAULT_CADENCE, **(book.setting("cadence_days") or {})}
    return Judge(today, cadence, book.memo("revenue thresholds", lambda: _thresholds(book)))


def risk_flags(book: Book, customer: Customer, today: date) -> list[str]:
    judged = judge(book, today)
    revenue = figures.monthly_revenue(book.db, customer.id, judged.revenue_since)
    return judged.flags(customer.figures, customer["grade"], revenue)


def suggested_grade(book: Book, customer: Customer, today: date) -> str:
    return judge(book, today).grade(customer.figures)


def _month(today: date, offset: int) -> str:
    index = today.year * 12 + today.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _money_score(thresholds: tuple[int, int], revenue: int) -> int:
    """3 in the top fifth of customers by revenue, 2 in the next three tenths, else 1."""
    if revenue <= 0:
        return 1
    top, middle = thresholds
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
