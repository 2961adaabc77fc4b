"""One writer at a time; a killed writer frees the book at once; readers may still read."""

from __future__ import annotations

import os
import signal
import socket
import time

import pytest

from custbook.vault import LockRefused, OpenElsewhere, unlock_book
from tests.conftest import PASSPHRASE, run_cli_subprocess


def test_second_writer_in_another_process_exits_6(book_path):
    holder = unlock_book(book_path, PASSPHRASE)
    try:
        result = run_cli_subprocess(
            ["--book", str(book_path), "passwd", "--new-passphrase-file", os.devnull],
            env={"CUSTBOOK_PASSPHRASE": PASSPHRASE},
        )
        assert result.returncode == 6, result.stderr
        assert f"pid {os.getpid()}" in result.stderr
        assert socket.gethostname() in result.stderr
    finally:
        holder.close()


def test_second_writer_in_the_same_process_is_refused(book_path):
    holder = unlock_book(book_path, PASSPHRASE)
    with pytest.raises(OpenElsewhere):
        unlock_book(book_path, PASSPHRASE)
    holder.close()
    unlock_book(book_path, PASSPHRASE).close()  # free again once closed


def test_readers_read_the_last_saved_state_meanwhile(book_path):
    holder = unlock_book(book_path, PASSPHRASE)
    holder.db.execute("INSERT INTO people (name) VALUES ('unsaved')")
    holder.db.commit()
    try:
        reader = unlock_book(book_path, PASSPHRASE, write=False)
        assert reader.db.execute("SELECT count(*) FROM people").fetchone() == (50,)
        reader.close()
        # The CLI's read-only check works and says the book is open elsewhere.
        result = run_cli_subprocess(
            ["--book", str(book_path), "check"], env={"CUSTBOOK_PASSPHRASE": PASSPHRASE}
        )
        assert result.returncode == 0, result.stderr
        assert f"pid {os.getpid()}" in result.stderr and "last saved state" in result.stderr
    finally:
        holder.close()


def test_a_killed_writer_frees_the_lock_at_once(book_path):
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child holds the book open until killed
        unlock_book(book_path, PASSPHRASE)
        os.write(ready_write, b"x")
        time.sleep(60)
        os._exit(0)
    assert os.read(ready_read, 1) == b"x"
    with pytest.raises(OpenElsewhere) as refused:
        unlock_book(book_path, PASSPHRASE)
    assert refused.value.holder.pid == pid
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    unlock_book(book_path, PASSPHRASE).close()  # no waiting, no stale lock


def test_symlinked_lock_file_is_refused(book_path, tmp_path):
    target = tmp_path / "victim"
    target.write_text("precious")
    lock = book_path.with_name(book_path.name + ".lock")
    lock.unlink(missing_ok=True)
    lock.symlink_to(target)
    with pytest.raises(LockRefused, match="symbolic link"):
        unlock_book(book_path, PASSPHRASE)
    assert target.read_text() == "precious"


@pytest.mark.skipif(os.name == "nt", reason="nothing is forked on Windows")
def test_closing_frees_the_book_though_a_forked_child_still_holds_the_lock_file(book_path):
    """An import's forked child is left to end by itself once it has answered, and it
    holds a copy of the lock file until then: closing the book lets go of the lock at
    once all the same."""
    holder = unlock_book(book_path, PASSPHRASE)
    child = os.fork()
    if child == 0:  # ends on its own, a while after the book was closed
        time.sleep(2)
        os._exit(0)
    try:
        holder.close()
        unlock_book(book_path, PASSPHRASE).close()  # free again at once
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
