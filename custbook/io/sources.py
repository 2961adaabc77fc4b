"""Reading a file into rows of cells: CSV in any encoding Excel or a phone writes, XLSX
(typed cells: dates and numbers as they are), and vCard 3 and 4 (turned into rows with
English headers, so one mapping serves every format).

Nothing here decides what a cell means; headers.py and cells.py do.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import csv
import datetime
import io
import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from custbook.errors import InvalidInput
from custbook.i18n import _

Cell = str | int | float | datetime.datetime | datetime.date | datetime.time | bool | None
_MAX_BYTES = 200 * 1024 * 1024
# What charset-normalizer names a Chinese file: read it as GB18030, which holds them all.
_CHINESE = {"gb2312", "gbk", "cp936", "gb18030", "hz"}


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Cell]]  # row i is the file's row i + 1 (as Excel numbers it)


def read(path: Path, *, encoding: str | None = None) -> list[Sheet]:
    """Every sheet of the file (one for CSV and vCard)."""
    suffix = path.suffix.casefold()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return _workbook(path)
        data = path.read_bytes()
        _refuse_other_kinds(path, data)
    except OSError as error:
        raise InvalidInput(
            _("Cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    if len(data) > _MAX_BYTES:
        raise InvalidInput(_("{path} is larger than 200 MB.").format(path=path))
    text = decode(data, encoding, path)
    if suffix in (".vcf", ".vcard") or text.lstrip().upper().startswith("BEGIN:VCARD"):
        return [_vcards(text, path)]
    return [Sheet(path.name, _csv_rows(text))]


def _refuse_other_kinds(path: Path, data: bytes) -> None:
    """Clear words for files that are no CSV or vCard: empty, an old workbook or a zip
    (xlsx, docx…) under another name."""
    if not data.strip():
        raise InvalidInput(_("{path} is empty.").format(path=path.name))
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Excel 97-2003 (.xls), old Word
        raise InvalidInput(
            _(
                "{path} is an old Office file: if it is an Excel workbook, name it .xls to "
                "import it."
            ).format(path=path.name)
        )
    if data.startswith(b"PK\x03\x04"):
        if b"xl/workbook" in data[:65536] or b"xl/" in data[:2048]:
            raise InvalidInput(
                _("{path} is an Excel workbook: name it .xlsx to import it.").format(path=path.name)
            )
        raise InvalidInput(
            _("{path} is not a spreadsheet: import XLSX, CSV or vCard (.vcf).").format(
                path=path.name
            )
        )


def decode(data: bytes, encoding: str | None, path: Path) -> str:
    """The text of a file: as `encoding` when given, else UTF-8 (with or without BOM),
    UTF-16 with BOM, or what charset-normalizer finds (GBK read as GB18030)."""
    if encoding:
        return _decoded_as(data, encoding, path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decoded_as(data, "UTF-16", path)  # its byte-order mark says so
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on a Chinese Windows saves CSV as GBK. On a few short lines charset-normalizer
    # can take that for Korean (cp949): a file that reads as GB18030 into Chinese and
    # ASCII is taken as GB18030 first.
    with contextlib.suppress(UnicodeDecodeError):
        text = data.decode("gb18030")
        if _reads_as_chinese(text):
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InvalidInput(
            _("Cannot tell the encoding of {path}; name it with --encoding (e.g. gbk).").format(
                path=path.name
            )
        )
    name = best.encoding.casefold().replace("-", "").replace("_", "")
    return data.decode("gb18030") if name in _CHINESE else str(best)


def _decoded_as(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise InvalidInput(
            _("--encoding {encoding}: no such encoding").format(encoding=encoding)
        ) from None
    except UnicodeDecodeError as error:
        raise InvalidInput(
            _("{path} is not {encoding}: byte {at} cannot be read").format(
                path=path.name, encoding=encoding, at=error.start
            )
        ) from None


def _reads_as_chinese(text: str) -> bool:
    """Nearly all ASCII, common Chinese characters and Chinese punctuation."""
    if not text:
        return False
    usual = sum(
        1
        for c in text
        if c.isascii() or "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef"
    )  # fmt: skip
    return usual >= 0.98 * len(text)


def _csv_rows(text: str) -> list[list[Cell]]:
    """Records as Excel shows them: a quoted cell may span lines; CRLF or LF."""
    sample = text[:20_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    if dialect.delimiter not in ",\t;|":
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return [list(row) for row in reader]
    except csv.Error as error:
        raise InvalidInput(
            _("The file is not readable as CSV near row {row}: {reason}").format(
                row=reader.line_num, reason=error
            )
        ) from None


def _workbook(path: Path) -> list[Sheet]:
    """Every worksheet of an XLSX or an old .xls (Excel 97-2003), from A1, by calamine (a
    Rust reader: 100,000 rows in about 1.5 s where openpyxl's read-only mode takes 18 s);
    cells as openpyxl gives them (None for empty, whole numbers as int), merged ranges
    filled. An error cell (#N/A) is empty."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise _unreadable(path, error) from None
    sheets = []
    try:
        for index, about in enumerate(book.sheets_metadata):
            if about.typ != SheetTypeEnum.WorkSheet:
                continue  # a chart or dialog sheet: no cells to import
            try:
                sheet = book.get_sheet_by_index(index)
                ranges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or ()]
            except CalamineError as error:  # a damaged sheet is said, never passed over
                raise _unreadable(path, f"{about.name}: {error}") from None
            try:
                rows = [[_cell(c) for c in row] for row in sheet.to_python(skip_empty_area=False)]
            except (OverflowError, ValueError) as error:  # a duration of millions of hours
                if path.suffix.casefold() == ".xls":  # openpyxl cannot read these
                    raise _unreadable(path, f"{about.name}: {error}") from None
                rows = _sheet_by_openpyxl(path, about.name)
            _fill_merged(rows, ranges)
            sheets.append(Sheet(about.name, rows))
    finally:
        book.close()
    return sheets


def _unreadable(path: Path, reason: object) -> InvalidInput:
    return InvalidInput(
        _("{path} is not a readable Excel workbook ({reason}).").format(
            path=path.name, reason=reason
        )
    )


def _cell(value: object) -> Cell:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # type: ignore[return-value]  # str, float, bool, date, datetime, time


def _sheet_by_openpyxl(path: Path, name: str) -> list[list[Cell]]:
    """One sheet by openpyxl, slower but never stopped by a value calamine cannot turn
    into a Python one (it gives those as #VALUE!, which the row's notes then keep)."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():  # its warnings quote cells: a customer's on stderr
        warnings.simplefilter("ignore")
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(row) for row in book[name].iter_rows(values_only=True)]
        finally:
            book.close()


def _fill_merged(rows: list[list[Cell]], ranges: list[tuple[int, int, int, int]]) -> None:
    """Each cell of a merged range takes the range's value, as a person sees it: a
    客户名称 merged down over three order rows names all three. A title merged across
    one row stays one title."""
    for first_row, first_col, last_row, last_col in ranges:
        if first_row >= len(rows) or first_row == last_row:
            continue
        value = rows[first_row][first_col] if first_col < len(rows[first_row]) else None
        for row in rows[first_row : last_row + 1]:
            row.extend([None] * (last_col + 1 - len(row)))
            for col in range(first_col, last_col + 1):
                row[col] = value


VCARD_HEADERS = (
    "Name", "Family Name", "Given Name", "Organization", "Department", "Title", "Phone",
    "Email", "Birthday", "Address", "Website", "Categories", "Notes",
)  # fmt: skip


# Properties read into VCARD_HEADERS, and those that hold no customer data (the card's
# own bookkeeping, pictures and keys, a label's own line); any other becomes a column of
# its own (a custom field), so nothing a card says is lost.
_CARD_READ = {"fn", "n", "org", "title", "tel", "email", "bday", "adr", "url", "categories",
              "note", "label"}  # fmt: skip
# (A name's phonetic spelling too: custbook spells every name in pinyin itself.)
_CARD_SKIPPED = {"version", "prodid", "uid", "rev", "photo", "logo", "sound", "key",
                 "x-addressing-grammar",
                 "x-ablabel", "x-abuid", "x-abshowas", "x-abadr", "clientpidmap", "kind",
                 "source", "x-imagetype", "x-imagehash", "x-shareddisplaypref",
                 "x-phonetic-first-name", "x-phonetic-middle-name", "x-phonetic-last-name",
                 "x-phonetic-org", "sort-string", "x-ms-cardpicture", "x-ms-ol-design",
                 "x-ms-ol-default-postal-address"}  # fmt: skip
# Readable columns for the common ones ("Date" would be read as an order's date, and
# "Gender" is skipped as the noise of Outlook's exports)
_CARD_COLUMNS = {"nickname": "Nickname", "impp": "IM", "x-abdate": "Dates", "role": "Role",
                 "anniversary": "Anniversary", "gender": "Sex", "x-socialprofile":
                 "Social profile", "x-abrelatednames": "Related", "related": "Related"}  # fmt: skip


def _vcards(text: str, path: Path) -> Sheet:
    """One row per card, under VCARD_HEADERS and a column for each other property the
    cards have; several phones or emails in one cell."""
    import vobject

    # It prints each line it cannot read to stderr, line and all: a customer's data
    logging.getLogger("vobject.base").disabled = True
    cards: list[tuple[list[Cell], dict[str, str]]] = []
    try:
        with _VOBJECT, _commas_kept():
            for card in vobject.readComponents(_without_pictures(text), ignoreUnreadable=True):
                if card.name.upper() == "VCARD":
                    cards.append((_card_row(card), _card_extras(card)))
    except Exception as error:  # vobject raises its own ParseError and others on bad input
        raise InvalidInput(
            _("{path}: a vCard cannot be read after card {count} ({reason}).").format(
                path=path.name, count=len(cards), reason=error
            )
        ) from None
    extra = list(dict.fromkeys(name for _row, extras in cards for name in extras))
    rows: list[list[Cell]] = [[*VCARD_HEADERS, *extra]]
    rows += [[*row, *(extras.get(name, "") for name in extra)] for row, extras in cards]
    return Sheet(path.name, rows)


_VOBJECT = threading.Lock()  # one reading at a time: _commas_kept patches vobject


@contextmanager
def _commas_kept() -> Iterator[None]:
    """While reading: a text value whole. vobject keeps only its first comma-separated
    part (FN:Lee, Bob gives Lee; vCard 2.1 never escapes its commas, and a NOTE or an
    X-QQ:123,456 lost the rest); here the parts are joined again, unescaped."""
    from vobject.icalendar import stringToTextValues
    from vobject.vcard import VCardTextBehavior

    original = VCardTextBehavior.__dict__["decode"]

    def decode(cls: type, line: Any) -> None:
        binary = getattr(line, "encoding_param", None) or "BASE64" in line.singletonparams
        if not line.encoded or binary:
            original.__func__(cls, line)
            return
        line.value = ",".join(stringToTextValues(line.value))
        line.encoded = False

    VCardTextBehavior.decode = classmethod(decode)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        VCardTextBehavior.decode = original  # type: ignore[method-assign]


# A picture, sound or key (Outlook's card picture too): no customer data, and one badly
# encoded stopped vobject's reading of the whole file. Any other value in base64 is text
# (a name, a note): decoded here, so vobject reads it as text.
_PICTURE = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY|X-MS-CARDPICTURE)[;:]", re.IGNORECASE)
# A content line's name (ASCII, with its group) and parameters, up to the colon before
# its value (a quoted parameter value may hold a colon or a semicolon); 备注:… is none
_HEAD = re.compile(
    r'(?P<name>(?:[A-Za-z0-9_-]+\.)?[A-Za-z0-9_-]+)(?P<params>(?:;(?:[^;:"\r\n]|"[^"\r\n]*")*)*):'
)
_PARAM = re.compile(r';((?:[^;"]|"[^"]*")*)')
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]*")
_BASE64_PARAMS = {"ENCODING=B", "ENCODING=BASE64", "BASE64"}


def _without_pictures(text: str) -> str:
    """The cards without their pictures, sounds and keys; their other base64 values as
    text (`_base64_text`); a line that is no property (a note's second line, written
    unfolded) kept as a new line of the value before it. A base64 value goes on in its
    folded lines (starting with a space) and, in vCard 2.1, in the base64 lines after."""
    kept: list[str] = []
    value: list[str] = []  # the lines of the base64 value being read
    picture = legacy = False  # the value is a picture's (passed over); a 2.1 card
    joinable = False  # a line that is no property may go on the last value kept
    for line in text.splitlines(keepends=True):
        folded, bare = line[:1] in (" ", "\t"), line.strip()
        if value and _goes_on(line, folded, bare, picture=picture, legacy=legacy):
            value.append(line)
            continue
        if value and not picture:
            kept.append(decoded := _base64_text(value))
            joinable = joinable and bool(decoded)  # left out: nothing to go on
        value, picture = [], False
        head = None if folded else _HEAD.match(line)
        if head is None and not folded and bare:
            if joinable:  # folded on: the escaped new line is the value's
                kept.append(" \\n" + bare.replace("\\", "\\\\") + "\r\n")
            continue  # (else nothing to join: vobject would pass over it too)
        if head is not None and _PICTURE.match(line):
            value, picture = [line], True
        elif head is not None and _BASE64_PARAMS & _params_of(head):
            value = [line]
        else:
            kept.append(line)
        if head is not None:
            name = head["name"].upper()
            joinable = _joins(name, head["params"]) and not picture
            legacy = line[head.end() :].strip() == "2.1" if name == "VERSION" else legacy
    if value and not picture:
        kept.append(_base64_text(value))
    return "".join(kept)


def _goes_on(line: str, folded: bool, bare: str, *, picture: bool, legacy: bool) -> bool:
    """Whether `line` continues the base64 value before it: folded, or blank, or (a
    picture's, or in vCard 2.1) a line of base64 alone."""
    if folded or not bare:
        return True
    if picture:
        return ":" not in line  # base64 has no colon: as before, whatever else it holds
    return legacy and bool(_BASE64_LINE.fullmatch(bare))


def _joins(name: str, params: str) -> bool:
    """Whether a line that is no property may go on the value of property `name`: not
    BEGIN, END or VERSION; not quoted-printable (whose soft line breaks vobject joins
    itself)."""
    return name not in ("BEGIN", "END", "VERSION") and "QUOTED-PRINTABLE" not in params.upper()


def _params_of(head: re.Match[str]) -> set[str]:
    """A property's parameters, upper case, spaces and quotes taken out."""
    return {_plain(param).upper() for param in _PARAM.findall(head["params"])}


def _plain(param: str) -> str:
    return re.sub(r'[\s"]', "", param)


def _base64_text(lines: list[str]) -> str:
    """A base64 property's lines as one line of text, when they hold text: decoded in
    the CHARSET the property names if Python knows it, else as UTF-8, else as GB18030.
    Anything else (a binary value, a damaged one) is left out, as a picture is."""
    head = _HEAD.match(lines[0])
    assert head is not None  # only such lines start one
    unfolded = (line[1:] if line[:1] in (" ", "\t") else line for line in lines[1:])
    raw = "".join("".join(line.split()) for line in [lines[0][head.end() :], *unfolded])
    found = _PARAM.findall(head["params"])
    params = [p for p in found if not _is_coding(p)]
    try:
        data = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except ValueError:  # binascii.Error: not base64
        return ""
    value = _decoded_text(data, next(filter(None, map(_charset, found)), None))
    if value is None:
        return ""
    lines_of = value.replace("\r\n", "\n").replace("\r", "\n")
    escaped = lines_of.replace("\\", "\\\\").replace("\n", "\\n")  # vCard's text escapes
    return "".join([head["name"], *(f";{p}" for p in params), ":", escaped, "\r\n"])


def _is_coding(param: str) -> bool:
    """ENCODING and CHARSET: what the decoded text no longer needs."""
    plain = _plain(param).upper()
    return plain in _BASE64_PARAMS or plain.startswith("CHARSET=")


def _charset(param: str) -> str | None:
    plain = _plain(param)
    return plain[8:] if plain.upper().startswith("CHARSET=") else None


# What a charset name means for bytes in a card: UTF-16 without a byte-order mark is
# big-endian (RFC 2781), UCS-2 is its older name, and Latin-1 labels Windows-1252 text
# (as browsers read it: its “quotes” would be control characters otherwise)
_CHARSETS = {"utf-16": "utf-16-be", "utf16": "utf-16-be", "ucs-2": "utf-16-be",
             "ucs2": "utf-16-be", "utf-32": "utf-32-be", "utf32": "utf-32-be",
             "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252"}  # fmt: skip
_BOMS = (codecs.BOM_UTF32_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE)


def _decoded_text(data: bytes, charset: str | None) -> str | None:
    """`data` as text, or None when it is not: it does not decode, or holds control
    characters no text has (a binary value: a NUL decodes in any one-byte charset).
    A C string's closing NULs go first; a vertical tab (Word's line break) is a new
    line."""
    named = (charset or "").casefold()
    if named in _CHARSETS and not data.startswith(_BOMS):
        named = _CHARSETS[named]
    for encoding in dict.fromkeys(filter(None, (named, "utf-8", "gb18030"))):
        try:
            text = data.decode(encoding).rstrip("\x00").replace("\x0b", "\n")
        except (LookupError, UnicodeDecodeError):  # a charset Python does not know too
            continue
        if not _CONTROL.search(text):
            return text
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


Labels = dict[str, tuple[str, bool]]


def _labels(card: object) -> Labels:
    """The label of each group of lines (item1.X-ABLabel:工厂), as an iPhone writes
    them, by group (in any case), and whether it is one of Apple's own (_$!<Mobile>!$_)."""
    found = {}
    for line in getattr(card, "contents", {}).get("x-ablabel", []):
        label = _text(line.value)
        if line.group and label:
            plain = label.removeprefix("_$!<").removesuffix(">!$_")
            found[line.group.casefold()] = (plain, label.startswith("_$!<"))
    return found


def _label_of(line: Any, labels: Labels) -> tuple[str, bool] | None:
    return labels.get(line.group.casefold()) if line.group else None


# What would split a phone cell or be read as a remark inside a phone's label
_PHONE_CELL_MARKS = re.compile(r"[;,，；、/|:：()（）\n]+")
_LABEL_MARKS = re.compile(r"[;()（）\n]+")  # what would end a label's brackets or its value


def _card_extras(card: object) -> dict[str, str]:
    """The card's other properties by column: values of one joined by "; ", each with
    its label."""
    labels = _labels(card)
    found: dict[str, list[str]] = {}
    for key, lines in getattr(card, "contents", {}).items():
        if key == "email":  # the Email column holds addresses alone: a label is kept here
            found[_EMAIL_LABELS] = [
                f"{_text(line.value)} ({label})"
                for line in lines
                if _text(line.value) and (label := _custom_label(line, labels))
            ]
        if key in _CARD_READ or key in _CARD_SKIPPED:
            continue
        column = _CARD_COLUMNS.get(key, key.upper())
        for line in lines:
            value = "" if isinstance(line.value, bytes) else _text(line.value)
            label = _label_of(line, labels)
            if value:
                found.setdefault(column, []).append(f"{value} ({label[0]})" if label else value)
    return {column: "; ".join(values) for column, values in found.items() if values}


_EMAIL_LABELS = "Email labels"


def _custom_label(line: Any, labels: Labels) -> str:
    """A line's label when its owner typed it (工厂), not one of Apple's own (Work)."""
    label = _label_of(line, labels)
    return label[0] if label and not label[1] else ""


def _card_row(card: object) -> list[Cell]:
    labels = _labels(card)

    def lines(key: str) -> list[Any]:
        return list(getattr(card, "contents", {}).get(key, []))

    def values(key: str) -> list[object]:
        return [line.value for line in lines(key)]

    def labelled(key: str, read: Callable[[object], str], marks: re.Pattern[str]) -> str:
        """Each value with the label its owner gave it, as typed: 138 0013 8000 (工厂),
        科技园南路1号 深圳市 (仓库); `marks` are what the label may not hold there."""
        found = []
        for line in lines(key):
            words = " ".join(marks.sub(" ", _custom_label(line, labels)).split())
            if value := read(line.value):
                found.append(f"{value} ({words})" if words else value)
        return "; ".join(found)

    def joined(key: str, separator: str = "; ") -> str:
        return separator.join(_text(v) for v in values(key) if _text(v))

    names = values("n")
    family = _text(getattr(names[0], "family", "")) if names else ""
    given = _text(getattr(names[0], "given", "")) if names else ""
    org = values("org")
    units = [_text(u) for u in org[0]] if org and isinstance(org[0], list) else []
    # LABEL is ADR formatted for print: read only from a card that has no ADR
    address = labelled("adr", _address, _LABEL_MARKS) or joined("label")
    return [
        joined("fn"), family, given,
        units[0] if units else _text(org[0]) if org else "",
        " ".join(units[1:]), joined("title"), labelled("tel", _text, _PHONE_CELL_MARKS),
        joined("email"), joined("bday"), address, labelled("url", _text, _LABEL_MARKS),
        joined("categories", ", "), joined("note", "\n"),
    ]  # fmt: skip


def _text(value: object) -> str:
    if isinstance(value, bytes):  # a base64 value vobject decoded (none should reach it)
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value if _text(v))
    return str(value or "").strip()


def _address(value: object) -> str:
    parts: Sequence[object] = [
        getattr(value, name, "")
        for name in ("country", "region", "city", "street", "extended", "box", "code")
    ]
    return " ".join(_text(p) for p in parts if _text(p))
