"""Keep the translation catalogs in step with the code (Babel).

    uv run python tools/i18n.py update    # extract _() strings, merge into every .po
    uv run python tools/i18n.py compile   # write the .mo files the package loads

tests/test_i18n.py fails when a string has no Simplified Chinese translation or a .mo is
out of date, so run both after changing user-facing text.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "custbook"
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "custbook"
LANGUAGES = ["zh_CN"]


def extracted() -> Catalog:
    catalog = Catalog(project="custbook", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords={"_": None}
    ):
        catalog.add(
            message,
            locations=[(f"custbook/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_po(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="custbook", charset="utf-8")
    with path.open("rb") as source:
        return read_po(source, locale=language)


def mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update() -> None:
    template = extracted()
    for language in LANGUAGES:
        catalog = load_po(language)
        catalog.update(template, no_fuzzy_matching=True)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, ignore_obsolete=True)
        untranslated = [m.id for m in catalog if m.id and not m.string]
        print(f"{language}: {len(untranslated)} untranslated")


def compile_all() -> None:
    for language in LANGUAGES:
        path = po_path(language).with_suffix(".mo")
        path.write_bytes(mo_bytes(load_po(language)))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    {"update": update, "compile": compile_all}[sys.argv[1]]()
