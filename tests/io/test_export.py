"""Exports: CSV and XLSX read back by the import give the same customers, contacts and
orders; vCard and iCalendar parse; JSON holds every record; files are 0600 and never
written over without --force."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import vobject
from openpyxl import load_workbook

from custbook.book import Book, figures
from custbook.book.demo import fill_demo_book
from custbook.errors import InvalidInput
from custbook.i18n import set_language
from custbook.io import export, importer, restore
from tests.book.conftest import StepClock
from tests.io.test_import import messy_workbook

TODAY = __import__("datetime").date(2026, 3, 1)


@pytest.fixture(scope="module")
def demo():
    book = Book.in_memory(clock=StepClock())
    fill_demo_book(book, customers=40, today=TODAY)
    return book


def content(book: Book) -> tuple[list, list, list]:
    """Customers, contacts and orders as a person sees them (no ids, no times)."""
    customers = sorted(
        (c["name"], c["kind"], c["company"], c["city"], c["grade"], c["stage"], c["notes"],
         json.dumps([p["e164"] for p in json.loads(c["phones"])]), c["emails"], c["birthday"],
         c["custom_fields"], c["do_not_contact"])
        for c in book.db.execute("SELECT * FROM customers")
    )  # fmt: skip
    tags = sorted(tuple(r) for r in book.db.execute(
        "SELECT c.name, t.name FROM customer_tags ct JOIN customers c ON c.id = ct.customer_id"
        " JOIN tags t ON t.id = ct.tag_id"))  # fmt: skip
    contacts = sorted(
        (r["owner"], r["name"], r["title"], json.dumps([p["e164"] for p in json.loads(r["phones"])]),
         r["emails"], r["birthday"])
        for r in book.db.execute(
            "SELECT p.*, c.name AS owner FROM contacts p JOIN customers c ON c.id = p.customer_id"
        )
    )  # fmt: skip
    orders = sorted(
        (r["owner"], r["ordered_on"], r["product"], r["amount_minor"], r["currency"],
         r["status"], r["payment_due"], r["paid_on"], r["quantity"], r["unit_price_minor"])
        for r in book.db.execute(
            "SELECT o.*, c.name AS owner FROM orders o JOIN customers c ON c.id = o.customer_id"
        )
    )  # fmt: skip
    return customers + tags, contacts, orders


def reimported(book: Book, path: Path) -> Book:
    fresh = Book.in_memory(clock=StepClock())
    plan = importer.prepare(path, region="CN", currency="CNY")
    summary = importer.run(fresh, plan)
    assert summary.rejected == 0, summary.rejected_rows
    return fresh


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_read_back_the_same(demo, tmp_path, fmt, language):
    set_language(language)
    try:
        path = tmp_path / f"out.{fmt}"
        ids = export.chosen_ids(demo, None)
        with export.plaintext_file(path, force=False, binary=fmt == "xlsx") as out:
            table = export.Table(demo, ids, typed=fmt == "xlsx")
            if fmt == "csv":
                export.write_csv(table, out)
            else:
                export.write_xlsx(table, out, tmp_path)
        fresh = reimported(demo, path)
    finally:
        set_language(None)
    assert content(fresh) == content(demo)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out.{fmt}"]  # no temp left
    assert path.stat().st_mode & 0o777 == 0o600


def test_xlsx_cells_are_typed(demo, tmp_path):
    path = tmp_path / "typed.xlsx"
    with export.plaintext_file(path, force=False, binary=True) as out:
        export.write_xlsx(
            export.Table(demo, export.chosen_ids(demo, None), typed=True), out, tmp_path
        )
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    dated = [r[header.index("Order date")] for r in rows[1:] if r[header.index("Order date")]]
    amounts = [r[header.index("Amount")] for r in rows[1:] if r[header.index("Amount")]]
    assert dated and all(hasattr(d, "year") for d in dated)
    assert amounts and all(isinstance(a, int | float) for a in amounts)


def test_a_query_picks_the_customers(demo):
    ids = export.chosen_ids(demo, "grade:A")
    grades = {demo.customers.get(i)["grade"] for i in ids}
    assert ids and grades == {"A"}
    assert len(export.chosen_ids(demo, None)) == 40


def test_json_holds_every_record(demo):
    out = io.StringIO()
    export.write_json(demo, export.chosen_ids(demo, None), out)
    data = json.loads(out.getvalue())
    assert len(data["customers"]) == 40
    for key, table in (("interactions", "interactions"), ("orders", "orders"),
                       ("contacts", "contacts"), ("opportunities", "opportunities")):  # fmt: skip
        exported = sum(len(c[key]) for c in data["customers"])
        assert exported == demo.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0], key
    reminders = sum(len(c["reminders"]) for c in data["customers"]) + len(data["reminders"])
    assert reminders == demo.db.execute("SELECT count(*) FROM reminders").fetchone()[0]
    assert "changes" not in out.getvalue() and "change_sets" not in data


def test_vcards_and_calendar_parse(demo):
    ids = export.chosen_ids(demo, None)
    cards = io.StringIO()
    export.write_vcards(demo, ids, cards)
    parsed = list(vobject.readComponents(cards.getvalue()))
    people = demo.db.execute("SELECT count(*) FROM contacts").fetchone()[0]
    assert len(parsed) == 40 + people
    assert all(card.version.value == "4.0" for card in parsed)
    calendar = io.StringIO()
    export.write_calendar(demo, ids, everything=True, out=calendar)
    events = list(vobject.readOne(calendar.getvalue()).vevent_list)
    open_reminders = demo.db.execute("SELECT count(*) FROM reminders WHERE done_at IS NULL")
    assert len(events) == open_reminders.fetchone()[0]
    assert any("RRULE" in e.contents or "rrule" in e.contents for e in events)


def test_a_file_is_never_written_over_without_force(tmp_path):
    path = tmp_path / "kept.csv"
    path.write_text("mine")
    with (
        pytest.raises(InvalidInput, match="--force"),
        export.plaintext_file(path, force=False, binary=False),
    ):
        pass
    assert path.read_text() == "mine"
    path.chmod(0o644)
    with export.plaintext_file(path, force=True, binary=False) as out:
        out.write("new")
    assert path.read_text() == "new" and path.stat().st_mode & 0o777 == 0o600


def test_a_failed_export_leaves_nothing(tmp_path):
    path = tmp_path / "half.csv"
    with pytest.raises(RuntimeError), export.plaintext_file(path, force=False, binary=False) as out:
        out.write("half a customer")
        raise RuntimeError("disk on fire")
    assert list(tmp_path.iterdir()) == []


def test_a_messy_import_exports_and_reimports_the_same(tmp_path):
    book = Book.in_memory(clock=StepClock())
    importer.run(
        book, importer.prepare(messy_workbook(tmp_path / "m.xlsx"), region="CN", currency="CNY")
    )
    path = tmp_path / "again.csv"
    with export.plaintext_file(path, force=False, binary=False) as out:
        export.write_csv(export.Table(book, export.chosen_ids(book, None), typed=False), out)
    assert content(reimported(book, path)) == content(book)


def every_record(book: Book) -> dict[str, list[tuple]]:
    """Every table a person's data lives in, row by row (history and derived rows aside)."""
    tables = ("customers", "contacts", "interactions", "reminders", "orders", "opportunities",
              "tags", "customer_tags", "settings", "saved_views")  # fmt: skip
    return {t: sorted(tuple(r) for r in book.db.execute(f"SELECT * FROM {t}")) for t in tables}


def test_json_comes_back_as_the_same_book(demo, tmp_path):
    demo.set_setting("currency", "CNY")
    demo.views.save("A 上海", "grade:A city:上海")
    path = tmp_path / "book.json"
    with export.plaintext_file(path, force=False, binary=False) as out:
        export.write_json(demo, export.chosen_ids(demo, None), out)
    fresh = Book.in_memory(clock=StepClock())
    counts = restore.restore(fresh, restore.read_export(path))
    assert counts["customers"] == 40
    assert every_record(fresh) == every_record(demo)
    assert figures.kept(fresh.db) == figures.kept(demo.db)  # kept figures rebuilt the same
    with pytest.raises(InvalidInput, match="empty book"):
        restore.restore(fresh, restore.read_export(path))
    fresh.undo(source="t")
    assert every_record(fresh)["customers"] == []


def test_a_tampered_json_export_is_refused_whole(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "custbook", "version": 1, "customers": [
        {"id": 1, "name": "甲", "kind": "person", "created_at": "2026-01-01T00:00:00+00:00",
         "updated_at": "2026-01-01T00:00:00+00:00"},
        {"id": 2, "name": None},
    ]}))  # fmt: skip
    book = Book.in_memory(clock=StepClock())
    with pytest.raises(InvalidInput, match="refuses"):
        restore.restore(book, restore.read_export(path))
    assert book.db.execute("SELECT count(*) FROM customers").fetchone()[0] == 0
    path.write_text(
        json.dumps({"format": "custbook", "version": 1, "customers": [{"id": 1, "evil": 1}]})
    )
    with pytest.raises(InvalidInput, match="evil"):
        restore.restore(book, restore.read_export(path))
    path.write_text("[1, 2]")
    with pytest.raises(InvalidInput, match="not a custbook JSON export"):
        restore.read_export(path)


def test_a_lone_customer_with_phones_as_text_is_refused(tmp_path):
    """Phones as JSON text (what `SELECT *` gives), not a list: refused as with two
    customers, even where the search rows are made from the record just inserted."""
    phones = json.dumps([{"typed": "13800138000", "e164": "+8613800138000"}])
    customer = {"id": 1, "kind": "person", "name": "张伟", "phones": phones,
                "created_at": "2026-01-01T00:00:00+08:00",
                "updated_at": "2026-01-01T00:00:00+08:00"}  # fmt: skip
    book = Book.in_memory(clock=StepClock())
    with pytest.raises(InvalidInput, match="refuses"):
        restore.restore(book, {"format": "custbook", "version": 1, "customers": [customer]})
    assert book.db.execute("SELECT count(*) FROM customers").fetchone()[0] == 0


def test_what_a_review_found(tmp_path):
    """Text that looks like a formula stays text; control characters, CR, custom fields
    named like fields, long lines and month ends survive the formats."""
    book = Book.in_memory(clock=StepClock())
    made = book.customers.create(
        {"name": "甲", "notes": '=HYPERLINK("http://x","y")\x0b', "custom.notes": "我的",
         "title": "x\ry"},
        source="t",
    )  # fmt: skip
    book.deals.add_order(
        made.id, {"amount": "10", "product": "=1+2", "ordered_on": "2026-01-31"}, source="t"
    )
    book.activity.remind("月底结账", __import__("datetime").date(2026, 1, 31), customer_id=made.id,
                         repeat_rule="monthly", source="t")  # fmt: skip
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"r.{fmt}"
        with export.plaintext_file(path, force=False, binary=fmt == "xlsx") as out:
            export.write_format(book, [made.id], fmt, out, folder=tmp_path, everything=True)
        if fmt == "xlsx":
            cells_ = [c for row in load_workbook(path).worksheets[0].iter_rows() for c in row]
            assert all(c.data_type != "f" for c in cells_)  # no formula
        fresh = reimported(book, path)
        (again,) = fresh.db.execute("SELECT notes, custom_fields FROM customers").fetchall()
        assert again[0] == '=HYPERLINK("http://x","y")' and json.loads(again[1]) == {
            "notes": "我的"
        }
        assert fresh.db.execute("SELECT product FROM orders").fetchone()[0] == "=1+2"
    assert (
        export.csv_safe("=1+2") == "'=1+2"
        and export.csv_safe("+86 138 0013 8000") == "+86 138 0013 8000"
    )
    cards = io.StringIO()
    export.write_vcards(book, [made.id], cards)
    assert vobject.readOne(cards.getvalue()).title.value == "x\ny"  # a CR cannot add a property
    calendar = io.StringIO()
    export.write_calendar(book, [made.id], everything=True, out=calendar)
    assert "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1" in calendar.getvalue()
    long_line = export._folded("NOTE:" + "客" * 200)
    assert all(len(part.encode()) <= 75 for part in long_line.split("\r\n") if part)
    with (
        pytest.raises(InvalidInput, match="folder"),
        export.plaintext_file(tmp_path, force=True, binary=False),
    ):
        pass


def test_a_broken_json_export_leaves_the_book_as_it_was(tmp_path):
    book = Book.in_memory(clock=StepClock())
    for data in (
        {"format": "custbook", "version": 1, "customers": ["x"]},
        {"format": "custbook", "version": 1, "customers": [], "settings": {"evil": 1}},
    ):
        with pytest.raises(InvalidInput):
            restore.restore(book, data)
        assert not book.db.in_transaction
        assert book.db.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
