"""Tags across the book: rename merges, delete removes, one undo reverts either."""

from __future__ import annotations

import pytest

from custbook.errors import NotFound


def test_list_rename_merge_delete_and_undo(book):
    a = book.customers.create({"name": "甲", "tags": ["VIP", "华东"]}, source="add")
    b = book.customers.create({"name": "乙", "tags": ["vip客户"]}, source="add")
    c = book.customers.create({"name": "丙", "tags": ["VIP"]}, source="add")
    assert [(t.name, t.customers) for t in book.tags.all()] == [
        ("VIP", 2),
        ("vip客户", 1),
        ("华东", 1),
    ]

    assert book.tags.rename("vip客户", "VIP", source="rename") == 1
    assert book.customers.get(b.id)["tags"] == ["VIP"]
    assert next((t.name, t.customers) for t in book.tags.all()) == ("VIP", 3)

    assert book.tags.delete("vip", source="delete") == 3  # any case
    assert all(book.customers.get(x.id)["tags"] in ([], ["华东"]) for x in (a, b, c))
    assert book.history(a.id)[0].source == "delete"

    book.undo(source="undo")
    assert book.customers.get(a.id)["tags"] == ["VIP", "华东"]
    book.undo(source="undo")
    assert book.customers.get(b.id)["tags"] == ["vip客户"]


def test_unknown_tag(book):
    with pytest.raises(NotFound):
        book.tags.delete("nothing", source="delete")
