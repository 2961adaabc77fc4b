"""Every change to a book file is caught and named; none is ever accepted."""

from __future__ import annotations

import random
import struct

import pytest

from custbook.vault import (
    BookDamaged,
    NewerVersion,
    NotACustbookFile,
    VaultError,
    WrongPassphrase,
    create_book,
    kdf,
    unlock_book,
)
from custbook.vault.format import BookMeta, seal_header, write_book
from tests.conftest import PASSPHRASE, TINY_KDF, make_book, make_book_with_a_broken_page
from tests.vault.layout import BODY, HEADER, parse_book

# Header regions (docs/FORMAT.md): which outcome a flipped byte there may give.
MAGIC = range(0, 8)
VERSION = range(8, 12)
SALT = range(25, 41)
WRAPPED_KEY = range(BODY + 12, BODY + 60)


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("tamper") / "b.cbk"
    make_book(path, rows=60, record_size=2048, params=TINY_KDF).close()
    data = path.read_bytes()
    assert len(parse_book(data).records) >= 8
    return data


def outcome(tmp_path, data: bytes) -> type[VaultError] | None:
    path = tmp_path / "t.cbk"
    path.write_bytes(data)
    try:
        unlock_book(path, PASSPHRASE).close()
    except VaultError as error:
        assert path.read_bytes() == data  # reading never changes the file
        return type(error)
    return None


def allowed(position: int) -> set[type[VaultError]]:
    if position in MAGIC:
        return {NotACustbookFile}
    if position in VERSION:
        return {NewerVersion, BookDamaged}
    if position in SALT or position in WRAPPED_KEY:
        return {BookDamaged, WrongPassphrase}
    return {BookDamaged}


def flipped(data: bytes, position: int, mask: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


def test_untouched_book_opens(tmp_path, small_book):
    assert outcome(tmp_path, small_book) is None


def test_every_header_byte_flipped_is_caught(tmp_path, small_book):
    for position in range(HEADER):
        for mask in (0x01, 0xFF):
            got = outcome(tmp_path, flipped(small_book, position, mask))
            assert got in allowed(position), (position, mask, got)


def test_magic_and_version_flips_are_named(tmp_path, small_book):
    assert outcome(tmp_path, flipped(small_book, 0, 0x20)) is NotACustbookFile
    assert outcome(tmp_path, flipped(small_book, 8, 0x02)) is NewerVersion  # major 1 -> 3
    assert outcome(tmp_path, flipped(small_book, 10, 0x01)) is NewerVersion  # minor 0 -> 1
    assert outcome(tmp_path, flipped(small_book, 8, 0x01)) is BookDamaged  # major 1 -> 0


def test_five_hundred_record_bytes_flipped_are_caught(tmp_path, small_book):
    rng = random.Random(20261125)
    positions = rng.sample(range(HEADER, len(small_book)), 500)
    for position in positions:
        got = outcome(tmp_path, flipped(small_book, position, rng.randrange(1, 256)))
        assert got is BookDamaged, (position, got)


def test_truncation_at_every_record_boundary(tmp_path, small_book):
    book = parse_book(small_book)
    cuts = [0, 4, 8, 11, HEADER - 1, HEADER] + [r.offset for r in book.records]
    cuts += [r.offset + 17 for r in book.records]  # header of a record without its body
    for cut in cuts:
        assert outcome(tmp_path, small_book[:cut]) is BookDamaged, cut


def test_truncation_at_random_points(tmp_path, small_book):
    rng = random.Random(7)
    for cut in rng.sample(range(HEADER, len(small_book)), 200):
        assert outcome(tmp_path, small_book[:cut]) is BookDamaged, cut


def rebuild(data: bytes, records: list[bytes]) -> bytes:
    return data[:HEADER] + b"".join(records)


def test_records_dropped_duplicated_swapped_or_appended(tmp_path, small_book):
    book = parse_book(small_book)
    raw = [r.raw(small_book) for r in book.records]
    end = raw[-1]
    variants = {
        "first dropped": raw[1:],
        "middle dropped": raw[:3] + raw[4:],
        "last chunk dropped": [*raw[:-2], end],
        "end dropped": raw[:-1],
        "duplicated": [*raw[:3], raw[2], *raw[3:]],
        "swapped": [raw[1], raw[0], *raw[2:]],
        "end moved first": [end, *raw[:-1]],
        "appended record": [*raw, raw[0]],
        "appended bytes": [*raw, b"\x00"],
        "appended end": [*raw, end],
    }
    for name, records in variants.items():
        assert outcome(tmp_path, rebuild(small_book, records)) is BookDamaged, name


def test_record_from_another_book_is_caught(tmp_path, small_book):
    other_path = tmp_path / "other.cbk"
    make_book(other_path, rows=60, record_size=2048, params=TINY_KDF).close()
    ours = parse_book(small_book)
    theirs = parse_book(other_path.read_bytes())
    raw = [r.raw(small_book) for r in ours.records]
    raw[2] = theirs.records[2].raw(other_path.read_bytes())
    assert outcome(tmp_path, rebuild(small_book, raw)) is BookDamaged


def test_record_from_an_older_save_of_the_same_book_is_caught(tmp_path):
    path = tmp_path / "b.cbk"
    vault = make_book(path, rows=60, record_size=2048, params=TINY_KDF)
    older = path.read_bytes()
    vault.save()
    vault.close()
    newer = path.read_bytes()
    raw = [r.raw(newer) for r in parse_book(newer).records]
    raw[1] = parse_book(older).records[1].raw(older)
    assert outcome(tmp_path, rebuild(newer, raw)) is BookDamaged


def test_unknown_record_type_is_caught(tmp_path, small_book):
    book = parse_book(small_book)
    assert outcome(tmp_path, flipped(small_book, book.records[1].offset, 0x40)) is BookDamaged


def test_valid_encryption_of_a_broken_database_is_damaged(tmp_path):
    """Everything authenticates, but the plaintext is not a SQLite database."""
    path = tmp_path / "b.cbk"
    key = kdf.derive_key(PASSPHRASE, b"s" * 16, TINY_KDF)
    meta = BookMeta(TINY_KDF, b"s" * 16, b"f" * 16, 1, 0)
    header, data_key = seal_header(meta, key)
    with open(path, "wb") as out:
        write_book(out, b"not a database " * 300, header, data_key, record_size=1024)
    with pytest.raises(BookDamaged):
        unlock_book(path, PASSPHRASE)


def test_corrupt_pages_fail_the_integrity_check(tmp_path):
    """The records authenticate and the database opens; SQLite's check finds the damage."""
    path = tmp_path / "b.cbk"
    make_book_with_a_broken_page(path)
    reopened = unlock_book(path, PASSPHRASE)
    with pytest.raises(BookDamaged, match="integrity check"):
        reopened.integrity_check()
    reopened.close()


def test_wrong_passphrase_is_not_damage(tmp_path, small_book):
    path = tmp_path / "b.cbk"
    path.write_bytes(small_book)
    with pytest.raises(WrongPassphrase):
        unlock_book(path, "not it")
    assert path.read_bytes() == small_book


def test_empty_and_foreign_files(tmp_path):
    assert outcome(tmp_path, b"") is BookDamaged
    assert outcome(tmp_path, b"CUSTBOOK") is BookDamaged
    assert outcome(tmp_path, b"SQLite format 3\x00" + bytes(100)) is NotACustbookFile
    assert outcome(tmp_path, b"\x89PNG\r\n") is NotACustbookFile


def test_header_checksum_rejects_before_the_kdf(tmp_path, small_book, monkeypatch):
    calls = []
    monkeypatch.setattr(kdf, "derive_key", lambda *a: calls.append(a) or b"0" * 32)
    assert outcome(tmp_path, flipped(small_book, 20, 0x01)) is BookDamaged
    assert calls == []


def test_create_refuses_existing_file(tmp_path, small_book):
    path = tmp_path / "b.cbk"
    path.write_bytes(small_book)
    from custbook.vault import BookExists

    with pytest.raises(BookExists):
        create_book(path, PASSPHRASE, params=TINY_KDF)
    assert path.read_bytes() == small_book


def test_header_layout_matches_the_documented_offsets(small_book):
    magic, major, minor, kdf_id, passes, memory, lanes = struct.unpack_from("<8sHHBIII", small_book)
    assert (magic, major, minor, kdf_id) == (b"CUSTBOOK", 1, 0, 1)
    assert (passes, memory, lanes) == (TINY_KDF.iterations, TINY_KDF.memory_kib, TINY_KDF.lanes)
