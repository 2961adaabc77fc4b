"""Book files written by earlier versions keep opening (KeePassXC keeps testFormat400)."""

from __future__ import annotations

import shutil

from custbook.vault import unlock_book
from tests.fixtures.make_fixtures import FIXTURE, PASSPHRASE, ROWS


def test_format_1_0_fixture_opens(tmp_path):
    copy = tmp_path / FIXTURE.name
    shutil.copyfile(FIXTURE, copy)
    vault = unlock_book(copy, PASSPHRASE)
    assert vault.header.version == (1, 0)
    assert vault.db.execute("SELECT id, name, city FROM people ORDER BY id").fetchall() == ROWS
    vault.integrity_check()
