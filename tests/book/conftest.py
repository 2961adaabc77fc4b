from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from custbook.book import Book

CHINA = timezone(timedelta(hours=8))


class StepClock:
    """A clock that moves one minute each time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=CHINA)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def book() -> Book:
    return Book.in_memory(clock=StepClock())


ZHANG = {
    "name": "张伟",
    "kind": "person",
    "company": "上海华峰贸易有限公司",
    "city": "上海",
    "phones": ["138-0013-8000"],
    "emails": ["zhang.wei@example.com"],
    "stage": "现有",
    "grade": "A",
    "tags": ["VIP"],
    "birthday": "03-05",
}
