"""What a change set brings up to date as it closes: the customer's kept figures, then its
search rows (whose recency order comes from the figures). Once per customer, however many
of its records the change set touched."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from custbook.book import figures
from custbook.book.search import index

if TYPE_CHECKING:
    from custbook.book.history import Change


@dataclass
class Stale:
    figures: bool = False
    revenue: bool = False  # the customer's revenue per month (orders only)
    parts: frozenset[str] = frozenset()  # the parts of what the customer is found by
    order: bool = False  # only its place in the recency order
    inserted: tuple[Any, ...] | None = None  # made by this change set, nothing else of it
    noted: bool = False  # a change noted for it alone (its words come from what is stored)

    def add(self, moves: Moves) -> None:
        self.figures |= moves.figures
        self.revenue |= moves.revenue
        self.parts |= moves.parts
        self.order |= moves.order


@dataclass(frozen=True)
class Moves:
    """What a change to a record moves of its customer's derived rows."""

    figures: bool
    revenue: bool
    parts: frozenset[str]
    order: bool

    @classmethod
    def of(cls, entity: str, action: str, field: str | None) -> Moves:
        moves_figures = figures.affected(entity, action, field)
        moved = index.affected(entity, action, field)
        return cls(
            moves_figures,
            moves_figures and entity == "order",
            moved if isinstance(moved, frozenset) else frozenset(),
            moved == "order",
        )


class Derived:
    def __init__(self) -> None:
        self.stale: dict[int, Stale] = {}
        self.figures: dict[int, dict[str, object]] = {}  # a lone customer's, once refreshed
        # New customers' words being worked out (`searched_later`)
        self.searching: list[tuple[list[int], index.WordsLater]] = []

    def searched_later(self, ids: list[int], words: index.WordsLater) -> None:
        """The words of customers just created (with their contact people), in `ids`'
        order, from `index.searched_all` begun before their records were written."""
        self.searching.append((ids, words))

    def _searched(self) -> dict[int, index.Searched]:
        found: dict[int, index.Searched] = {}
        for ids, words in self.searching:
            found.update(zip(ids, words.result(), strict=True))
        self.searching.clear()
        return {i: words for i, words in found.items() if not self.stale.get(i, Stale()).noted}

    def note(self, change: Change) -> None:
        owner = change.customer_id
        if owner is None and change.entity == "customer":
            owner = change.entity_id  # an erase records no owner: the customer is gone
        if owner is None:
            return
        fresh = owner not in self.stale
        stale = self.stale.setdefault(owner, Stale())
        stale.noted = True
        made = fresh and change.entity == "customer" and change.action == "create"
        # (as inserted: read now, a record changed before the change set closes is no matter)
        stale.inserted = index.row_of(change.after) if made and change.after else None
        stale.add(Moves.of(change.entity, change.action, change.field))

    def note_created(self, entity: str, owners: list[int | None]) -> None:
        """`note` for records of `entity` just created, one for each of `owners` (an
        import's thousands: what they move is worked out once)."""
        moves = Moves.of(entity, "create", None)
        for owner in owners:
            if owner is None:  # (no record of an import's is without its customer)
                continue
            stale = self.stale.setdefault(owner, Stale())
            stale.inserted = None  # as `note` leaves it for a change without its record
            stale.add(moves)

    def refresh(self, db: sqlite3.Connection, *, erased: bool) -> None:
        """Figures first (the search order comes from them), each kind for all customers
        at once: an import refreshes thousands."""
        stale = self.stale.items()
        self.figures = figures.refresh_many(
            db,
            [i for i, s in stale if s.figures],
            revenue=[i for i, s in stale if s.figures and s.revenue],
        )
        index.refresh_many(
            db,
            {i: s.parts for i, s in stale if s.parts or s.order},
            {i: s.inserted for i, s in stale if s.inserted is not None},
            self._searched() if self.searching else None,
        )
        if erased:
            index.purge(db)  # nothing of the erased may stay in the index's old segments
        self.stale.clear()
