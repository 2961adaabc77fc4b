"""Write custbook/book/search/phrase_readings.json: the two-character words whose reading
differs from their characters' first readings (重庆 is chong qing, not zhong qing; 长沙
chang sha, not zhang sha), from pypinyin's phrase dictionary.

    uv run python tools/phrase_readings.py

keys.sort_key reads the file so lists sort 重庆 under C. The whole phrase dictionary
takes 2 s and 50 MiB to load; this table of about 1,400 words is 28 KB.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from pypinyin.phrases_dict import phrases_dict

from custbook.book.search import keys

TARGET = Path(__file__).resolve().parent.parent / "custbook/book/search/phrase_readings.json"


def plain(reading: str) -> str:
    """A reading without tones, ü as v (as keys.readings gives them)."""
    bare = unicodedata.normalize("NFKD", reading.replace("ü", "v"))
    return "".join(c for c in bare if not unicodedata.combining(c))


def table() -> dict[str, str]:
    found = {}
    for word, readings in sorted(phrases_dict.items()):
        if len(word) != 2 or not all(keys.is_han(c) for c in word):
            continue
        if any(len(choices) > 1 for choices in readings):  # 朝阳: zhao or chao, not a rule
            continue
        theirs = [plain(choices[0]) for choices in readings]
        if theirs != [keys.readings(c)[0] for c in word]:
            found[word] = " ".join(theirs)
    return found


def main() -> None:
    words = table()
    TARGET.write_text(
        json.dumps(words, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(words)} words to {TARGET}")


if __name__ == "__main__":
    main()
