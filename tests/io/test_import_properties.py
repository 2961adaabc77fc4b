"""Whatever the cells, the importer never crashes, and every row is imported or reported."""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from custbook.book import Book
from custbook.book.search import keys
from custbook.errors import InvalidInput
from custbook.io import importer
from custbook.io.cells import text
from tests.book.conftest import StepClock

HEADER = [
    "客户名称", "联系人", "电话", "邮箱", "生日", "客户等级", "交易日期", "交易金额",
    "单价", "数量", "订单状态", "标签", "备注", "客户阶段", "满意度", "类型", "怪列",
]  # fmt: skip
# openpyxl refuses control characters in cells; a spreadsheet cannot hold them either
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))
CELLS = st.one_of(
    st.none(),
    st.text(PRINTABLE, max_size=12),
    st.sampled_from(["13800138000", "a@b.cn", "A类", "2024-02-30", "¥1,250.50", "已付", "1.2万"]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2200, 1, 1)),
)
ROWS = st.lists(st.lists(CELLS, min_size=len(HEADER), max_size=len(HEADER)), max_size=8)


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_any_cells_are_imported_or_reported(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "f.xlsx"
    wb = Workbook()
    wb.active.append(HEADER)
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    book = Book.in_memory(clock=StepClock())
    plan = importer.prepare(path, region="CN", currency="CNY")
    summary = importer.run(book, plan)

    grouped = {row.number for incoming in plan.incoming for row in incoming.rows}
    rejected = {number for number, _cells, _why in summary.rejected_rows}
    blank = {n for n, row in enumerate(rows, 2) if all(text(c) is None for c in row)}
    assert grouped | rejected | blank == set(range(2, len(rows) + 2))
    names = {
        " ".join(keys.normal(r[0]).split()) for r in book.db.execute("SELECT name FROM customers")
    }
    for incoming in plan.incoming:
        if not {row.number for row in incoming.rows} & rejected:
            assert incoming.key in names
    assert {p.row for p in summary.problems} >= rejected


@settings(
    deadline=None, max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: ("姓名,电话,备注\n" + t).encode("utf-8")),
        st.text(max_size=200).map(lambda t: ("BEGIN:VCARD\nFN:" + t).encode("utf-8")),
    ),
    suffix=st.sampled_from([".csv", ".vcf", ".xlsx"]),
)
def test_any_bytes_give_a_plan_or_a_clear_error(tmp_path_factory, body, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"f{suffix}"
    path.write_bytes(body)
    try:
        plan = importer.prepare(path, region="CN", currency="CNY")
    except InvalidInput as error:
        assert str(error)
        return
    importer.run(Book.in_memory(clock=StepClock()), plan)


SMALL_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["甲", "乙", " 甲 "]),
        st.sampled_from(["", "13800000001", "13800000002", "13800000001;13800000002"]),
        st.sampled_from(["", "上海", "北京"]),
        st.sampled_from(["", "李四", "王五"]),
        st.sampled_from(["", "经理", "总监"]),
        st.sampled_from(["", "100", "abc"]),
    ),
    max_size=8,
)


def _stored(book: Book) -> list[list[tuple[object, ...]]]:
    """What an import left, without the times a clock gave."""
    queries = (
        "SELECT id, name, kind, city, phones, notes FROM customers ORDER BY id",
        "SELECT customer_id, name, title, phones FROM contacts ORDER BY id",
        "SELECT customer_id, product, amount_minor, status FROM orders ORDER BY id",
    )
    return [[tuple(r) for r in book.db.execute(q)] for q in queries]


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=SMALL_ROWS, in_book=st.booleans())
@example(  # a later row links 甲's two phones: the run once merged into the plan itself
    rows=[("甲", "13800000001", "上海", "", "", "100"), ("甲", "13800000002", "北京", "", "", "100"),
          ("甲", "13800000001;13800000002", "", "", "", "100")],
    in_book=False,
)  # fmt: skip
def test_a_dry_run_before_the_import_changes_nothing_it_writes(tmp_path_factory, rows, in_book):
    """The app dry-runs a plan, then imports the same plan: that writes exactly what one
    import writes (rows of one name that link, disagree, or name contact people)."""
    path = tmp_path_factory.mktemp("plan") / "f.csv"
    lines = ["客户名称,电话,城市,联系人,职位,金额,交易日期"]
    lines += [",".join([*row, "2024-01-02"]) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    books = []
    for dry_first in (False, True):
        book = Book.in_memory(clock=StepClock())
        if in_book:
            made = book.customers.create({"name": "甲", "city": "北京"}, source="t")
            book.customers.add_contact(made.id, {"name": "李四", "title": "经理"}, source="t")
        plan = importer.prepare(path, region="CN", currency="CNY")
        if dry_first:
            importer.run(book, plan, dry_run=True)
        summary = importer.run(book, plan)
        books.append((_stored(book), summary.counts(), summary.problems))
    assert books[0] == books[1]
