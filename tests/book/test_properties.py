"""Property tests: undo is an exact inverse, and no input makes a validator misbehave."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custbook.book import Book, ValidationError
from custbook.book.customers import CONTACT_CHECKS, CUSTOMER_CHECKS, check_values
from custbook.book.validation import Checker
from tests.book.conftest import ZHANG, StepClock

FIELD_VALUES = {
    "city": st.sampled_from(["上海", "北京", "重庆", None]),
    "grade": st.sampled_from(["A", "B", "C", None]),
    "stage": st.sampled_from(["lead", "现有", "lost", None]),
    "notes": st.text(max_size=30),
    "phones": st.lists(
        st.sampled_from(["13800138000", "021-62345678", "+1 650 253 0000"]), max_size=2
    ),
    "tags": st.lists(st.sampled_from(["VIP", "老客户", "lost"]), max_size=3),
    "custom.渠道": st.sampled_from(["展会", "转介绍", None]),
    "archived": st.booleans(),
}
edits = st.lists(
    st.dictionaries(
        st.sampled_from(sorted(FIELD_VALUES)), st.none(), min_size=1, max_size=4
    ).flatmap(lambda keys: st.fixed_dictionaries({k: FIELD_VALUES[k] for k in keys})),
    min_size=1,
    max_size=8,
)


def state(book: Book) -> list:
    """Everything a person could see, bar `updated_at` (an undo is a change too)."""

    def rows(sql: str) -> list[tuple]:
        return [
            tuple(v for k, v in zip(r.keys(), r, strict=True) if k != "updated_at")
            for r in book.db.execute(sql)
        ]

    return [
        rows("SELECT * FROM customers ORDER BY id"),
        rows("SELECT * FROM contacts ORDER BY id"),
        rows(
            "SELECT ct.customer_id, t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
            " ORDER BY 1, 2"
        ),
        rows("SELECT name FROM tags ORDER BY name"),  # no tag left behind
    ]


ACTIONS = st.sampled_from(["edit", "archive", "restore", "contact add", "contact edit",
                           "contact remove", "add other", "erase other", "undo"])  # fmt: skip


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(ACTIONS, edits.map(lambda e: e[0])), min_size=1, max_size=10))
def test_mixed_changes_then_undo_back_to_the_start(steps):
    """Edits, contacts, other customers added and erased, undos part-way: undoing every
    change set still standing brings back the start, bar what erase took for good."""
    book = Book.in_memory(clock=StepClock())
    customer = book.customers.create(ZHANG, source="add")
    added = book.next_to_undo()
    start = state(book)
    others: list[int] = []
    for action, edit in steps:
        edit.pop("archived", None)
        contacts = book.customers.get(customer.id).contacts
        if action == "edit" and edit:
            book.customers.edit(customer.id, edit, source="edit")
        elif action in ("archive", "restore"):
            getattr(book.customers, action)(customer.id, source=action)
        elif action == "contact add":
            book.customers.add_contact(
                customer.id, {"name": "王芳", "is_primary": "yes"}, source="c"
            )
        elif action == "contact edit" and contacts:
            book.customers.edit_contact(
                contacts[0]["id"], {"title": "经理", "is_primary": "yes"}, source="c"
            )
        elif action == "contact remove" and contacts:
            book.customers.remove_contact(contacts[-1]["id"], source="c")
        elif action == "add other":
            others.append(book.customers.create({"name": "另一位", "tags": ["VIP"]}, source="o").id)
        elif action == "erase other" and others:
            book.customers.erase(others.pop(), source="erase")
        elif action == "undo" and book.next_to_undo().id > added.id:
            book.undo(source="undo")
    while (newest := book.next_to_undo()) is not None and newest.id > added.id:
        book.undo(source="undo")
    assert state(book) == start


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=60), st.sampled_from(sorted(CUSTOMER_CHECKS)))
def test_any_string_into_any_customer_field(text, field):
    try:
        check_values(CUSTOMER_CHECKS, {field: text, "name": "x"}, "CN", creating=True)
    except ValidationError as error:
        assert error.problems and all(p.field == field for p in error.problems)


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=60), st.sampled_from(sorted(CONTACT_CHECKS)))
def test_any_string_into_any_contact_field(text, field):
    try:
        check_values(CONTACT_CHECKS, {field: text, "name": "x"}, "CN", creating=True)
    except ValidationError as error:
        assert error.problems and all(p.field == field for p in error.problems)


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=40), st.sampled_from(["CN", "US", "HK", "ZZ", ""]))
def test_phones_and_emails_never_raise_anything_else(text, region):
    checker = Checker(region=region)
    checker.phones("phones", [text])
    checker.emails("emails", [text])
    checker.date("consent_date", text)
    checker.birthday("birthday", text)
    assert all(
        p.field in {"phones", "emails", "consent_date", "birthday"} for p in checker.problems
    )
