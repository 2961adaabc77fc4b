"""The lower layers never load Textual (harlequin checks the same): the CLI starts fast,
and vault/ and book/ stay usable without a screen."""

from __future__ import annotations

import subprocess
import sys

import pytest


def runs_clean(code: str) -> None:
    """`code` exits 0 in a fresh interpreter (whatever it printed shows otherwise)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "module", ["custbook.vault", "custbook.book", "custbook.cli", "custbook.io"]
)
def test_module_does_not_import_textual(module):
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    runs_clean(code)


def test_vault_does_not_import_the_cli_or_book():
    code = (
        "import sys, custbook.vault\n"
        "above = ('custbook.cli', 'custbook.book', 'click', 'rich')\n"
        "bad = [m for m in sys.modules if m.startswith(above)]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    runs_clean(code)


def test_a_search_worker_does_not_load_the_services():
    """A worker computing search rows imports custbook.book.search.index: loading every
    service with it doubled a worker's start (an import's 10,000 rows wait for it)."""
    code = (
        "import sys, custbook.workers, custbook.book.search.index\n"
        "loaded = [m for m in ('custbook.book.book', 'custbook.book.customers') if m in sys.modules]\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    runs_clean(code)


def test_the_book_package_still_hands_out_its_names_and_modules():
    code = (
        "import custbook.book as book\n"
        "assert book.Book.__name__ == 'Book' and 'Book' in dir(book)\n"
        "assert book.validation.Checker and book.search.index.TABLES\n"
        "try:\n"
        "    book.no_such_thing\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    runs_clean(code)
