"""Messages shared across screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class Unlocked(Message):
    """The unlock screen opened the book (or took back the one kept in memory)."""


@dataclass
class OpenCustomer(Message):
    """Show this customer (from the list, the palette or anywhere)."""

    customer_id: int


@dataclass
class SaveState(Message):
    """What the footer says about saving: "saving…", "saved 12:03", a failure."""

    text: str
    failed: bool = False
