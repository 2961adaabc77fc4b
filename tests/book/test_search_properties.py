"""Property tests for search: any piece of three or more characters of what a customer is
known by finds it, at once after an edit and never after an erase, and no query text
makes search raise anything but the filter error."""

from __future__ import annotations

import contextlib
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from custbook.book import Book
from custbook.book.search import index, keys
from custbook.book.search.query import QueryError
from tests.book.conftest import StepClock

TODAY = date(2026, 3, 1)
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
LATIN = st.characters(min_codepoint=ord("a"), max_codepoint=ord("z"))
NAMES = st.text(st.one_of(CHINESE, LATIN, st.just(" ")), min_size=1, max_size=12).filter(
    lambda name: name.strip()
)
COMPANIES = st.text(
    st.one_of(CHINESE, LATIN, st.sampled_from("()（）&-. ")), min_size=3, max_size=20
)
MOBILES = st.integers(min_value=0, max_value=99_999_999).map(lambda n: f"139{n:08d}")
EMAILS = st.tuples(
    st.text(LATIN, min_size=1, max_size=8), st.text(LATIN, min_size=2, max_size=8)
).map(lambda parts: f"{parts[0]}@{parts[1]}.cn")
SETTINGS = settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def found_ids(book: Book, query: str) -> list[int]:
    return [line.id for line in book.search(query, today=TODAY, limit=1000)]


def pieces(text: str, data: st.DataObject) -> str:
    start = data.draw(st.integers(0, len(text) - 3))
    end = data.draw(st.integers(start + 3, len(text)))
    return text[start:end]


def searchable(piece: str) -> bool:
    """Free text as a person would type it: no quote, no filter look-alike, no blank ends."""
    return piece.strip() == piece and '"' not in piece and ":" not in piece and " " not in piece


@SETTINGS
@given(name=NAMES, company=COMPANIES, phone=MOBILES, email=EMAILS, data=st.data())
def test_any_piece_of_three_or_more_finds_the_customer(name, company, phone, email, data):
    book = Book.in_memory(clock=StepClock())
    book.customers.create({"name": "某某", "company": "其他公司"}, source="t")  # not a hit
    made = book.customers.create(
        {"name": name, "company": company, "phones": [phone], "emails": [email]}, source="t"
    )
    for value in (keys.normal(made["name"]), keys.normal(company), phone, email):
        if len(value) < 3:
            continue
        piece = pieces(value, data)
        assume(searchable(piece))
        assert made.id in found_ids(book, piece), (value, piece)


@SETTINGS
@given(first=NAMES, second=NAMES, data=st.data())
def test_edits_show_at_once_and_erases_leave_nothing(first, second, data):
    assume(keys.normal(first).strip() != keys.normal(second).strip())
    book = Book.in_memory(clock=StepClock())
    made = book.customers.create({"name": first}, source="t")
    book.customers.edit(made.id, {"name": second}, source="t")
    shown = keys.normal(book.customers.get(made.id)["name"])
    assert made.id in found_ids(book, shown)
    old = keys.normal(made["name"])
    if len(old) >= 3 and old not in shown and searchable(old):
        assert made.id not in found_ids(book, old)
    book.customers.erase(made.id, source="t")
    assert found_ids(book, shown) == [] if searchable(shown) else True
    assert book.db.execute("SELECT count(*) FROM search_text").fetchone()[0] == 0
    assert index.kept(book.db) == []


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=40))
def test_no_query_text_raises_anything_but_the_filter_error(text):
    book = _shared_book()
    try:
        book.search(text, today=TODAY)
    except QueryError as error:
        assert text[error.start : error.end]  # it points at the token


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["grade", "stage", "last", "due", "risk", "has", "birthday",
                             "revenue", "orders", "tag", "-city", "archived", "等级"]).flatmap(
                lambda key: st.text(max_size=8).map(lambda value: f"{key}:{value}")
            ),
            st.text(max_size=6),
        ),
        max_size=4,
    )
)  # fmt: skip
def test_filters_with_any_value_never_raise_anything_else(parts):
    with contextlib.suppress(QueryError):
        _shared_book().search(" ".join(parts), today=TODAY)


_BOOK: list[Book] = []


def _shared_book() -> Book:
    if not _BOOK:
        book = Book.in_memory(clock=StepClock())
        for name in ("张伟", "Alice Zhang", "重庆火锅", "李娜"):
            book.customers.create({"name": name, "grade": "A"}, source="t")
        _BOOK.append(book)
    return _BOOK[0]


# Each write recomputes only the parts of the search rows it touches (a city edit keeps
# the name's pinyin): whatever the writes, the kept rows equal a rebuild's.
WRITES = st.lists(
    st.one_of(
        st.tuples(st.just("name"), NAMES),
        st.tuples(st.just("company"), COMPANIES),
        st.tuples(st.just("city"), NAMES),
        st.tuples(st.just("phones"), MOBILES),
        st.tuples(st.just("tags"), NAMES),
        st.tuples(st.just("add contact"), NAMES),
        st.tuples(st.just("edit contact"), MOBILES),
        st.tuples(st.just("erase contact"), st.none()),
        st.tuples(st.just("log"), st.none()),
        st.tuples(st.just("undo"), st.none()),
    ),
    min_size=1,
    max_size=8,
)


def write(book: Book, customer_id: int, step: tuple[str, str | None]) -> None:
    what, value = step
    contacts = book.customers.get(customer_id).contacts
    if what == "add contact":
        book.customers.add_contact(customer_id, {"name": value}, source="t")
    elif what == "edit contact" and contacts:
        book.customers.edit_contact(contacts[0]["id"], {"phones": [value]}, source="t")
    elif what == "erase contact" and contacts:
        book.customers.erase_contact(contacts[-1]["id"], source="t")
    elif what == "log":
        book.activity.log(customer_id, {"subject": "电话"}, source="t")
    elif what == "undo":
        with contextlib.suppress(Exception):  # nothing left to undo is fine here
            book.undo(source="t")
    elif what in ("phones", "tags"):
        book.customers.edit(customer_id, {what: [value]}, source="t")
    elif what in ("name", "company", "city"):
        book.customers.edit(customer_id, {what: value}, source="t")


@SETTINGS
@given(writes=WRITES)
def test_the_index_after_any_writes_equals_a_rebuild(writes):
    book = Book.in_memory(clock=StepClock())
    book.customers.create({"name": "某某", "company": "其他公司"}, source="t")
    made = book.customers.create(
        {"name": "张伟", "company": "上海公司", "city": "上海", "phones": ["13800138000"]},
        source="t",
    )
    for step in writes:
        if book.db.execute("SELECT 1 FROM customers WHERE id = ?", (made.id,)).fetchone():
            write(book, made.id, step)
    kept = index.kept(book.db)
    index.rebuild(book.db)
    assert index.kept(book.db) == kept


def test_the_readings_of_a_name_are_combined_first_characters_first():
    forms = keys.pinyin_forms("长沙银行")
    assert forms[:2] == ("zhangshayinxing", "changshayinxing")  # 长 varies first
    assert "changshayinhang" in forms and "csyh" in forms
    assert len(forms) == 16  # the 12 spellings (2 × 2 × 3) and 4 sets of initials


@settings(deadline=None, max_examples=300)
@given(text=st.text(st.one_of(st.characters(), CHINESE, st.sampled_from(" \t\u3000_-.@"))))
def test_marked_words_are_the_tokens_of_the_text(text):
    """The split-by-spaces shortcut in `marked` gives exactly the regex's tokens (what
    FTS5's unicode61 keeps whole), whatever the text holds."""
    expected = keys.tokens(text)
    assert keys.marked(text, "n") == ("n" + " n".join(expected) if expected else "")


def _sort_key_by_character(name: str, *, person: bool) -> str:
    """`keys.sort_key` as first written, a character at a time: the reference its quicker
    spelling is held to."""
    chars = keys.normal(name)
    spelled: list[str] = []
    other = False  # the last of `spelled` is characters without pinyin, still going on
    index = 0
    while index < len(chars):
        char = chars[index]
        word = keys._WORD_READINGS.get(chars[index : index + 2])
        if not keys.is_han(char):
            if other:
                spelled[-1] += char
            else:
                spelled.append(char)
            other = True
        elif person and index == 0 and char in keys._SURNAMES:
            spelled.append(keys._SURNAMES[char])
        elif word:
            spelled.extend(word.split(" "))
            index += 1
        else:
            spelled.append(keys.readings(char)[0])
        other = other and not keys.is_han(char)
        index += 1
    return " ".join(" ".join(w.split()) for w in spelled if w.strip()) + "\x00" + chars


NAME_PIECES = st.one_of(
    st.characters(),
    CHINESE,
    st.sampled_from(sorted(keys._WORD_READINGS)[::7]),  # two-character words read as words
    st.sampled_from(sorted(keys._SURNAMES)),
    st.sampled_from([" ", "\u3000", "Ａ", "ß", "İ", "①", "ｶ", "-", "0"]),
)


@settings(deadline=None, max_examples=400)
@given(pieces=st.lists(NAME_PIECES, max_size=8), person=st.booleans())
def test_sort_key_and_inner_starts_equal_their_reference(pieces, person):
    """The sort key skips the word and surname lookups for characters without pinyin,
    and inner starts test the dictionary directly: same text as the plain spelling."""
    name = "".join(pieces)
    assert keys.sort_key(name, person=person) == _sort_key_by_character(name, person=person)
    text = keys.normal(name)
    expected = " ".join(text[i:] for i in range(1, len(text)) if keys.is_han(text[i]))
    assert keys.inner_starts(name) == expected
