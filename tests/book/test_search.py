"""Search on a fixed book: exact hits and their order for Chinese, pinyin (full, initials,
heteronyms, mixed), phone fragments, emails, filters and one- and two-character queries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from custbook.book import Book, figures
from custbook.book.search import engine, index
from custbook.book.search.engine import search
from custbook.book.search.query import QueryError

from .search_fixture import NOW, TODAY, build


@pytest.fixture(scope="module")
def fixture():
    return build()


def names(book, query: str, **options) -> list[str]:
    return [line.record["name"] for line in search(book, query, TODAY, **options)]


HITS = [
    # Chinese: exact name, then names starting with it; one character finds names holding it
    ("张伟", ["张伟", "张伟华"]),
    ("张", ["张伟", "张伟华"]),
    ("伟", ["张伟", "张伟华", "北京伟业科技有限公司", "章伟", "王伟"]),
    # pinyin, full and initials, newest contact first within the tier; 张w is 张 then w
    ("zhangwei", ["张伟", "张伟华", "章伟"]),
    ("zw", ["张伟", "张伟华", "章伟"]),
    ("zhang", ["张伟", "张伟华", "章伟", "Alice Zhang"]),
    ("张w", ["张伟", "张伟华"]),
    ("ZW", ["张伟", "张伟华", "章伟"]),
    # heteronyms: every reading finds them
    ("zeng", ["曾小明"]),
    ("ceng", ["曾小明"]),
    ("zxm", ["曾小明"]),
    ("shan", ["单丽", "张伟", "Alice Zhang"]),  # 单 shan; 上海 in a company; Shanghai
    ("dan", ["单丽"]),
    ("chongqing", ["重庆火锅有限公司"]),
    ("cq", ["重庆火锅有限公司"]),
    ("重庆", ["重庆火锅有限公司", "曾小明"]),  # the name, then a city
    # phones: any run of three digits, a start of one or two, landlines, contacts' phones
    ("1380", ["张伟"]),
    ("8000", ["张伟"]),
    ("0013", ["张伟"]),
    ("13", ["张伟", "张伟华"]),
    ("1", ["张伟", "张伟华", "重庆火锅有限公司"]),
    ("021", ["曾小明"]),
    ("62345678", ["曾小明"]),
    ("1860", ["重庆火锅有限公司"]),
    ("８０００", ["张伟"]),  # full-width digits
    # emails, contacts, companies, places, notes
    ("zhang.wei@", ["张伟"]),
    ("example.com", ["张伟"]),
    ("blueharbor", ["Alice Zhang"]),
    ("王芳", ["重庆火锅有限公司"]),
    ("wf", ["重庆火锅有限公司"]),
    ("上海", ["张伟", "王伟"]),
    ("有限公司", ["张伟", "北京伟业科技有限公司", "重庆火锅有限公司"]),
    ("每月采购", ["北京伟业科技有限公司"]),
    ("采购", []),  # two characters match starts only, and no value starts with it
    ("a", ["Alice Zhang", "王伟"]),  # the name; a word of an email (wang@abc.cn)
    ("Blue Harbor", ["Alice Zhang"]),
    ('"blue harbor"', ["Alice Zhang"]),
    ("harbor 张", []),  # every word must match
    ("张 8000", ["张伟"]),  # a name and the end of a phone
    ("上海 zw", ["张伟"]),  # a company and the initials of the name
    ("alice blue", ["Alice Zhang"]),
    ("Blue & Harbor", ["Alice Zhang"]),  # a lone "&" is no word
    ("张伟 -", ["张伟", "张伟华"]),
    ("重庆 wf", ["重庆火锅有限公司"]),  # a name and the initials of a contact
    ("VIP", ["Alice Zhang", "张伟"]),
    ("李娜", []),  # archived: only when asked
    ("李娜 archived:yes", ["李娜"]),
    ("nobody-like-this", []),
    # filters alone come in the list's order: pinyin of the name
    ("grade:A", ["北京伟业科技有限公司", "曾小明", "张伟"]),
    ("等级:a", ["北京伟业科技有限公司", "曾小明", "张伟"]),
    ("grade:A,B", ["北京伟业科技有限公司", "王伟", "曾小明", "张伟", "张伟华"]),
    ("-grade:A,B", ["Alice Zhang", "重庆火锅有限公司", "单丽", "章伟"]),  # 重庆: chong qing
    ("stage:现有", ["王伟", "张伟"]),
    ("city:北京,上海", ["北京伟业科技有限公司", "王伟", "张伟", "张伟华"]),
    ("province:江苏 industry:零售", ["单丽"]),
    ("tag:vip", ["Alice Zhang", "张伟"]),
    ('tag:"export"', ["Alice Zhang"]),
    ("-tag:VIP grade:A", ["北京伟业科技有限公司", "曾小明"]),
    ("last:>90d", ["王伟", "曾小明"]),
    ("last:>=55d", ["重庆火锅有限公司", "王伟", "曾小明", "章伟"]),
    ("last:<7d", ["Alice Zhang", "张伟"]),
    ("-last:<7d grade:A", ["北京伟业科技有限公司", "曾小明"]),
    (f"last:>={(TODAY.replace(day=1)).isoformat()}", ["Alice Zhang", "单丽", "张伟", "张伟华"]),
    ("last:55d", ["Alice Zhang", "北京伟业科技有限公司", "单丽", "张伟", "章伟", "张伟华"]),
    ("last:<55d", ["Alice Zhang", "北京伟业科技有限公司", "单丽", "张伟", "张伟华"]),
    ("birthday:this-month", ["章伟"]),
    ("birthday:11-30", ["章伟"]),
    ("has:email", ["Alice Zhang", "王伟", "张伟"]),
    ("no:phone city:上海", ["王伟"]),
    ("has:contact", ["重庆火锅有限公司"]),
    ("archived:yes", ["李娜"]),
    ("archived:any city:上海", ["李娜", "王伟", "张伟"]),
    ("risk:silent", ["北京伟业科技有限公司", "王伟", "曾小明"]),  # A after 30 days, C 90
    ("created:<2024-01-01", []),
    ("revenue:>0", []),  # nobody has ordered in this book
    ("revenue:<1万 grade:A", ["北京伟业科技有限公司", "曾小明", "张伟"]),
    ("orders:0", ["Alice Zhang", "北京伟业科技有限公司", "重庆火锅有限公司", "单丽", "王伟",
                  "曾小明", "张伟", "章伟", "张伟华"]),  # 张 and 章 read alike: then by name
    # free text and filters together
    ("上海 grade:A", ["张伟"]),
    ("伟 city:北京,上海", ["张伟", "张伟华", "北京伟业科技有限公司", "王伟"]),
    ("zw grade:C", ["章伟"]),
    ("grade:X is free text? no", None),  # a known key with a bad value: an error
    ("url:http://example.com", []),  # not a known key: free text
]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), HITS, ids=[q for q, _e in HITS])
def test_each_query_finds_exactly_these_in_this_order(fixture, query, expected):
    book, _ids = fixture
    if expected is None:
        with pytest.raises(QueryError):
            names(book, query)
    else:
        assert names(book, query) == expected


def test_the_limit_keeps_the_best(fixture):
    book, _ids = fixture
    assert names(book, "伟", limit=2) == ["张伟", "张伟华"]
    assert names(book, "grade:A", limit=1) == ["北京伟业科技有限公司"]


@pytest.mark.parametrize(
    ("query", "token", "words"),
    [
        ("张 grade:X", "grade:X", "A, B or C"),
        ("stage:sleeping", "stage:sleeping", "lead"),
        ("last:>soon", "last:>soon", "not a date"),
        ("revenue:>lots", "revenue:>lots", "amount"),
        ("orders:>=three", "orders:>=three", "whole number"),
        ("risk:bad", "risk:bad", "payment"),
        ("has:pets", "has:pets", "email"),
        ("overdue:maybe", "overdue:maybe", "yes or no"),
        ("birthday:someday", "birthday:someday", "this-month"),
        ("tag:", "tag:", "value"),
        ('city:"', 'city:"', "value"),
        ("due:9999-12-31", "due:9999-12-31", "out of range"),
        ("last:>9999-12-31", "last:>9999-12-31", "out of range"),
        ("orders:᧚", "orders:᧚", "whole number"),
    ],
)
def test_a_bad_filter_value_names_the_token(fixture, query, token, words):
    book, _ids = fixture
    with pytest.raises(QueryError) as raised:
        search(book, query, TODAY)
    message = raised.value.message
    assert token in message and words in message
    assert query[raised.value.start : raised.value.end] == token


def test_edits_and_erases_show_at_once(fixture):
    book, ids = build()
    book.customers.edit(ids["单丽"], {"name": "单丽娟", "phones": ["186 2222 3333"]}, source="t")
    assert names(book, "丽娟") == ["单丽娟"]
    assert names(book, "2222") == ["单丽娟"]
    assert names(book, "slj") == ["单丽娟"]
    book.customers.erase(ids["单丽"], source="t")
    assert names(book, "单丽") == [] and names(book, "2222") == []
    assert book.db.execute("SELECT count(*) FROM search_text").fetchone()[0] == 9
    contact = book.customers.get(ids["重庆火锅有限公司"]).contacts[0]
    book.customers.edit_contact(contact["id"], {"name": "刘强"}, source="t")
    assert names(book, "刘强") == ["重庆火锅有限公司"] and names(book, "王芳") == []
    book.undo(source="t")
    assert names(book, "王芳") == ["重庆火锅有限公司"]


def test_an_erase_leaves_nothing_of_the_customer_in_the_index():
    book, ids = build()
    book.customers.erase(ids["曾小明"], source="t")
    dump = "\n".join(line for line in book.db.iterdump() if "search" in line)
    assert "曾小明" not in dump and "62345678" not in dump and "xiaoming" not in dump
    # the FTS index itself: no trigram of the erased name is left in any segment
    for table in index.TABLES:
        raw = b"".join(r[0] for r in book.db.execute(f"SELECT block FROM {table}_data"))
        assert "小明".encode() not in raw and b"zengxiaoming" not in raw, table
        book.db.execute(
            f"CREATE VIRTUAL TABLE temp.{table}_terms USING fts5vocab(main, {table}, 'row')"
        )
        terms = {r[0] for r in book.db.execute(f"SELECT term FROM temp.{table}_terms")}
        assert not {t for t in terms if "小明" in t or "小" in t or "zengxiaoming" in t}, table
        assert terms, table  # the others are still there


def test_erasing_a_contact_drops_it_from_the_index():
    book, ids = build()
    contact = book.customers.get(ids["重庆火锅有限公司"]).contacts[0]
    assert names(book, "王芳") == ["重庆火锅有限公司"]
    book.customers.erase_contact(contact["id"], source="t")
    assert names(book, "王芳") == [] and names(book, "1860") == []
    for table in index.TABLES:
        raw = b"".join(r[0] for r in book.db.execute(f"SELECT block FROM {table}_data"))
        assert "王芳".encode() not in raw and b"wangfang" not in raw, table
    assert names(book, "重庆火锅") == ["重庆火锅有限公司"]  # the customer stays findable


def test_a_logged_call_moves_a_customer_up_its_tier(fixture):
    book, ids = build()
    assert names(book, "zw") == ["张伟", "张伟华", "章伟"]
    book.activity.log(ids["章伟"], {"subject": "拜访", "happened_at": NOW}, source="t")
    assert names(book, "zw") == ["章伟", "张伟", "张伟华"]
    book.undo(source="t")
    assert names(book, "zw") == ["张伟", "张伟华", "章伟"]


def test_the_kept_index_equals_a_rebuild(fixture):
    book, _ids = build()
    kept = index.kept(book.db)
    index.rebuild(book.db)
    assert index.kept(book.db) == kept
    assert figures.kept(book.db)  # the figures the recency comes from exist


def test_a_new_customers_rows_from_its_record_equal_ones_read_back():
    """An add writes the search rows from the record it inserted, not read back: the same
    rows as a rebuild reads, tags in any case and order included."""
    book = Book.in_memory()
    book.customers.create({"name": "Alice Zhang", "tags": ["VIP"]}, source="t")  # tag 1
    made = book.customers.create(
        {"name": "曾小明", "kind": "company", "company": "上海（蓝港）贸易", "city": "上海",
         "province": "上海", "address": "浦东 88 号", "industry": "贸易", "wechat": "zxm_88",
         "notes": "老客户\n爱喝茶", "phones": ["138 0013 8000", "021-62345678"],
         "emails": ["Zeng@Example.com"], "tags": ["vip", "Beta", "alpha", "展会"]},
        source="t",
    )  # fmt: skip
    assert names(book, "alpha") == ["曾小明"] and names(book, "zxm_88") == ["曾小明"]
    kept = index.kept(book.db)
    index.rebuild(book.db)
    assert index.kept(book.db) == kept
    book.customers.add_contact(made.id, {"name": "王芳"}, source="t")  # read back again
    assert names(book, "wangfang") == ["曾小明"]


@pytest.mark.parametrize(
    "query", ["z", "张", "13", "zhangwei", "上海 grade:A", "伟 -tag:VIP", "张 138", "张w"]
)
def test_no_search_reads_every_customer(fixture, query):
    """Short queries too: each tier is one FTS read in rowid order, then lookups by key."""
    book, _ids = fixture
    statements: list[str] = []
    book.db.set_trace_callback(statements.append)
    try:
        search(book, query, TODAY)
    finally:
        book.db.set_trace_callback(None)
    allowed = ("SCAN customer_figures USING COVERING INDEX",)  # the revenue thresholds
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        for step in book.db.execute(f"EXPLAIN QUERY PLAN {sql}"):
            detail = step["detail"]
            fts = "VIRTUAL TABLE INDEX" in detail  # an FTS5 read: MATCH, or rowid order
            assert not detail.startswith("SCAN") or fts or detail.startswith(allowed), detail
            assert "FOR ORDER BY" not in detail or "customer_tags" in sql, (sql, detail)


MULTI_WORD = [(q, e) for q, e in HITS if e is not None and len(q.split()) > 1]


@pytest.mark.parametrize(("query", "expected"), MULTI_WORD, ids=[q for q, _e in MULTI_WORD])
def test_a_common_other_word_checked_row_by_row_finds_the_same(
    fixture, monkeypatch, query, expected
):
    """Words after the first that match many rows are checked on each candidate's text,
    rare ones by their set: both ways give the same answer."""
    book, _ids = fixture
    monkeypatch.setattr(engine, "_SET_CAP", 0)  # every other word counts as common
    assert names(book, query) == expected


def test_every_reading_of_a_long_names_first_characters_is_indexed():
    book, _ids = build()
    bank = book.customers.create({"name": "长沙银行股份有限公司", "kind": "company"}, source="t")
    for query in ("changsha", "zhangsha", "cs", "zs"):
        assert bank.id in [line.id for line in search(book, query, TODAY)], query


def test_an_other_word_starting_a_word_ranks_before_one_inside_a_word():
    """In one tier (both names start with 王), the customer where 800 starts a word (a
    note) comes before the one where it is only inside a phone, though contacted longer
    ago."""
    book = Book.in_memory(clock=lambda: NOW)
    inside = book.customers.create({"name": "王一", "phones": ["13912800555"]}, source="t")
    starts = book.customers.create({"name": "王二", "notes": "800 units a year"}, source="t")
    book.activity.log(inside.id, {"subject": "电话", "happened_at": NOW}, source="t")
    older = NOW - timedelta(days=30)
    book.activity.log(starts.id, {"subject": "电话", "happened_at": older}, source="t")
    assert names(book, "王 800") == ["王二", "王一"]
    assert names(book, "王") == ["王一", "王二"]  # one word: by recency alone


def test_every_word_in_the_index_is_behind_its_column_groups_mark(fixture):
    """So a name tier reads name doclists only: `n1`* is not every phone's `r1`*."""
    book, _ids = fixture
    book.db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, search_all, 'col')")
    found = book.db.execute("SELECT term, col FROM temp.vocab").fetchall()
    assert found and all(term[0] == index.COLUMN_MARKS[col] for term, col in found)
    phones = [term for term, col in found if term[1:].isdigit()]
    assert phones and {term[0] for term in phones} <= {"r"}


def test_words_worked_out_beforehand_are_not_trusted_for_a_customer_changed_after():
    """An import's new customers come with their words worked out (Derived.searched_later,
    from a forked child); one changed a change at a time before the change set closes
    gets its words from what is stored instead."""
    from custbook import workers
    from custbook.book import history, recorded, rows

    book = Book.in_memory()
    new = [book.customers.new_record("customer", {"name": n}, {}) for n in ("张伟", "李娜")]
    other = book.customers.new_record("customer", {"name": "王芳"}, {})
    someone_else = index.searched_all([index.unsearched(other, [])] * 2)
    with history.change_set(book.db, book.clock, "t") as recorder:
        ids = recorded.create_many(book, "customer", new, recorder)
        later = workers.Later(lambda _items: someone_else, [], None)
        recorder.derived.searched_later(ids, later)
        change = history.Change("customer", ids[1], ids[1], "update", "city", None, "上海")
        rows.apply(book.db, change, recorder.made_at)
        recorder.record(change)
    assert [c.record["name"] for c in book.search("wangfang")] == ["张伟"]  # as given
    assert [c.record["name"] for c in book.search("lina")] == ["李娜"]  # read from the book
