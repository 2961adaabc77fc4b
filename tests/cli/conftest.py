"""A real encrypted book and custbook in a real process, for the command tests."""

from __future__ import annotations

import pytest

from tests.conftest import PASSPHRASE, make_book, run_cli_subprocess


@pytest.fixture
def book_file(tmp_path):
    path = tmp_path / "book.cbk"
    make_book(path, rows=0).close()
    return path


def custbook(book_file, *args):
    return run_cli_subprocess(
        list(args), env={"CUSTBOOK_BOOK": str(book_file), "CUSTBOOK_PASSPHRASE": PASSPHRASE}
    )
