"""`custbook export` through real processes on a real encrypted book."""

from __future__ import annotations

import json
import os

from tests.cli.conftest import PASSPHRASE, custbook
from tests.io.test_import import messy_workbook


def test_export_to_a_file_and_to_standard_output(book_file, tmp_path):
    assert custbook(book_file, "import", str(messy_workbook(tmp_path / "m.xlsx"))).returncode == 0
    out = tmp_path / "客户.csv"
    done = custbook(book_file, "export", "--format", "csv", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "not encrypted" in done.stderr and done.stdout == ""
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_bytes().startswith("\ufeff".encode())
    again = custbook(book_file, "export", "--format", "csv", "-o", str(out))
    assert again.returncode != 0 and "--force" in again.stderr
    forced = custbook(book_file, "export", "--format", "json", "-o", str(out), "--force")
    assert forced.returncode == 0 and json.loads(out.read_text())["format"] == "custbook"

    shown = custbook(book_file, "export", "--format", "json", "--query", "grade:A")
    assert [c["name"] for c in json.loads(shown.stdout)["customers"]] == ["上海宏达贸易有限公司"]
    assert "1 customers written to standard output" in shown.stderr
    bad = custbook(book_file, "export", "--format", "csv", "--query", "grade:X")
    assert bad.returncode != 0 and "grade" in bad.stderr and "Traceback" not in bad.stderr
    xlsx = custbook(book_file, "export", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx"))
    assert xlsx.returncode == 0 and (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"
    left = {p.name for p in tmp_path.iterdir()} - {"book.cbk", "book.cbk.lock", "backups"}
    assert sorted(left) == ["a.xlsx", "m.xlsx", "客户.csv"]  # no temporary file left


def test_a_json_export_restores_into_an_empty_book(book_file, tmp_path):
    from tests.conftest import make_book

    assert custbook(book_file, "import", str(messy_workbook(tmp_path / "m.xlsx"))).returncode == 0
    out = tmp_path / "all.json"
    assert custbook(book_file, "export", "--format", "json", "-o", str(out)).returncode == 0
    other = tmp_path / "other.cbk"
    make_book(other, rows=0).close()
    restored = custbook(other, "import", str(out), "--json")
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["customers"] == 2
    again = custbook(other, "import", str(out))
    assert again.returncode != 0 and "empty book" in again.stderr
    shown = custbook(other, "show", "1", "--json")
    assert json.loads(shown.stdout)["name"] == "上海宏达贸易有限公司"


def test_xlsx_is_refused_on_a_terminal_and_nothing_is_written(book_file, tmp_path):
    """A workbook's bytes would garble the terminal (and show customer data): the
    export says to name a file, on a real pseudo-terminal as standard output."""
    import pty
    import subprocess
    import sys

    primary, secondary = pty.openpty()
    env = {**os.environ, "CUSTBOOK_BOOK": str(book_file), "CUSTBOOK_PASSPHRASE": PASSPHRASE}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "custbook", "export", "--format", "xlsx"],
            stdout=secondary, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
            cwd=tmp_path, timeout=120,
        )  # fmt: skip
    finally:
        os.close(secondary)
    written = _drained(primary)
    os.close(primary)
    assert done.returncode != 0
    assert "-o FILE.xlsx" in done.stderr.decode() and b"PK" not in written
    assert not any(p.suffix == ".xlsx" for p in tmp_path.iterdir())


def _drained(fd: int) -> bytes:
    """What the terminal received (EIO once the other side closed with nothing left)."""
    import select

    try:
        return os.read(fd, 65536) if select.select([fd], [], [], 0)[0] else b""
    except OSError:
        return b""
