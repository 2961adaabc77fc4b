"""Merge a dict of translations into a catalog: python tools/translate_merge.py FILE.py zh_CN

FILE.py defines T = {"English": "译文"}; existing translations are kept unless T has one."""

from __future__ import annotations

import runpy
import sys

from babel.messages.pofile import write_po

from tools.i18n import load_po, po_path


def main(source: str, language: str) -> None:
    translations = runpy.run_path(source)["T"]
    catalog = load_po(language)
    for message in catalog:
        if message.id in translations:
            message.string = translations[message.id]
    with po_path(language).open("wb") as out:
        write_po(out, catalog, width=100, ignore_obsolete=True)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{language}: {len(missing)} untranslated", *missing, sep="\n  ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
