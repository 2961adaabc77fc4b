"""Shared fixtures: an isolated home for every test, small KDF parameters, book files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from custbook.vault import KdfParams, Vault, create_book, kdf

# Through the normal writer, but cheap: the real parameters run in one end-to-end test.
SMALL_KDF = KdfParams(iterations=1, memory_kib=8 * 1024, lanes=1)
TINY_KDF = KdfParams(iterations=1, memory_kib=64, lanes=1)  # for tests that open hundreds
PASSPHRASE = "correct horse 电池 staple"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """HOME, TMPDIR and the XDG folders inside a temp folder; no custbook variables."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith("CUSTBOOK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    for var, sub in [
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
    ]:
        monkeypatch.setenv(var, str(home / sub))
    tmp = home / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("LANGUAGE", "en")
    return home


@pytest.fixture
def small_kdf_default(monkeypatch: pytest.MonkeyPatch) -> KdfParams:
    """Make the small parameters the default, for commands that create or re-key books."""
    monkeypatch.setattr(kdf, "DEFAULT_PARAMS", SMALL_KDF)
    return SMALL_KDF


def make_book(
    path: Path, rows: int = 50, *, record_size: int = 1 << 20, params: KdfParams = SMALL_KDF
) -> Vault:
    """A saved book with a table of `rows` rows of mixed Chinese and English text."""
    vault = create_book(path, PASSPHRASE, params=params, record_size=record_size)
    vault.db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, note TEXT)")
    vault.db.executemany(
        "INSERT INTO people (name, note) VALUES (?, ?)",
        [(f"张伟{i}", f"note {i} 客户备注 " * 3) for i in range(rows)],
    )
    vault.db.commit()
    vault.save()
    return vault


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "books" / "book.cbk"
    make_book(path).close()
    return path


def run_cli_subprocess(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: str | None = None,
):
    """custbook in a fresh Python process, with the test's environment plus `env`."""
    import subprocess

    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "custbook", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,  # never a terminal
        timeout=120,
    )


def make_book_with_a_broken_page(path: Path) -> None:
    """A book whose records all authenticate and whose database opens, but whose page 3
    is broken: only SQLite's integrity check finds it. Backups of good states exist."""
    from custbook.vault.format import seal_header, write_book

    vault = make_book(path, rows=400, params=TINY_KDF)
    image = bytearray(vault.db.serialize())
    image[2 * 4096 + 1 : 2 * 4096 + 5] = b"\xff\xff\xff\xff"  # page 3's header
    key = kdf.derive_key(PASSPHRASE, vault.header.meta.salt, TINY_KDF)
    header, data_key = seal_header(vault.header.meta, key)
    vault.close()
    path.unlink()
    with open(path, "wb") as out:
        write_book(out, bytes(image), header, data_key)
