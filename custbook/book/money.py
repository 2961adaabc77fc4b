"""Amounts of money as a person types them, kept exact: integer minor units (fen for CNY).

Never floats: the arithmetic is on integers (the point is moved in the text), so 0.1 +
0.2 stays 0.30. `parse_amount` reads ¥1,250.50, 3000元, 1.2万, RMB 300, USD 12.50 or
$12.50; whatever the string, it returns a `Money` or raises `AmountError`.
`format_amount` writes the symbol straight before the digits, thousands grouped with
commas and always two decimals, minus sign first: ¥1,250.50, -¥50.00, US$3,000.00. Its
output parses back to the same `Money`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from custbook.errors import InvalidInput
from custbook.i18n import _

# Every currency here has 2 decimals (100 minor units), which the arithmetic relies on.
# "¥" means CNY, never JPY: the book is kept in China.
SYMBOLS = {"CNY": "¥", "USD": "US$", "HKD": "HK$", "EUR": "€", "GBP": "£"}
_MINOR_DIGITS = 2
_LIMIT = 10**15  # minor units: far beyond any order, far below SQLite's 2**63
_MAX_LENGTH = 60  # longer text is no amount; also keeps int() small

# What may stand before the number (upper-cased), and after it (after any 万, 千 or 亿).
_BEFORE = {
    "¥": "CNY", "RMB": "CNY", "CNY": "CNY", "人民币": "CNY",
    "US$": "USD", "$": "USD", "USD": "USD",
    "HK$": "HKD", "HKD": "HKD",
    "€": "EUR", "EUR": "EUR",
    "£": "GBP", "GBP": "GBP",
}  # fmt: skip
_AFTER = {
    "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY", "RMB": "CNY", "CNY": "CNY",
    "美元": "USD", "美金": "USD", "USD": "USD",
    "港元": "HKD", "港币": "HKD", "HKD": "HKD",
    "欧元": "EUR", "EUR": "EUR",
    "英镑": "GBP", "GBP": "GBP",
}  # fmt: skip
_SCALES = {"万": 4, "千": 3, "亿": 8}  # powers of ten


def _choices(words: dict[str, str]) -> str:
    # Longest first, so "US$" wins over "$" and "块钱" over "块".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_AMOUNT = re.compile(
    rf"""
    (?P<sign>[-+]?)\s*
    (?:(?P<before>{_choices(_BEFORE)})\s*)?
    (?P<sign2>[-+]?)\s*
    (?P<number>[0-9]{{1,3}}(?:,[0-9]{{3}})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)\s*
    (?P<scale>[万千亿]?)\s*
    (?P<after>{_choices(_AFTER)})?
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Money:
    minor: int
    currency: str  # ISO 4217, e.g. "CNY", "USD"


class AmountError(InvalidInput):
    """What a person typed is not an amount of money; the message names it. `reason`:
    what is wrong, after the value (for a list of problems), when it is more than "not
    an amount"."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


def parse_amount(text: str, default_currency: str = "CNY") -> Money:
    """The amount in `text`, in its own currency if it names one, else `default_currency`."""
    if default_currency not in SYMBOLS:
        raise ValueError(f"unknown currency {default_currency!r}")  # a caller's mistake
    normal = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")  # − minus
    match = _AMOUNT.fullmatch(normal) if len(normal) <= _MAX_LENGTH else None
    if match is None or (match["sign"] and match["sign2"]):
        raise _not_an_amount(text)
    currency = _currency(match["before"], match["after"], default_currency)
    if currency is None:
        raise _not_an_amount(text)
    minor = _minor_units(match["number"].replace(",", ""), _SCALES.get(match["scale"], 0))
    if minor is None:
        raise AmountError(
            _("“{text}” has more than 2 decimal places: amounts are exact to 0.01").format(
                text=_shown(text)
            ),
            _("has more than 2 decimal places: amounts are exact to 0.01"),
        )
    if abs(minor) > _LIMIT:
        raise AmountError(
            _("“{text}” is too large an amount").format(text=_shown(text)), _("is too large")
        )
    negative = "-" in (match["sign"], match["sign2"])
    return Money(-minor if negative else minor, currency)


def format_amount(money: Money) -> str:
    """¥1,250.50, -¥50.00, US$3,000.00; a currency without a symbol: "CHF 12.00"."""
    units, cents = divmod(abs(money.minor), 10**_MINOR_DIGITS)
    digits = f"{units:,}.{cents:0{_MINOR_DIGITS}d}"
    symbol = SYMBOLS.get(money.currency)
    shown = symbol + digits if symbol else f"{money.currency} {digits}"
    return "-" + shown if money.minor < 0 else shown


def _currency(before: str | None, after: str | None, default: str) -> str | None:
    """The currency named before and/or after the number; None if the two disagree."""
    # IGNORECASE may match a spelling whose upper case is no key: "?" makes that an error.
    named = {_BEFORE.get(before.upper(), "?")} if before else set()
    if after:
        named.add(_AFTER.get(after.upper(), "?"))
    if "?" in named or len(named) > 1:
        return None  # "$300元": which one?
    return named.pop() if named else default


def _minor_units(number: str, scale: int) -> int | None:
    """`number` (digits, maybe a point and more digits) × 10^scale in minor units; None if
    that leaves a fraction of a minor unit. The point is moved in the text, so the
    integer is exact, never rounded (and an import reads thousands: Decimal cost 3× as
    much)."""
    whole, _point, fraction = number.partition(".")
    shift = scale + _MINOR_DIGITS
    if fraction[shift:].strip("0"):
        return None
    return int(whole + fraction[:shift].ljust(shift, "0"))


def _not_an_amount(text: str) -> AmountError:
    return AmountError(
        _("“{text}” is not an amount: try 1250.50, ¥1,250.50, 3000元 or 1.2万").format(
            text=_shown(text)
        )
    )


def _shown(text: str) -> str:
    # Trimmed, and cut short: the message is for reading, not a copy of the input.
    trimmed = text.strip()
    return trimmed if len(trimmed) <= 40 else trimmed[:40] + "…"
