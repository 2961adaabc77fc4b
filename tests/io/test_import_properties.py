"""Whatever the cells, the importer never crashes, and every row is imported or reported."""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, given, settings
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
