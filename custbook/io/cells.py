"""One cell into a clean value: full-width to half-width (NFKC) and trimmed text; dates
typed every way Excel users type them, Excel date cells and serial numbers; amounts in
integer minor units; several phones in one cell.

Each function takes a Checker and never raises: a value it cannot read is a problem on
the checker (naming the field, the value and why), and None.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from custbook.book.money import Money
from custbook.book.validation import Checker, Phone, valid_cn_mobile
from custbook.i18n import _
from custbook.io.sources import Cell

_HALF_WIDTH = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},  # ０-９
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},  # Ａ-Ｚ
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},  # ａ-ｚ
    0x3000: 0x20,  # the ideographic space
    0xFF20: 0x40,  # ＠
    0xFF0E: 0x2E,  # ．
}
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIALS = range(1, 2_958_466)  # 1900-01-01 to 9999-12-31, as Excel counts days
_COMPACT = re.compile(r"^([12][0-9]{3})([01][0-9])([0-3][0-9])$")  # 20230520
_YEAR_LAST = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$")  # 3/5/2023
_NO_YEAR = re.compile(r"^--([0-9]{2})-?([0-9]{2})$")  # vCard 4: --0305
_FORMULA_START = ("=", "+", "-", "@")
_NO_DATE = re.compile(r"^[0/.-]+$")  # Outlook writes 0/0/00 for no birthday, MySQL 0000-00-00
_PHONE_SPLIT = re.compile(r"[;,，；、/|\n]+|:::")
_REMARK = re.compile(r"[(（][^()（）]*[)）]")  # 13800000004(周总): the words stay in the typed form
_PHONE_LABEL = re.compile(r"^\s*[^\d+(（]{0,8}[:：]\s*")  # 手机：, Tel:, 办公:


def text(cell: Cell) -> str | None:
    """A cell as text: full-width letters, digits and spaces made half-width (ＡＢＣ１２３
    is ABC123), Chinese punctuation kept as typed (（）：，are right in Chinese text),
    NFC, trimmed; numbers without a stray .0. Each field's own checks read phones, dates
    and amounts in NFKC besides."""
    if type(cell) is str:  # most cells: no need to ask what else they might be
        return _clean_text(cell)
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        cell = int(cell)
    if isinstance(cell, datetime.datetime):
        return cell.isoformat(sep=" ", timespec="minutes").removesuffix(" 00:00")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return _clean_text(str(cell))


def _clean_text(raw: str) -> str | None:
    """`text` of text (ASCII has nothing to make half-width or compose)."""
    shown = raw if raw.isascii() else unicodedata.normalize("NFC", raw.translate(_HALF_WIDTH))
    shown = shown.replace("\r\n", "\n").strip()
    if shown[:1] == "'" and shown[1:2] in _FORMULA_START:  # custbook's CSV guard (export)
        shown = shown[1:]
    return shown or None


def date(checker: Checker, field: str, cell: Cell, *, birthday: bool = False) -> str | None:
    """ISO 2023-01-01 from a date cell, an Excel serial, 2023-01-01, 2023/3/5, 2023.3.5,
    2023年4月18日, 20230520, or month/day/year (English exports put the year last)."""
    if isinstance(cell, datetime.datetime | datetime.date):
        day = cell.date() if isinstance(cell, datetime.datetime) else cell
        return checker.date(field, day.isoformat())
    typed = text(cell)
    if typed is None or _NO_DATE.match(typed):
        return None
    typed = typed.split(" ")[0] if re.match(r"^\S+ [0-9]{1,2}:[0-9]{2}", typed) else typed
    if match := _COMPACT.match(typed):
        typed = "-".join(match.groups())
    elif isinstance(cell, int | float) or (typed.isdigit() and len(typed) <= 5):
        return _serial(checker, field, typed)
    elif match := _YEAR_LAST.match(typed):
        month, day_of_month, year = match.groups()
        typed = f"{year}-{month}-{day_of_month}"
    elif birthday and (match := _NO_YEAR.match(typed)):
        typed = "-".join(match.groups())
    return checker.birthday(field, typed) if birthday else checker.date(field, typed)


def _serial(checker: Checker, field: str, typed: str) -> str | None:
    try:
        days = int(Decimal(typed))
    except ArithmeticError:
        days = -1
    if days not in _SERIALS:
        checker.problem(field, typed, _("is not a date like 2024-03-05"))
        return None
    return checker.date(field, (_EXCEL_EPOCH + datetime.timedelta(days=days)).isoformat())


def amount(checker: Checker, field: str, cell: Cell, currency: str) -> Money | None:
    """Money of ¥1,250.50, 3000元, 2,000, 1500.00, 1.2万, USD 12.50 or a number cell;
    None (with a problem) for what is no amount."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        cell = format(Decimal(str(cell)), "f")
    return checker.amount(field, text(cell), currency)


def phones(checker: Checker, field: str, cell: Cell) -> list[Phone]:
    """Every phone in a cell: split on ; , / 、 and new lines, and on spaces when each
    piece is a number of its own (139 0013 9000 is one number; two mobiles with a space
    between are two). A label before a colon (手机：) is dropped."""
    typed = text(cell)
    if typed is None:
        return []
    if (e164 := valid_cn_mobile(typed, checker.region)) is not None:
        return [Phone(typed, e164)]  # one mobile, as most cells hold: nothing to split
    found: list[Phone] = []
    for part in _PHONE_SPLIT.split(typed):
        part = _PHONE_LABEL.sub("", part).strip()
        bare = _REMARK.sub(" ", part).strip()
        if not bare:
            continue
        whole = Checker(region=checker.region)
        one = whole.phone(field, bare)
        if one is not None:
            found.append(Phone(part, one.e164, one.extension))
            continue
        part = bare
        pieces = part.split()
        alone = Checker(region=checker.region)
        each = [alone.phone(field, piece) for piece in pieces]
        if len(pieces) > 1 and not alone.problems:
            found += [p for p in each if p is not None]
        else:
            checker.problems += whole.problems
    unique = {(p.e164, p.extension): p for p in reversed(found)}
    return [p for p in found if unique[(p.e164, p.extension)] is p]
