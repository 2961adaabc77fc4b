"""Odd things where a book, a backup or a lock file should be: a clear error, never a
traceback, never a hang."""

from __future__ import annotations

import os
import shutil

import pytest

from custbook.vault import LockRefused, SaveFailed, UnreadableBook, unlock_book
from custbook.vault.backups import KeyCache, check_backup, clean_leftovers, list_backups
from custbook.vault.files import TEMP_SUFFIX
from custbook.vault.lock import live_holder
from tests.conftest import (
    PASSPHRASE,
    TINY_KDF,
    make_book,
    make_book_with_a_broken_page,
    run_cli_subprocess,
)


def test_a_folder_as_the_book(tmp_path):
    folder = tmp_path / "folder.cbk"
    folder.mkdir()
    with pytest.raises(UnreadableBook, match="folder"):
        unlock_book(folder, PASSPHRASE, write=False)
    result = run_cli_subprocess(["--book", str(folder), "check"], env={"CUSTBOOK_PASSPHRASE": "x"})
    assert result.returncode == 1 and "folder" in result.stderr and "Traceback" not in result.stderr


def test_a_fifo_as_the_book_does_not_hang(tmp_path):
    fifo = tmp_path / "fifo.cbk"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableBook, match="not a regular file"):
        unlock_book(fifo, PASSPHRASE, write=False)
    result = run_cli_subprocess(["--book", str(fifo), "check"], env={"CUSTBOOK_PASSPHRASE": "x"})
    assert result.returncode == 1


def test_a_lock_file_pointing_at_dev_zero_or_a_fifo(tmp_path, book_path):
    lock = book_path.with_name(book_path.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.symlink_to("/dev/zero")
    assert live_holder(book_path) is None  # read-only commands read no link, no endless file
    with pytest.raises(LockRefused):
        unlock_book(book_path, PASSPHRASE)
    lock.unlink()
    os.mkfifo(lock)
    assert live_holder(book_path) is None
    with pytest.raises(LockRefused, match="not a regular file"):
        unlock_book(book_path, PASSPHRASE)


def test_a_failed_read_back_is_a_failed_save(tmp_path, monkeypatch):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=200, record_size=1024, params=TINY_KDF)
    before = path.read_bytes()
    vault.db.execute("INSERT INTO people (name) VALUES ('kept in memory')")
    vault.db.commit()
    real_write = os.write
    calls = []

    def corrupting(fd, data):
        calls.append(1)
        if len(calls) == 6:  # one byte of one record goes bad on its way to the disk
            data = bytearray(data)
            data[len(data) // 2] ^= 0xFF
        return real_write(fd, data)

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", corrupting)
        with pytest.raises(SaveFailed, match="read back"):
            vault.save()
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}")) and not list(
        tmp_path.glob(f".*{TEMP_SUFFIX}")
    )
    vault.save()
    vault.close()
    reopened = unlock_book(path, PASSPHRASE, write=False)
    assert reopened.db.execute(
        "SELECT count(*) FROM people WHERE name = 'kept in memory'"
    ).fetchone() == (1,)


def test_cleanup_leaves_another_books_temp_file_alone(tmp_path):
    make_book(tmp_path / "b.cbk", params=TINY_KDF).close()
    mine = tmp_path / f".b.cbk.0123456789ab{TEMP_SUFFIX}"
    theirs = tmp_path / f".b.cbk.old.0123456789ab{TEMP_SUFFIX}"
    folder = tmp_path / f".b.cbk.abcdefabcdef{TEMP_SUFFIX}"
    mine.write_bytes(b"x")
    theirs.write_bytes(b"y")
    folder.mkdir()
    assert clean_leftovers(tmp_path / "b.cbk") == [mine]
    assert theirs.exists() and folder.exists()


def test_a_backup_pruned_while_being_checked_is_skipped(tmp_path):
    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    backup = list_backups(path)[0]
    backup.path.unlink()
    assert check_backup(backup, KeyCache(PASSPHRASE)) is None


def test_backup_ids_never_repeat_after_a_restore_on_a_new_machine(tmp_path, isolated_home):
    from custbook.vault import restore_backup

    path = tmp_path / "b.cbk"
    vault = make_book(path, params=TINY_KDF)
    for _ in range(4):
        vault.save()
    vault.close()
    shutil.rmtree(isolated_home / ".local" / "state")  # the counters seen are gone
    damaged = bytearray(path.read_bytes())
    damaged[30] ^= 1  # the header: its counter cannot be read
    path.write_bytes(bytes(damaged))
    oldest = list_backups(path)[-1]
    restored = restore_backup(path, oldest, PASSPHRASE)
    restored.save()
    restored.close()
    ids = [b.id for b in list_backups(path)]
    assert len(ids) == len(set(ids))


def test_integrity_damage_names_a_backup(tmp_path):
    """Every record authenticates, the database opens, but a page inside is broken."""
    path = tmp_path / "b.cbk"
    make_book_with_a_broken_page(path)
    result = run_cli_subprocess(
        ["--book", str(path), "check"], env={"CUSTBOOK_PASSPHRASE": PASSPHRASE}
    )
    assert result.returncode == 4
    assert "integrity check" in result.stderr
    assert "newest backup that verifies" in result.stderr and "backup restore" in result.stderr
