"""`custbook import` through real processes on a real encrypted book."""

from __future__ import annotations

import json

from custbook.book import Book
from custbook.vault import unlock_book
from tests.cli.conftest import custbook
from tests.conftest import PASSPHRASE
from tests.io.test_import import messy_workbook


def saved_names(book_file):
    vault = unlock_book(book_file, PASSPHRASE, write=False)
    try:
        return [r[0] for r in Book(vault.db).db.execute("SELECT name FROM customers ORDER BY id")]
    finally:
        vault.close()


def test_dry_run_then_import_then_undo(book_file, tmp_path):
    path = messy_workbook(tmp_path / "客户名录.xlsx")
    dry = custbook(book_file, "import", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "header on row 3" in dry.stderr and "custom field “QQ号”" in dry.stderr
    assert "2 new" in dry.stderr and "Dry run: nothing was changed." in dry.stderr
    assert saved_names(book_file) == []

    rejects = tmp_path / "rejects.csv"
    done = custbook(book_file, "import", str(path), "--json", "--rejects", str(rejects))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert {k: summary[k] for k in ("created", "updated", "unchanged", "contacts", "orders",
                                    "rejected")} == {
        "created": 2, "updated": 0, "unchanged": 0, "contacts": 2, "orders": 2, "rejected": 1,
    }  # fmt: skip
    assert [(p["row"], p["column"]) for p in summary["problems"]][:2] == [
        (7, "邮箱"),
        (7, "交易金额"),
    ]
    assert summary["mapping"][1] == {
        "column": "客户名称",
        "field": "name",
        "sample": "上海宏达贸易有限公司",
    }
    assert rejects.stat().st_mode & 0o777 == 0o600
    assert saved_names(book_file) == ["上海宏达贸易有限公司", "北京ABC科技"]

    again = custbook(book_file, "import", str(path), "--json")
    assert json.loads(again.stdout)["unchanged"] == 2

    assert custbook(book_file, "undo").returncode == 0
    assert saved_names(book_file) == []


def test_bad_options_name_the_problem(book_file, tmp_path):
    path = messy_workbook(tmp_path / "客户名录.xlsx")
    bad_map = custbook(book_file, "import", str(path), "--map", "联系电话")
    assert bad_map.returncode != 0 and "COLUMN=FIELD" in bad_map.stderr
    bad_sheet = custbook(book_file, "import", str(path), "--sheet", "Sheet9")
    assert bad_sheet.returncode != 0 and "客户名录" in bad_sheet.stderr
    assert "Traceback" not in bad_map.stderr + bad_sheet.stderr
    assert saved_names(book_file) == []


def test_the_progress_bar_runs_no_thread_of_its_own(monkeypatch):
    """A thread would stop the import sharing its work with forked children: the bar is
    drawn at each step instead."""
    import threading

    from custbook.cli import import_commands, output

    monkeypatch.setattr(output.message_console, "_force_terminal", True)
    before = threading.active_count()
    with import_commands._progress(1000, quiet=False) as advance:
        assert advance is not None
        advance(500, 1000)
        assert threading.active_count() == before
