"""An older copy of the book put back over it opens with a warning; a restore does not."""

from __future__ import annotations

import shutil

from custbook.vault import restore_backup, unlock_book
from custbook.vault.backups import find_backup
from tests.conftest import PASSPHRASE, TINY_KDF, make_book, run_cli_subprocess


def test_older_copy_put_back_is_noticed(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, params=TINY_KDF)
    old_copy = tmp_path / "copy.cbk"
    shutil.copyfile(path, old_copy)
    old_counter = vault.header.meta.save_counter
    vault.save()
    vault.save()
    newest = vault.header.meta.save_counter
    vault.close()

    shutil.copyfile(old_copy, path)
    reopened = unlock_book(path, PASSPHRASE)
    assert reopened.rollback is not None
    assert (reopened.rollback.file_counter, reopened.rollback.seen_counter) == (old_counter, newest)
    reopened.close()

    result = run_cli_subprocess(
        ["--book", str(path), "check"], env={"CUSTBOOK_PASSPHRASE": PASSPHRASE}
    )
    assert result.returncode == 0
    assert "older copy" in result.stderr


def test_saving_after_the_warning_moves_past_it(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, params=TINY_KDF)
    old_copy = path.read_bytes()
    vault.save()
    vault.close()
    path.write_bytes(old_copy)
    acknowledged = unlock_book(path, PASSPHRASE)
    assert acknowledged.rollback is not None
    acknowledged.save()
    acknowledged.close()
    assert unlock_book(path, PASSPHRASE).rollback is None


def test_restoring_a_backup_on_purpose_does_not_warn(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, params=TINY_KDF)
    first = vault.header.meta.save_counter
    for _ in range(3):
        vault.save()
    vault.close()
    (backup,) = find_backup(path, str(first))
    restored = restore_backup(path, backup, PASSPHRASE)
    restored.close()
    reopened = unlock_book(path, PASSPHRASE)
    assert reopened.rollback is None
    assert reopened.header.meta.save_counter > first + 3


def test_the_state_folder_holds_no_customer_data(tmp_path, isolated_home):
    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    state_files = list((isolated_home / ".local" / "state").rglob("*"))
    counter_files = [f for f in state_files if f.is_file()]
    assert len(counter_files) == 1
    assert counter_files[0].read_text().strip().isdigit()
