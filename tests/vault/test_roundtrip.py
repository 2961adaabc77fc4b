"""A book written, saved and reopened gives back the same rows; keys never repeat."""

from __future__ import annotations

import os
import stat
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from custbook.vault import SaveRefused, create_book, kdf, unlock_book
from custbook.vault.format import HEADER_BYTES
from tests.conftest import PASSPHRASE, SMALL_KDF, TINY_KDF, make_book
from tests.vault.layout import parse_book


def test_rows_survive_save_and_reopen(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=300)
    vault.db.execute("UPDATE people SET note = 'changed 改了' WHERE id = 7")
    vault.db.commit()
    vault.save()
    expected = vault.db.execute("SELECT * FROM people ORDER BY id").fetchall()
    vault.close()

    again = unlock_book(path, PASSPHRASE)
    assert again.db.execute("SELECT * FROM people ORDER BY id").fetchall() == expected
    assert again.header.meta.save_counter == 3  # create, make_book's save, this save
    again.integrity_check()


def test_passphrase_is_unicode_normalised(tmp_path):
    path = tmp_path / "b.cbk"
    create_book(path, "caf\u00e9", params=TINY_KDF).close()
    unlock_book(path, "cafe\u0301").close()  # the same word, decomposed


def test_files_and_folders_are_private(tmp_path):
    path = tmp_path / "new" / "deeper" / "b.cbk"
    make_book(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path.parent.parent).st_mode) == 0o700
    assert sorted(os.listdir(path.parent)) == ["b.cbk", "b.cbk.lock", "backups"]  # no temp file
    assert stat.S_IMODE(os.stat(path.parent / "b.cbk.lock").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent / "backups").st_mode) == 0o700
    for backup in os.listdir(path.parent / "backups"):
        assert stat.S_IMODE(os.stat(path.parent / "backups" / backup).st_mode) == 0o600


def test_temp_store_is_memory(book_path):
    vault = unlock_book(book_path, PASSPHRASE)
    assert vault.db.execute("PRAGMA temp_store").fetchone() == (2,)


def test_save_refused_inside_a_transaction(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path)
    before = path.read_bytes()
    vault.db.execute("INSERT INTO people (name) VALUES ('uncommitted')")
    assert vault.db.in_transaction
    with pytest.raises(SaveRefused):
        vault.save()
    assert path.read_bytes() == before
    vault.db.commit()
    vault.save()
    assert unlock_book(path, PASSPHRASE, write=False).db.execute(
        "SELECT count(*) FROM people WHERE name = 'uncommitted'"
    ).fetchone() == (1,)


def test_save_after_close_is_refused(book_path):
    vault = unlock_book(book_path, PASSPHRASE)
    vault.close()
    with pytest.raises(SaveRefused):
        vault.save()


def test_change_passphrase(book_path, small_kdf_default):
    vault = unlock_book(book_path, PASSPHRASE)
    vault.change_passphrase("新的口令")
    vault.db.execute("INSERT INTO people (name) VALUES ('after')")
    vault.db.commit()
    vault.save()  # saves keep using the new key without re-running the KDF
    from custbook.vault import WrongPassphrase

    vault.close()
    with pytest.raises(WrongPassphrase):
        unlock_book(book_path, PASSPHRASE)
    reopened = unlock_book(book_path, "新的口令")
    assert reopened.db.execute("SELECT count(*) FROM people WHERE name='after'").fetchone() == (1,)


def test_thousand_saves_use_distinct_keys_and_nonces(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=40, record_size=1024, params=TINY_KDF)
    passphrase_key = kdf.derive_key(PASSPHRASE, vault.header.meta.salt, TINY_KDF)
    data_keys, nonces = set(), set()
    record_count = 0
    for _ in range(1000):
        vault.save()
        book = parse_book(path.read_bytes())
        data_keys.add(
            AESGCM(passphrase_key).decrypt(book.wrap_nonce, book.wrapped_key, book.header[:73])
        )
        nonces.add(book.wrap_nonce)
        for record in book.records:
            nonces.add(record.nonce)
        record_count += len(book.records) + 1
    assert len(data_keys) == 1000
    assert len(nonces) == record_count


def test_record_size_bounds_the_records(tmp_path):
    path = tmp_path / "b.cbk"
    make_book(path, rows=200, record_size=512).close()
    book = parse_book(path.read_bytes())
    assert len(book.records) >= 8
    assert all(r.length <= 512 + 16 for r in book.records)
    assert book.records[-1].type == 0xFF
    assert HEADER_BYTES == 165


def test_end_record_carries_length(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=10, params=SMALL_KDF)
    image_length = len(vault.db.serialize())
    passphrase_key = kdf.derive_key(PASSPHRASE, vault.header.meta.salt, SMALL_KDF)
    book = parse_book(path.read_bytes())
    data_key = AESGCM(passphrase_key).decrypt(book.wrap_nonce, book.wrapped_key, book.header[:73])
    end = book.records[-1]
    aad = book.header[-32:] + struct.pack("<QBB", len(book.records) - 1, 0xFF, 1)
    payload = AESGCM(data_key).decrypt(end.nonce, end.ciphertext, aad)
    assert struct.unpack("<Q", payload[:8])[0] == image_length
