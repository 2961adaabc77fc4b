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
    rows = book.db.execute("SELECT * FROM customers ORDER BY id").fetchall()
    tags = book.db.execute("SELECT * FROM customer_tags ORDER BY customer_id, tag_id").fetchall()
    contacts = book.db.execute("SELECT * FROM contacts ORDER BY id").fetchall()
    strip = lambda row: tuple(v for k, v in zip(row.keys(), row, strict=True) if k != "updated_at")  # noqa: E731
    return [[strip(r) for r in rows], [tuple(t) for t in tags], [strip(c) for c in contacts]]


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_edits_then_as_many_undos_give_back_the_start(sequence):
    book = Book.in_memory(clock=StepClock())
    customer = book.customers.create(ZHANG, source="add")
    book.customers.add_contact(customer.id, {"name": "王芳"}, source="contact")
    start = state(book)
    sets_before = change_sets(book)
    for edit in sequence:
        archived = edit.pop("archived", None)
        if edit:
            book.customers.edit(customer.id, edit, source="edit")
        if archived is not None:
            action = book.customers.archive if archived else book.customers.restore
            action(customer.id, source="archive")
    # Edits that changed nothing made no change set: one undo per change set made.
    for _ in range(change_sets(book) - sets_before):
        book.undo(source="undo")
    assert state(book) == start


def change_sets(book: Book) -> int:
    return book.db.execute("SELECT count(*) FROM change_sets WHERE kind = 'change'").fetchone()[0]


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
