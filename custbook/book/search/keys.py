"""What a customer is found by: the text of its search row, its pinyin, its sort key.

Pinyin comes from pypinyin's per-character dictionary (`pinyin_dict`), every reading of
every character, not from its phrase mode. Why: search wants all readings anyway (曾 is
zeng and ceng, 单 shan and dan; a person types the one they know), the dictionary lookup
costs about 1 µs per name against about 40 µs for phrase segmentation here, and it is done
on every write of a customer. Phrase mode's one better guess is not worth 40× on 100,000
customers; the readings it would pick are among the ones indexed. Names are short, so the
combinations of readings stay few; they are capped all the same.

Two indexes hold these (index.py): words (names, pinyin forms, phone digits, email parts…)
for prefixes, and the plain text for substrings of three characters or more.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE


def _load_pinyin_dict() -> dict[int, str]:
    """pypinyin's per-character dictionary, read from its module file alone. Importing
    `pypinyin.pinyin_dict` runs the package's `__init__` first, which loads the phrase
    dictionaries this module never uses: 0.3 s of every command's start (0.07 s this way)."""
    package = importlib.util.find_spec("pypinyin")
    if package is None or not package.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    path = Path(package.submodule_search_locations[0]) / "pinyin_dict.py"
    spec = importlib.util.spec_from_file_location("custbook._pypinyin_dict", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pinyin_dict  # type: ignore[no-any-return]


pinyin_dict = _load_pinyin_dict()

_MAX_READINGS = 16  # combinations of heteronym readings kept per value
# The reading a surname takes, where it is not a character's first reading (曾 is céng in
# 曾经 but Zēng as a surname): only for sorting people by name.
_SURNAMES = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha",
    "盖": "ge", "区": "ou", "覃": "qin", "翟": "zhai", "乐": "yue", "秘": "bi",
    "缪": "miao", "句": "gou", "召": "shao", "种": "chong", "员": "yun", "重": "chong",
}  # fmt: skip


# Two-character words read otherwise than their characters' first readings (重庆 chong
# qing, 长沙 chang sha, 厦门 xia men), for sorting; made by tools/phrase_readings.py from
# pypinyin's phrase dictionary (which takes 2 s to load; this table, a millisecond).
_WORD_READINGS: dict[str, str] = json.loads(
    Path(__file__).with_name("phrase_readings.json").read_text(encoding="utf-8")
)


def normal(text: str) -> str:
    """The form both the index and the queries are in: NFKC (full-width to half-width),
    case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def is_han(char: str) -> bool:
    return ord(char) in pinyin_dict


@lru_cache(maxsize=8192)
def readings(char: str) -> tuple[str, ...]:
    """A character's readings without tones (ü as v, as people type it), or the character
    itself lowercased when it is not Chinese."""
    found = pinyin_dict.get(ord(char))
    if found is None:
        return (char.casefold(),)
    plain = []
    for reading in found.split(","):
        bare = unicodedata.normalize("NFKD", reading.replace("ü", "v"))
        text = "".join(c for c in bare if not unicodedata.combining(c))
        if text and text not in plain:
            plain.append(text)
    return tuple(plain) or (char,)


def pinyin_forms(text: str) -> tuple[str, ...]:
    """Full pinyin and initials of every combination of readings (capped), for a value
    holding Chinese: 张伟 → zhangwei, zw. Other characters are kept as they are."""
    if not any(is_han(c) for c in text):
        return ()
    # (maps, not comprehensions: every name written runs this, and bytecode is its cost)
    chars = "".join(normal(text).split())
    fulls = map("".join, _combinations(list(map(readings, chars))))
    initials = map("".join, _combinations(list(map(_initials, chars))))
    return tuple(dict.fromkeys(itertools.chain(fulls, initials)))


@lru_cache(maxsize=8192)
def _initials(char: str) -> tuple[str, ...]:
    """The first letters of a character's readings (曾: z, c), or the character itself."""
    if not is_han(char):
        return readings(char)
    return tuple(dict.fromkeys(reading[0] for reading in readings(char)))


def _combinations(choices: list[tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
    """Combinations of readings, the first characters' readings varied first: 长沙银行
    gives changsha… and zhangsha… before the readings of 行 (capped)."""
    backwards = itertools.product(*reversed(choices))
    return map(_BACKWARDS, itertools.islice(backwards, _MAX_READINGS))


_BACKWARDS = operator.itemgetter(slice(None, None, -1))


def sort_key(name: str, *, person: bool) -> str:
    """Where a name sorts: by pinyin (a two-character word as it is read, 重庆 chong qing;
    else each character's first reading; a person's surname by its surname reading), then
    by the name itself so equal readings stay apart. Other characters are words as written
    (Cindy Xie: cindy xie, between cai bin and cui), not a letter at a time."""
    chars = normal(name)
    spelled: list[str] = []
    index, end = 0, len(chars)
    if person and end and chars[0] in _SURNAMES:
        spelled.append(_SURNAMES[chars[0]])
        index = 1
    other = ""  # characters without pinyin since the last Chinese one (normal() casefolded)
    while index < end:
        char = chars[index]
        if ord(char) not in pinyin_dict:
            other += char
            index += 1
            continue
        spelled.extend(other.split())
        other = ""
        word = _WORD_READINGS.get(chars[index : index + 2])
        if word:
            spelled.extend(word.split(" "))
            index += 2  # both characters spelled
        else:
            spelled.append(readings(char)[0])
            index += 1
    spelled.extend(other.split())
    return " ".join(spelled) + "\x00" + chars


def words(values: Iterable[str | None]) -> str:
    """Values as one text for the words index (normalised, space-separated)."""
    return " ".join(normal(v) for v in values if v)


_TOKEN = re.compile(r"[^\W_]+")  # letters and digits: what FTS5's unicode61 keeps whole


def tokens(text: str) -> list[str]:
    """The words of normalised text, split on everything but letters and digits."""
    return _TOKEN.findall(text)


def marked(text: str, mark: str) -> str:
    """Each word of `text` behind its column group's mark (`n` 张伟 → `n张伟`), so one FTS5
    table keeps a doclist per group: a name query never walks every phone number."""
    found = text.split()
    if not "".join(found).isalnum():  # else its words are its tokens already: the usual
        found = tokens(text)  # case (names, pinyin), a third of the regex's time
    return mark + f" {mark}".join(found) if found else ""


def inner_starts(name: str) -> str:
    """The rest of a Chinese name from each of its characters after the first, as words:
    one character (伟) then finds the names holding it as the start of a word."""
    text = normal(name)
    return " ".join([text[i:] for i in range(1, len(text)) if ord(text[i]) in pinyin_dict])


def phone_forms(phones: Iterable[dict[str, str]]) -> Iterator[str]:
    """The digits of each number as typed (138-0013-8000 → 13800138000), its national
    number (without a trunk 0 or country code) and E.164 without the plus, so any run of
    its digits finds it and its start is a prefix."""
    for phone in phones:
        typed = "".join(filter(str.isdigit, normal(phone.get("typed", ""))))
        e164 = phone.get("e164", "")
        yield from dict.fromkeys(filter(None, (typed, _national(e164), e164.lstrip("+"))))


def _national(e164: str) -> str:
    """The national significant number of an E.164 number (+8613800138000 →
    13800138000): what follows its country code, as phonenumbers gives it (no leading
    zero), without parsing the number again (a stored number was parsed when typed)."""
    digits = e164.lstrip("+")
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in COUNTRY_CODE_TO_REGION_CODE:
            return digits[length:].lstrip("0")
    return ""
