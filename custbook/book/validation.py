"""Turning what a person typed into clean values, or into messages they can act on.

A `Checker` collects every problem of a form instead of stopping at the first, so one
`ValidationError` can show them all, each naming the field, the value and what is wrong.
Checkers never raise on odd input: whatever the string, the result is a value, or a
problem and None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, validate_email

from custbook.book.money import AmountError, Money, parse_amount
from custbook.errors import InvalidInput
from custbook.i18n import _

STAGES = ("lead", "prospect", "active", "loyal", "dormant", "lost")
GRADES = ("A", "B", "C")
KINDS = ("company", "person")


def stage_labels() -> dict[str, tuple[str, str]]:
    """Each stage key with its English and Chinese label (both always accepted)."""
    return {
        "lead": (_("lead"), "潜在"),
        "prospect": (_("prospect"), "意向"),
        "active": (_("active"), "现有"),
        "loyal": (_("loyal"), "忠实"),
        "dormant": (_("dormant"), "沉睡"),
        "lost": (_("lost"), "流失"),
    }


_STAGE_WORDS = {
    "lead": "lead", "潜在": "lead", "潜在客户": "lead",
    "prospect": "prospect", "意向": "prospect", "意向客户": "prospect",
    "active": "active", "现有": "active", "现有客户": "active",
    "loyal": "loyal", "忠实": "loyal", "忠实客户": "loyal",
    "dormant": "dormant", "沉睡": "dormant", "沉睡客户": "dormant",
    "lost": "lost", "流失": "lost", "流失客户": "lost",
}  # fmt: skip
_KIND_WORDS = {
    "company": "company", "公司": "company", "企业": "company", "单位": "company",
    "person": "person", "个人": "person",
}  # fmt: skip
_PHONE_SEPARATORS = re.compile(r"[;,，；、/|\n]+")
_FULL_DATE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
_MONTH_DAY = re.compile(r"^(?:--)?([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
# Chinese ways to write an extension: 010-12345678-8001, 010-12345678转801, 分机 801.
_EXTENSION = re.compile(r"^(.*[0-9])\s*(?:转|分机|ext\.?|x|-|#)\s*([0-9]{1,6})$", re.IGNORECASE)
MAX_MINOR = 10**15  # ten trillion in major units: far beyond any order, well inside SQLite's int64
_LEAP_YEAR = 2000  # to check a month-day without a year: Feb 29 exists


@dataclass(frozen=True)
class Problem:
    field: str
    value: str
    message: str

    def describe(self) -> str:
        return _("{field}: “{value}” {problem}").format(
            field=field_label(self.field), value=self.value, problem=self.message
        )


class ValidationError(InvalidInput):
    """Every problem of one form; nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [_("Nothing was saved:")] + [f"  {p.describe()}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Phone:
    typed: str
    e164: str
    extension: str | None = None

    def as_json(self) -> dict[str, str]:
        stored = {"typed": self.typed, "e164": self.e164}
        if self.extension:
            stored["ext"] = self.extension
        return stored


def clean_text(value: object) -> str | None:
    """NFC, trimmed; empty means "no value"."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


@dataclass
class Checker:
    """Checks the fields of one form; `finish` raises if any was wrong."""

    region: str = "CN"
    problems: list[Problem] = field(default_factory=list)

    def problem(self, name: str, value: object, message: str) -> None:
        self.problems.append(Problem(name, str(value), message))

    def finish(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)

    def text(self, name: str, value: object, *, required: bool = False) -> str | None:
        text = clean_text(value)
        if text is None and required:
            self.problem(name, "", _("is required"))
        elif text is not None and len(text) > 10_000:
            self.problem(name, text[:40] + "…", _("is longer than 10,000 characters"))
            return None
        return text

    def choice(
        self, name: str, value: object, words: dict[str, str], allowed: Iterable[str]
    ) -> str | None:
        text = clean_text(value)
        if text is None:
            return None
        key = words.get(unicodedata.normalize("NFKC", text).casefold())
        if key is None:
            self.problem(
                name, text, _("is not one of: {allowed}").format(allowed=", ".join(allowed))
            )
        return key

    def stage(self, name: str, value: object) -> str | None:
        text = clean_text(value)
        known = text and _STAGE_WORDS.get(unicodedata.normalize("NFKC", text).casefold())
        if known:  # the usual case, without translating every label
            return known
        shown = [f"{key} ({labels[1]})" for key, labels in stage_labels().items()]
        words = dict(_STAGE_WORDS)
        words.update({label.casefold(): key for key, (label, _zh) in stage_labels().items()})
        return self.choice(name, value, words, shown)

    def grade(self, name: str, value: object) -> str | None:
        text = clean_text(value)
        if text is None:
            return None
        letter = unicodedata.normalize("NFKC", text).upper().removesuffix("级").strip()
        if letter not in GRADES:
            self.problem(name, text, _("must be A, B or C"))
            return None
        return letter

    def kind(self, name: str, value: object) -> str | None:
        return self.choice(name, value, _KIND_WORDS, ["company (公司)", "person (个人)"])

    def satisfaction(self, name: str, value: object) -> int | None:
        return self.whole_number(name, value, 1, 5)

    def whole_number(self, name: str, value: object, low: int, high: int) -> int | None:
        text = clean_text(value)
        if text is None:
            return None
        digits = unicodedata.normalize("NFKC", text)
        if not re.fullmatch(r"[+-]?\d{1,9}", digits) or not low <= int(digits) <= high:
            self.problem(
                name,
                text,
                _("must be a whole number from {low} to {high}").format(low=low, high=high),
            )
            return None
        return int(digits)

    def amount(self, name: str, value: object, currency: str) -> Money | None:
        """Money in minor units: ¥1,250.50, 3000元, 2,000, 1.2万, USD 12.50 (or Money an
        import has read already)."""
        if isinstance(value, Money):
            money = value
        elif (text := clean_text(value)) is None:
            return None
        else:
            try:
                money = parse_amount(text, currency)
            except AmountError as error:
                not_one = _("is not an amount like 1250.50, ¥1,250.50, 3000元 or 1.2万")
                self.problem(name, text, error.reason or not_one)
                return None
        if money.minor < 0:
            self.problem(name, str(value), _("is below zero (a refund is an order's status)"))
            return None
        if money.minor > MAX_MINOR:
            self.problem(name, str(value), _("is too large"))
            return None
        return money

    def quantity(self, name: str, value: object) -> Decimal | None:
        """An order's quantity: a decimal number, not below zero."""
        number = self.decimal(name, value)
        if number is not None and number < 0:
            self.problem(name, str(value), _("is below zero"))
            return None
        return number

    def decimal(self, name: str, value: object) -> Decimal | None:
        """A quantity: a plain decimal number, never a float."""
        text = clean_text(value)
        if text is None:
            return None
        try:
            number = Decimal(unicodedata.normalize("NFKC", text).replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) > 10**9:
            self.problem(name, text, _("is not a number"))
            return None
        return number

    def flag(self, name: str, value: object) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        text = (clean_text(value) or "").casefold()
        if not text:
            return None
        if text in ("1", "yes", "y", "true", "是", "对"):
            return True
        if text in ("0", "no", "n", "false", "否", "不"):
            return False
        self.problem(name, str(value), _("must be yes or no"))
        return None

    def date(self, name: str, value: object) -> str | None:
        """A calendar date: 2024-03-05, 2024/3/5, 2024.3.5 or 2024年3月5日."""
        text = clean_text(value)
        if text is None:
            return None
        match = _FULL_DATE.match(unicodedata.normalize("NFKC", text))
        parsed = _real_date(*match.groups()) if match else None
        if parsed is None:
            self.problem(name, text, _("is not a date like 2024-03-05"))
            return None
        return None if self.in_years(name, parsed, typed=text) is None else parsed.isoformat()

    def in_years(self, name: str, day: date | None, *, typed: str | None = None) -> date | None:
        """A day already read (a WHEN) that the book keeps: within the years it accepts
        typed, so 2926 typed for 2026 is caught rather than set a reminder nine centuries out."""
        if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            self.problem(
                name,
                typed or day.isoformat(),
                _("is not between the years {first} and {last}").format(
                    first=EARLIEST_YEAR, last=LATEST_YEAR
                ),
            )
            return None
        return day

    def birthday(self, name: str, value: object) -> str | None:
        """A date, or a month and day without a year (stored as --MM-DD)."""
        text = clean_text(value)
        if text is None:
            return None
        normal = unicodedata.normalize("NFKC", text)
        if _FULL_DATE.match(normal):
            return self.date(name, text)
        match = _MONTH_DAY.match(normal)
        parsed = _real_date(str(_LEAP_YEAR), *match.groups()) if match else None
        if parsed is None:
            self.problem(name, text, _("is not a date like 1985-03-05 or 03-05"))
            return None
        return f"--{parsed.month:02d}-{parsed.day:02d}"

    def phones(self, name: str, values: Iterable[object]) -> list[Phone]:
        """Each value may hold several numbers separated by ; , / or 、."""
        found: list[Phone] = []
        for value in values:
            for phone in self._phones_in(name, clean_text(value) or ""):
                if (phone.e164, phone.extension) not in {(p.e164, p.extension) for p in found}:
                    found.append(phone)
        return found

    def _phones_in(self, name: str, text: str) -> list[Phone]:
        e164 = valid_cn_mobile(text, self.region)
        if e164 is not None:  # the usual: one mobile number, ASCII (so NFKC leaves it)
            return [Phone(text, e164)]
        found = (self.phone(name, part) for part in _PHONE_SEPARATORS.split(text))
        return [phone for phone in found if phone is not None]

    def phone(self, name: str, value: object) -> Phone | None:
        typed = clean_text(value)
        if typed is None:
            return None
        normal = unicodedata.normalize("NFKC", typed)
        e164, extension, problem = _parse_phone(normal, self.region)
        if e164 is None and (split := _EXTENSION.match(normal)):
            e164, _none, _problem = _parse_phone(split[1], self.region)
            extension = split[2]
        if e164 is None:
            self.problem(name, typed, problem or _("is not a phone number"))
            return None
        return Phone(typed, e164, extension)

    def emails(self, name: str, values: Iterable[object]) -> list[str]:
        """Several per value (split on ; , and spaces); `张三 <a@b.cn>` gives a@b.cn."""
        found: list[str] = []
        for value in values:
            for address in self._emails_in(name, clean_text(value) or ""):
                if address.casefold() not in {a.casefold() for a in found}:
                    found.append(address)
        return found

    def _emails_in(self, name: str, text: str) -> list[str]:
        plain = plain_email(text)
        if plain is not None:  # the usual: one everyday address, ASCII (so NFKC leaves it)
            return [plain]
        text = unicodedata.normalize("NFKC", text)
        bracketed = _BRACKETED.findall(text) if "<" in text else []
        found = (self.email(name, part) for part in bracketed or _EMAIL_SEPARATORS.split(text))
        return [address for address in found if address is not None]

    def email(self, name: str, value: object) -> str | None:
        text = clean_text(value)
        if text is None:
            return None
        plain = plain_email(text)
        if plain is not None:
            return plain
        try:
            return validate_email(text, check_deliverability=False).normalized
        except Exception:  # EmailNotValidError, and anything odd input may provoke
            self.problem(name, text, _("is not an email address like name@example.com"))
        return None


# An everyday ASCII address (sales1@example.com): what email_validator accepts and how
# it normalises it (the domain lowercased), worked out here at a tenth of its cost, as
# an import of 100,000 rows checks 100,000 addresses. Anything else (quoted or Unicode
# local parts, IDNA domains, odd lengths) goes to email_validator.
# (Possessive: nothing is given back once matched, half the steps of backtracking.) A
# label is 1-63 letters, digits or hyphens, neither first nor last a hyphen.
_PLAIN_EMAIL = re.compile(
    r"([A-Za-z0-9_%+-]++(?:\.[A-Za-z0-9_%+-]++)*+)@"
    r"((?:(?!-)[A-Za-z0-9-]{1,63}+(?<!-)\.)++[A-Za-z]{2,63}+)"
)
_SPECIAL_DOMAINS = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_ENDINGS = tuple(f".{domain}" for domain in SPECIAL_USE_DOMAIN_NAMES)
_BRACKETED = re.compile(r"<([^<>]+)>")  # 张三 <a@b.cn>
_EMAIL_SEPARATORS = re.compile(r"[;,，；\s]+")


def plain_email(text: str) -> str | None:
    """The normalised form of an everyday address, or None to ask email_validator."""
    match = _PLAIN_EMAIL.fullmatch(text)
    if match is None or len(match[1]) > 64 or len(text) > 254:
        return None
    domain = match[2].lower()
    if "--" in domain or domain in _SPECIAL_DOMAINS or domain.endswith(_SPECIAL_ENDINGS):
        return None
    return f"{match[1]}@{domain}"


def _real_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


# A Chinese mobile number as typed in China (139 1234 5678): what phonenumbers.parse makes
# of it is plain (country code 86, the digits as the national number: no trunk prefix,
# no carrier code, which start 11, 12 or 179), so it is made here at a fifth of the cost
# (an import of 100,000 rows parses 100,000 of them); validity is still phonenumbers'
# own. A property test keeps the two in agreement.
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_CN_MOBILE_SEPARATORS = str.maketrans("", "", " -")


def _cn_mobile(typed: str, region: str) -> str | None:
    """The digits of a Chinese mobile number as typed in China, else None."""
    if region == "CN" and len(typed) <= 20:  # phonenumbers refuses what is too long
        digits = typed.translate(_CN_MOBILE_SEPARATORS)
        if _CN_MOBILE.fullmatch(digits) and not digits.startswith("179"):
            return digits
    return None


def _parsed_number(typed: str, region: str) -> phonenumbers.PhoneNumber:
    digits = _cn_mobile(typed, region)
    if digits is not None:
        return phonenumbers.PhoneNumber(country_code=86, national_number=int(digits))
    return phonenumbers.parse(typed, region)


def valid_cn_mobile(typed: str, region: str) -> str | None:
    """The E.164 form of a valid Chinese mobile number as typed in China, made without
    phonenumbers' objects (a third of a customer's checks); None: ask phonenumbers."""
    digits = _cn_mobile(typed, region)
    if digits is None or not _cn_start_is_valid(int(digits) // _CN_FREE_DIGITS):
        return None
    return "+86" + digits  # no leading zero: phonenumbers' E.164 is the same


def _is_valid(number: phonenumbers.PhoneNumber) -> bool:
    """phonenumbers' validity; for an 11-digit Chinese number starting with 1 (a mobile
    range), asked once per first five digits: phonenumbers decides those by their start
    alone (its patterns end in six free digits; a test checks every start against several
    ends), and asking takes 13 µs a number."""
    national = number.national_number
    plain = not number.italian_leading_zero  # +86 0138…: a zero phonenumbers counts in
    if plain and number.country_code == 86 and _CN_ELEVEN_FROM <= national < 2 * _CN_ELEVEN_FROM:
        return _cn_start_is_valid(national // _CN_FREE_DIGITS)
    return phonenumbers.is_valid_number(number)


_CN_ELEVEN_FROM = 10**10  # 1 followed by ten digits
_CN_FREE_DIGITS = 10**6


@cache  # at most 10,000 starts
def _cn_start_is_valid(start: int) -> bool:
    return phonenumbers.is_valid_number(
        phonenumbers.PhoneNumber(country_code=86, national_number=start * _CN_FREE_DIGITS)
    )


def _parse_phone(typed: str, region: str) -> tuple[str | None, str | None, str | None]:
    """(E.164, extension, None) for a valid number, else (None, None, what is wrong)."""
    e164 = valid_cn_mobile(typed, region)
    if e164 is not None:
        return e164, None, None
    try:
        number = _parsed_number(typed, region)
    except Exception:  # NumberParseException, and anything odd input may provoke
        return None, None, _("is not a phone number")
    if _is_valid(number):  # a valid number is a possible one too
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return e164, number.extension or None, None
    reason = phonenumbers.is_possible_number_with_reason(number)
    result = phonenumbers.ValidationResult
    if reason == result.TOO_SHORT:
        return None, None, _("is too short for a phone number")
    if reason in (result.TOO_LONG, result.INVALID_LENGTH):
        return None, None, _("is too long for a phone number (an extension goes after 转 or ext)")
    return (
        None,
        None,
        _("is not a valid phone number for {region} (add +country code for abroad)").format(
            region=region
        ),
    )


# Field labels shown to people, for every field a form can carry.
def field_label(name: str) -> str:
    if name.startswith("custom."):
        return name.removeprefix("custom.")
    labels: dict[str, Callable[[], str]] = {
        "kind": lambda: _("Kind"),
        "name": lambda: _("Name"),
        "company": lambda: _("Company"),
        "title": lambda: _("Title"),
        "industry": lambda: _("Industry"),
        "province": lambda: _("Province"),
        "city": lambda: _("City"),
        "country": lambda: _("Country"),
        "address": lambda: _("Address"),
        "phones": lambda: _("Phone"),
        "emails": lambda: _("Email"),
        "wechat": lambda: _("WeChat"),
        "website": lambda: _("Website"),
        "stage": lambda: _("Stage"),
        "grade": lambda: _("Grade"),
        "source": lambda: _("Source"),
        "birthday": lambda: _("Birthday"),
        "preferences": lambda: _("Preferences"),
        "special_needs": lambda: _("Special needs"),
        "notes": lambda: _("Notes"),
        "satisfaction": lambda: _("Satisfaction"),
        "do_not_contact": lambda: _("Do not contact"),
        "consent_date": lambda: _("Consent date"),
        "tags": lambda: _("Tags"),
        "reviewed_at": lambda: _("Reviewed"),
        "created_at": lambda: _("Created"),
        "due": lambda: _("Due"),
        "snoozed_until": lambda: _("Snoozed until"),
        "next": lambda: _("Next follow-up"),
        "done_at": lambda: _("Done"),
        "subject": lambda: _("Subject"),
        "body": lambda: _("Body"),
        "outcome": lambda: _("Outcome"),
        "rating": lambda: _("Rating"),
        "ordered_on": lambda: _("Order date"),
        "product": lambda: _("Product"),
        "quantity": lambda: _("Quantity"),
        "unit_price": lambda: _("Unit price"),
        "unit_price_minor": lambda: _("Unit price"),  # as stored: what history shows
        "amount": lambda: _("Amount"),
        "amount_minor": lambda: _("Amount"),
        "closed_on": lambda: _("Closed on"),
        "happened_at": lambda: _("When"),
        "contact_id": lambda: _("Contact person"),
        "status": lambda: _("Status"),
        "payment_due": lambda: _("Payment due"),
        "paid_on": lambda: _("Paid on"),
        "probability": lambda: _("Probability"),
        "expected_close": lambda: _("Expected close"),
        "next_step": lambda: _("Next step"),
        "repeat_rule": lambda: _("Repeats"),
        "updated_at": lambda: _("Updated"),
        "archived_at": lambda: _("Archived"),
        "is_primary": lambda: _("Primary contact"),
        "custom_fields": lambda: _("Custom fields"),
        "contact": lambda: _("Contact person"),
        "family_name": lambda: _("Family name"),
        "given_name": lambda: _("Given name"),
        "middle_name": lambda: _("Middle name"),
        "currency": lambda: _("Currency"),
    }
    label = labels.get(name)
    return label() if label else name
