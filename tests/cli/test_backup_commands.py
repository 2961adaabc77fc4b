"""backup list / verify / restore, and the damaged book that points at its newest good backup."""

from __future__ import annotations

import json

import pytest

from custbook.cli import run
from custbook.vault import unlock_book
from custbook.vault.backups import list_backups
from tests.conftest import PASSPHRASE, TINY_KDF, make_book

ENV = {"CUSTBOOK_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def cli(capsys, monkeypatch):
    def invoke(*args: str, env: dict[str, str] | None = None):
        for name, value in (env if env is not None else ENV).items():
            monkeypatch.setenv(name, value)
        code = run(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def book_with_history(tmp_path):
    """A book saved five times, one row more each time: backups hold 50..54 rows."""
    path = tmp_path / "b.cbk"
    vault = make_book(path, params=TINY_KDF)
    for n in range(5):
        vault.db.execute("INSERT INTO people (name) VALUES (?)", (f"added {n}",))
        vault.db.commit()
        vault.save()
    vault.close()
    return path


def corrupt(path, offset=-200):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_list(cli, book_with_history):
    code, out, _ = cli("--book", str(book_with_history), "backup", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["6", "5", "4", "3", "2", "1"]
    assert all(r["verifies"] is True and r["passphrase"] == "current" for r in rows)
    code, table, _ = cli("--book", str(book_with_history), "backup", "list")
    assert code == 0 and "current" in table and "yes" in table


def test_list_after_a_passphrase_change(cli, tmp_path, book_with_history, small_kdf_default):
    new = tmp_path / "new"
    new.write_text("另一个口令")
    book = str(book_with_history)
    assert cli("--book", book, "passwd", "--new-passphrase-file", str(new))[0] == 0
    code, out, _ = cli(
        "--book",
        str(book_with_history),
        "backup",
        "list",
        "--json",
        env={"CUSTBOOK_PASSPHRASE": "另一个口令"},
    )
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["passphrase"] == "older"  # the state just replaced, saved under the old one
    assert rows[0]["verifies"] is None
    code, _, err = cli("--book", str(book_with_history), "backup", "list")  # the old passphrase
    assert code == 3 and "Wrong passphrase" in err


def test_verify_names_exactly_the_corrupted_backup(cli, book_with_history):
    assert cli("--book", str(book_with_history), "backup", "verify")[0] == 0
    target = next(b for b in list_backups(book_with_history) if b.id == "3")
    corrupt(target.path)
    code, _, err = cli("--book", str(book_with_history), "backup", "verify")
    assert code == 4
    damaged_lines = [line for line in err.splitlines() if "damaged" in line]
    assert len(damaged_lines) == 1
    assert damaged_lines[0].startswith("Backup 3 ")
    assert "5 of 6 backups verify" in err


def test_restore_brings_back_that_state_and_keeps_the_replaced_one(cli, book_with_history):
    replaced = book_with_history.read_bytes()
    code, _, err = cli("--book", str(book_with_history), "backup", "restore", "3")
    assert code == 0, err
    vault = unlock_book(book_with_history, PASSPHRASE)
    assert vault.db.execute("SELECT count(*) FROM people").fetchone() == (51,)  # state 3
    assert vault.rollback is None
    vault.close()
    kept = [b for b in list_backups(book_with_history) if b.path.read_bytes() == replaced]
    assert len(kept) == 1
    assert kept[0].path.name in err


def test_restore_unknown_id(cli, book_with_history):
    code, _, err = cli("--book", str(book_with_history), "backup", "restore", "999")
    assert code == 8 and "no backup 999" in err


def test_restore_with_a_wrong_passphrase_changes_nothing(cli, book_with_history):
    before = book_with_history.read_bytes()
    code, _, err = cli(
        "--book",
        str(book_with_history),
        "backup",
        "restore",
        "3",
        env={"CUSTBOOK_PASSPHRASE": "wrong"},
    )
    assert code == 3 and "older" in err and "--passphrase-file" in err
    assert book_with_history.read_bytes() == before


def test_damaged_book_names_the_newest_good_backup(cli, book_with_history):
    corrupt(book_with_history)
    newest = list_backups(book_with_history)[0]
    corrupt(newest.path)  # the newest backup is bad too: the hint skips it
    code, _, err = cli("--book", str(book_with_history), "check")
    assert code == 4
    assert "newest backup that verifies is 5" in err
    assert f"custbook --book {book_with_history} backup restore 5" in err
    assert cli("--book", str(book_with_history), "backup", "restore", "5")[0] == 0
    assert cli("--book", str(book_with_history), "check")[0] == 0


def test_damaged_header_without_a_passphrase_still_names_a_backup(cli, book_with_history):
    corrupt(book_with_history, offset=30)
    code, _, err = cli("--book", str(book_with_history), "check", env={})
    assert code == 4
    assert "newest backup is 6" in err and "not checked" in err
    assert "backup restore 6" in err


def test_restore_refuses_at_once_while_the_book_is_open(cli, book_with_history):
    holder = unlock_book(book_with_history, PASSPHRASE)
    try:
        code, _, err = cli("--book", str(book_with_history), "backup", "restore", "3", env={})
        assert code == 6 and "open in another custbook" in err  # before any passphrase
    finally:
        holder.close()
