"""A small book with known answers for search: names that share readings, heteronyms,
phones, contacts, archived customers, known last contacts under a fixed clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from custbook.book import Book

CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=CHINA)
TODAY = NOW.date()

CUSTOMERS = [
    # name, values, days since the last contact (None: never contacted)
    ("张伟", {"company": "上海华峰贸易有限公司", "city": "上海", "phones": ["138-0013-8000"],
             "emails": ["zhang.wei@example.com"], "grade": "A", "tags": ["VIP"],
             "stage": "active"}, 5),
    ("张伟华", {"city": "北京", "phones": ["139 1234 5678"], "grade": "B"}, 24),
    ("章伟", {"city": "杭州", "grade": "C", "birthday": "11-30"}, 55),
    ("曾小明", {"city": "重庆", "phones": ["021-6234 5678"], "grade": "A"}, None),
    ("单丽", {"city": "南京", "province": "江苏", "industry": "零售"}, 10),
    ("重庆火锅有限公司", {"kind": "company", "city": "重庆"}, 70),
    ("王伟", {"city": "上海", "emails": ["wang@abc.cn"], "grade": "B", "stage": "active"}, 120),
    ("Alice Zhang", {"company": "Blue Harbor Foods", "city": "Shanghai",
                     "emails": ["alice@blueharbor.com"], "tags": ["VIP", "export"]}, 2),
    ("李娜", {"city": "上海", "grade": "A"}, 1),
    ("北京伟业科技有限公司", {"kind": "company", "city": "北京", "grade": "A",
                     "notes": "每月采购办公用品"}, 40),
]  # fmt: skip
ARCHIVED = {"李娜"}
CONTACTS = {"重庆火锅有限公司": {"name": "王芳", "phones": ["186 0000 1111"]}}


def build() -> tuple[Book, dict[str, int]]:
    """The book and each customer's id by name."""
    clock = {"now": NOW - timedelta(days=400)}
    book = Book.in_memory(clock=lambda: clock["now"])
    ids = {}
    for name, values, _days in CUSTOMERS:
        ids[name] = book.customers.create({"name": name, **values}, source="test").id
    for name, contact in CONTACTS.items():
        book.customers.add_contact(ids[name], contact, source="test")
    for name, _values, days in CUSTOMERS:
        if days is not None:
            when = NOW - timedelta(days=days)
            book.activity.log(ids[name], {"subject": "电话", "happened_at": when}, source="test")
    for name in ARCHIVED:
        book.customers.archive(ids[name], source="test")
    clock["now"] = NOW
    return book, ids


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)
