"""Near SQLite's 1 GiB in-memory ceiling: a clear "too large", never a crash, nothing lost.

The real ceiling is probed by `benchmarks/vault_bench.py --limit-probe`; here it is lowered
so the same code paths run on small books."""

from __future__ import annotations

import pytest

from custbook.vault import BookTooLarge, create_book, unlock_book
from custbook.vault import format as book_format
from tests.conftest import PASSPHRASE, TINY_KDF, make_book


def test_a_save_over_the_limit_is_refused_and_keeps_the_file(tmp_path, monkeypatch):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=10, params=TINY_KDF)
    before = path.read_bytes()
    vault.db.executemany("INSERT INTO people (note) VALUES (?)", [("x" * 4000,)] * 20)
    vault.db.commit()
    monkeypatch.setattr(book_format, "MAX_IMAGE_BYTES", 64 * 1024)
    with pytest.raises(BookTooLarge, match="MiB"):
        vault.save()
    assert path.read_bytes() == before
    monkeypatch.undo()
    vault.save()  # nothing was lost
    vault.close()


def test_a_file_over_the_limit_is_refused_before_decrypting(tmp_path, monkeypatch):
    path = tmp_path / "b.cbk"
    make_book(path, rows=400, params=TINY_KDF).close()
    monkeypatch.setattr(book_format, "MAX_IMAGE_BYTES", 8 * 1024)
    decrypted = []
    real = book_format._decrypt_records
    monkeypatch.setattr(
        book_format, "_decrypt_records", lambda *a, **k: decrypted.append(1) or real(*a, **k)
    )
    with pytest.raises(BookTooLarge):
        unlock_book(path, PASSPHRASE)
    assert decrypted == []


def test_a_new_book_is_what_an_unlock_gives_back(tmp_path):
    """create_book loads its database the way unlock does (deserialize), which is what gives
    it the same ceiling; the probe in benchmarks/ shows both stop at the same size."""
    vault = create_book(tmp_path / "b.cbk", PASSPHRASE, params=TINY_KDF)
    image = vault.db.serialize()
    vault.close()
    fresh = unlock_book(tmp_path / "b.cbk", PASSPHRASE)
    assert fresh.db.serialize() == image
    fresh.close()
