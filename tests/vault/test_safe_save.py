"""Saves never lose data: a kill at any step, a full disk or an I/O error leaves the book
as the old or the new state, and the next open cleans up."""

from __future__ import annotations

import errno
import os
import random
import signal
import time
from pathlib import Path

import pytest

from custbook.vault import SaveFailed, unlock_book
from custbook.vault import files as vault_files
from custbook.vault.backups import list_backups
from custbook.vault.files import TEMP_SUFFIX
from tests.conftest import PASSPHRASE, TINY_KDF, make_book


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(f"*{TEMP_SUFFIX}")]


def count_rows(path: Path) -> int:
    vault = unlock_book(path, PASSPHRASE)  # a writable open: it also cleans up
    try:
        return vault.db.execute("SELECT count(*) FROM people").fetchone()[0]
    finally:
        vault.close()


def in_child(work) -> int:
    """Run `work()` in a forked child; return how the child ended (a signal number or 0)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            work()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0


def kill_me(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def save_with(path: Path, patch) -> None:
    """Open the book, add a row, install `patch` (which kills at one step), save."""
    vault = unlock_book(path, PASSPHRASE)
    vault.db.execute("INSERT INTO people (name) VALUES ('new')")
    vault.db.commit()
    patch()
    vault.save()


def after(function_name, module=os):
    real = getattr(module, function_name)

    def patched(*args, **kwargs):
        result = real(*args, **kwargs)
        kill_me()
        return result

    return lambda: setattr(module, function_name, patched)


def before(function_name, module=os):
    return lambda: setattr(module, function_name, kill_me)


STEPS = {
    "after the temp write": (before("fsync_file", vault_files), "old"),
    "after fsync": (before("verify_file", vault_files), "old"),
    "after the backup link": (after("link"), "old"),
    "before the rename": (before("replace"), "old"),
    "after the rename": (after("replace"), "new"),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_kill_at_each_step_of_a_save(tmp_path, step):
    patch, expected = STEPS[step]
    path = tmp_path / "b.cbk"
    make_book(path, rows=40, params=TINY_KDF).close()
    assert in_child(lambda: save_with(path, patch)) == signal.SIGKILL
    had_leftovers = leftovers(tmp_path)
    assert count_rows(path) == (40 if expected == "old" else 41)
    assert leftovers(tmp_path) == []  # the open cleaned up
    if expected == "old" and step != "after the backup link":
        assert had_leftovers  # there was something to clean up


def save_forever(path: Path) -> None:
    vault = unlock_book(path, PASSPHRASE)
    for n in range(10**6):
        vault.db.execute("INSERT INTO people (name, note) VALUES (?, ?)", (f"row {n}", "x" * 900))
        vault.db.commit()
        vault.save()


def test_fifty_random_kills_while_saving(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=0, params=TINY_KDF)
    vault.db.executemany(
        "INSERT INTO people (name, note) VALUES (?, ?)", [("seed", os.urandom(1500).hex())] * 1500
    )
    vault.db.commit()
    vault.save()
    vault.close()
    assert path.stat().st_size > 3_000_000
    rng = random.Random(50)
    seen_counts = set()
    for _ in range(50):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                save_forever(path)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.01, 0.25))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        reopened = unlock_book(path, PASSPHRASE)
        reopened.integrity_check()
        names = reopened.db.execute("SELECT name FROM people WHERE name LIKE 'row %'").fetchall()
        # A committed state: rows 0..k-1 of the child's last completed save, nothing else.
        assert sorted(int(name[4:]) for (name,) in names) == list(range(len(names)))
        seen_counts.add(len(names))
        reopened.db.execute("DELETE FROM people WHERE name LIKE 'row %'")
        reopened.db.commit()
        reopened.save()
        reopened.close()
        assert leftovers(tmp_path) == []
    assert len(seen_counts) > 1  # the kills landed at different points


class Faulty:
    """Replace os.<name> with one that fails with `error` from its `nth` call on, for one
    save, leaving every other caller's calls to the real function."""

    def __init__(self, monkeypatch, name, error, nth=1):
        self.real = getattr(os, name)
        self.calls = 0
        self.nth = nth
        self.error = error
        monkeypatch.setattr(os, name, self)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls >= self.nth:
            raise self.error
        return self.real(*args, **kwargs)


FAULTS = {
    "disk full on the first write": ("write", OSError(errno.ENOSPC, "No space left on device"), 1),
    "disk full mid-file": ("write", OSError(errno.ENOSPC, "No space left on device"), 5),
    "I/O error on fsync": ("fsync", OSError(errno.EIO, "Input/output error"), 1),
    "rename refused": ("replace", PermissionError(errno.EACCES, "Permission denied"), 1),
    "backup link fails": ("link", OSError(errno.EIO, "Input/output error"), 1),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_failed_save_keeps_everything(tmp_path, monkeypatch, fault):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=300, record_size=1024, params=TINY_KDF)
    before = path.read_bytes()
    backups_before = [b.path.name for b in list_backups(path)]
    vault.db.execute("INSERT INTO people (name) VALUES ('unsaved 未保存')")
    vault.db.commit()
    name, error, nth = FAULTS[fault]
    with monkeypatch.context() as patch:
        Faulty(patch, name, error, nth)
        with pytest.raises(SaveFailed) as raised:
            vault.save()
    assert error.strerror in raised.value.message
    assert "unchanged" in raised.value.message
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []
    for backup in list_backups(path):  # at most the unchanged book, kept once more
        assert backup.path.name in backups_before or os.path.samefile(backup.path, path)
    # The change is still in memory, and the next save writes it.
    assert vault.db.execute(
        "SELECT count(*) FROM people WHERE name = 'unsaved 未保存'"
    ).fetchone() == (1,)
    vault.save()
    vault.close()
    reopened = unlock_book(path, PASSPHRASE, write=False)
    assert reopened.db.execute(
        "SELECT count(*) FROM people WHERE name = 'unsaved 未保存'"
    ).fetchone() == (1,)


def test_leftover_temp_file_is_removed_at_the_next_open(tmp_path):
    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    stray = tmp_path / f".b.cbk.0123456789ab{TEMP_SUFFIX}"
    stray.write_bytes(b"half a save")
    unrelated = tmp_path / f".other.cbk.0123456789ab{TEMP_SUFFIX}"
    unrelated.write_bytes(b"another book's")
    unlock_book(path, PASSPHRASE, write=False).close()
    assert stray.exists()  # read-only opens never touch files
    unlock_book(path, PASSPHRASE).close()
    assert not stray.exists()
    assert unrelated.exists()


def test_symlinked_book_keeps_its_link(tmp_path):
    real = tmp_path / "real" / "book.cbk"
    make_book(real, params=TINY_KDF).close()
    link = tmp_path / "elsewhere" / "book.cbk"
    link.parent.mkdir()
    link.symlink_to(real)
    vault = unlock_book(link, PASSPHRASE)
    vault.db.execute("INSERT INTO people (name) VALUES ('through the link')")
    vault.db.commit()
    vault.save()
    vault.close()
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert not (link.parent / "backups").exists()
    assert list_backups(link) == list_backups(real) != []
    assert count_rows(real) == 51
