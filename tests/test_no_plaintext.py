"""No plaintext customer data on disk, ever: a canary written into the database never
appears in any byte of any file under HOME, TMPDIR, the XDG folders or the book's folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from custbook.paths import default_book_path
from custbook.vault import SaveFailed, unlock_book
from tests.conftest import run_cli_subprocess

CANARY = "CANARY-客户金丝雀-7f3a9"
PASSPHRASE = "canary test passphrase"


def encodings_of(text: str) -> list[bytes]:
    return [text.encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be", "gb18030")]


def files_containing(root: Path, needles: list[bytes]) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                hits.append(path)
    return hits


def test_canary_never_reaches_the_disk(isolated_home, monkeypatch):
    env = {"CUSTBOOK_PASSPHRASE": PASSPHRASE}
    created = run_cli_subprocess(["init"], env=env)
    assert created.returncode == 0, created.stderr
    book = default_book_path()
    assert book.is_relative_to(isolated_home)

    vault = unlock_book(book, PASSPHRASE)
    vault.db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, notes TEXT)")
    vault.db.executemany(
        "INSERT INTO customers (name, notes) VALUES (?, ?)",
        [(f"{CANARY} {n}", f"{CANARY} notes " * 20) for n in range(3000)],
    )
    vault.db.commit()
    # A sort too big for the cache would spill to a temp file unless temp_store=MEMORY.
    # SQLite unlinks such files at once, so no scan sees them: test_temp_store_is_memory
    # checks the pragma itself.
    vault.db.execute("PRAGMA cache_size=-64")
    vault.db.execute("SELECT * FROM customers ORDER BY notes DESC, name").fetchall()
    vault.save()
    vault.db.execute("UPDATE customers SET notes = ? WHERE id < 100", (CANARY * 3,))
    vault.db.commit()
    vault.save()
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O")))
        with pytest.raises(SaveFailed):
            vault.save()
    vault.change_passphrase(PASSPHRASE)
    vault.close()

    listed = run_cli_subprocess(["backup", "list"], env=env)
    assert listed.returncode == 0, listed.stderr
    checked = run_cli_subprocess(["check"], env=env)
    assert checked.returncode == 0, checked.stderr
    assert CANARY not in listed.stdout + listed.stderr + checked.stdout + checked.stderr

    assert len(list((book.parent / "backups").iterdir())) >= 3
    assert files_containing(isolated_home, encodings_of(CANARY)) == []
    assert files_containing(isolated_home, encodings_of("金丝雀")) == []


def test_the_canary_scan_would_find_plaintext(isolated_home):
    """The scan itself works: a plaintext file with the canary is found."""
    leak = isolated_home / "tmp" / "leak.txt"
    leak.write_text(f"oops {CANARY}", encoding="gb18030")
    assert files_containing(isolated_home, encodings_of(CANARY)) == [leak]


def test_an_import_leaves_no_plaintext_but_the_files_asked_for(isolated_home, small_kdf_default):
    """Importing an XLSX with a bad row: the canary is afterwards only in the source file
    and in the rejects file the user named, nowhere else (temp folders included)."""
    from openpyxl import Workbook

    env = {"CUSTBOOK_PASSPHRASE": PASSPHRASE}
    assert run_cli_subprocess(["init"], env=env).returncode == 0
    source = isolated_home / "incoming" / "客户.xlsx"
    source.parent.mkdir()
    wb = Workbook()
    wb.active.append(["客户名称", "电话", "备注"])
    wb.active.append([f"{CANARY} 公司", "13800138000", f"{CANARY} 备注"])
    wb.active.append([None, None, f"{CANARY} 没有名字"])
    wb.save(source)
    rejects = isolated_home / "incoming" / "rejects.csv"
    done = run_cli_subprocess(["import", str(source), "--rejects", str(rejects)], env=env)
    assert done.returncode == 0, done.stderr
    assert CANARY in rejects.read_text("utf-8-sig")
    hits = files_containing(isolated_home, encodings_of(CANARY))
    assert rejects in hits and set(hits) <= {source, rejects}  # the XLSX is compressed


def test_an_export_writes_plaintext_only_where_asked(isolated_home, small_kdf_default):
    """In every format the canary is in the exported file (XLSX: compressed) and nowhere
    else on disk: not in temp folders (openpyxl writes sheets through temp files), not
    beside it."""
    from custbook.book import Book

    env = {"CUSTBOOK_PASSPHRASE": PASSPHRASE}
    assert run_cli_subprocess(["init"], env=env).returncode == 0
    vault = unlock_book(default_book_path(), PASSPHRASE)
    book = Book(vault.db)
    made = book.customers.create({"name": f"{CANARY} 公司", "notes": CANARY}, source="t")
    book.activity.remind(f"{CANARY} 回访", due=__import__("datetime").date(2030, 1, 1),
                         customer_id=made.id, source="t")  # fmt: skip
    vault.save()
    vault.close()
    folder = isolated_home / "exports"
    folder.mkdir()
    for fmt in ("csv", "xlsx", "vcf", "ics", "json"):
        out = folder / f"all.{fmt}"
        done = run_cli_subprocess(["export", "--format", fmt, "-o", str(out)], env=env)
        assert done.returncode == 0, done.stderr
        hits = files_containing(isolated_home, encodings_of(CANARY))
        assert set(hits) <= {out}, fmt
        assert fmt == "xlsx" or hits == [out], fmt
        assert [p.name for p in folder.iterdir()] == [out.name], fmt
        out.unlink()
