"""A crafted header cannot make unlock slow or hungry: caps apply before the KDF runs."""

from __future__ import annotations

import hashlib
import struct

import pytest

from custbook.vault import BookDamaged, kdf, unlock_book
from custbook.vault.kdf import MAX_WORK_KIB_PASSES, KdfParams
from tests.conftest import PASSPHRASE, TINY_KDF, make_book
from tests.vault.layout import HEADER


def with_params(data: bytes, passes: int, memory_kib: int, lanes: int) -> bytes:
    """The book with other KDF parameters and a recomputed header checksum, as an attacker
    who knows the format would write it."""
    header = bytearray(data[:HEADER])
    struct.pack_into("<III", header, 13, passes, memory_kib, lanes)
    header[-32:] = hashlib.sha256(bytes(header[:-32])).digest()
    return bytes(header) + data[HEADER:]


@pytest.fixture
def spy(monkeypatch):
    calls: list[KdfParams] = []
    real = kdf.derive_key

    def spying(passphrase, salt, params):
        calls.append(params)
        return real(passphrase, salt, params)

    monkeypatch.setattr(kdf, "derive_key", spying)
    return calls


@pytest.mark.parametrize(
    ("passes", "memory_kib", "lanes"),
    [
        (1, 4 << 20, 1),  # 4 GiB of memory
        (1000, 64, 1),  # a thousand passes
        (1, 64 * 255, 255),  # 255 lanes
        (16, 1 << 20, 4),  # each within its cap, the product far over
        (4, MAX_WORK_KIB_PASSES // 4 + 8, 1),  # just over the work cap
        (0, 64, 1),
        (1, 64, 0),
        (1, 7, 1),  # less memory than Argon2 allows
        (0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF),
    ],
)
def test_over_the_caps_is_refused_without_running_the_kdf(tmp_path, spy, passes, memory_kib, lanes):
    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    spy.clear()
    path.write_bytes(with_params(path.read_bytes(), passes, memory_kib, lanes))
    with pytest.raises(BookDamaged, match="key derivation"):
        unlock_book(path, PASSPHRASE)
    # The KDF may run for the backups it looks at to suggest a restore, never for this file.
    assert KdfParams(passes, memory_kib, lanes) not in spy
    assert all(params.problem() is None for params in spy)


def test_refused_before_the_kdf_when_there_are_no_backups(tmp_path, spy):
    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    import shutil

    shutil.rmtree(tmp_path / "backups")
    spy.clear()
    path.write_bytes(with_params(path.read_bytes(), 1, 4 << 20, 1))
    with pytest.raises(BookDamaged, match="key derivation"):
        unlock_book(path, PASSPHRASE)
    assert spy == []


def test_within_the_caps_the_kdf_runs_and_the_passphrase_decides(tmp_path, spy):
    """Changed-but-legal parameters reach the KDF, whose key then fails to unwrap."""
    from custbook.vault import WrongPassphrase

    path = tmp_path / "b.cbk"
    make_book(path, params=TINY_KDF).close()
    spy.clear()
    path.write_bytes(with_params(path.read_bytes(), 2, 64, 1))
    with pytest.raises(WrongPassphrase):
        unlock_book(path, PASSPHRASE)
    assert spy == [KdfParams(2, 64, 1)]


def test_default_parameters_are_rfc9106_second_recommendation():
    assert KdfParams(iterations=3, memory_kib=65536, lanes=4) == kdf.DEFAULT_PARAMS
    assert kdf.DEFAULT_PARAMS.problem() is None
