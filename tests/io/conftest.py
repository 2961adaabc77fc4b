"""An empty in-memory book for each import test."""

from __future__ import annotations

import pytest

from custbook.book import Book
from tests.book.conftest import StepClock


@pytest.fixture
def book():
    return Book.in_memory(clock=StepClock())
