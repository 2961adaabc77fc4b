"""The search language: free text mixed with `key:value` filters (khard's model).

    张伟 grade:A city:北京,上海 -tag:lost last:>90d "quoted text" tag:"key account"

Only a known key followed by a colon is a filter; anything else is free text, and quotes
make any text literal. A comma between values means OR; a leading `-` negates a filter.
A known key with a value it cannot read raises QueryError naming the token, so a typo is
never a silent "no results". `compile_filters` turns filters into SQL over `customers c`
and `customer_figures f`. Dates and periods use the WHEN grammar (when.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from custbook.book import insight
from custbook.book.money import AmountError, parse_amount
from custbook.book.search.keys import normal
from custbook.book.validation import Checker
from custbook.book.when import WhenError, parse_period, parse_when
from custbook.errors import InvalidInput
from custbook.i18n import _

if TYPE_CHECKING:
    from custbook.book.book import Book

KEYS = (
    "grade", "stage", "city", "province", "industry", "tag", "source", "last", "reviewed",
    "created", "revenue", "orders", "due", "overdue", "risk", "has", "no", "birthday",
    "archived", "id",
)  # fmt: skip
_ALIASES = {
    "等级": "grade", "级别": "grade", "阶段": "stage", "城市": "city", "省份": "province",
    "省": "province", "行业": "industry", "标签": "tag", "来源": "source", "风险": "risk",
    "生日": "birthday", "归档": "archived", "有": "has", "无": "no", "没有": "no",
}  # fmt: skip
_TOKEN = re.compile(r'(-?)([^\s:"“”]+):(.*)', re.DOTALL)
_TOKENS = re.compile(r'(?:"[^"]*(?:"|$)|“[^”]*(?:”|$)|[^\s"“])+')
_COMPARE = re.compile(r"(>=|<=|>|<|=)?\s*(.*)", re.DOTALL)
_YES = {"yes", "y", "true", "1", "是", "有"}
_NO = {"no", "n", "false", "0", "否", "无"}
_FIELDS_PRESENT = {
    "email": "c.emails != '[]'",
    "phone": "c.phones != '[]'",
    "address": "coalesce(c.address, '') != ''",
    "birthday": "c.birthday IS NOT NULL",
    "wechat": "coalesce(c.wechat, '') != ''",
    "company": "coalesce(c.company, '') != ''",
    "notes": "coalesce(c.notes, '') != ''",
    "website": "coalesce(c.website, '') != ''",
    "grade": "c.grade IS NOT NULL",
    "contact": "EXISTS (SELECT 1 FROM contacts WHERE customer_id = c.id)",
    "tag": "EXISTS (SELECT 1 FROM customer_tags WHERE customer_id = c.id)",
    "order": "f.orders > 0",
    "reminder": "f.next_due IS NOT NULL",
}


class QueryError(InvalidInput):
    """A known key with a value it cannot read; `start` and `end` locate the token."""

    def __init__(self, token: Token, problem: str) -> None:
        self.start, self.end = token.start, token.end
        super().__init__(_("“{token}”: {problem}").format(token=token.text, problem=problem))


@dataclass(frozen=True)
class Token:
    text: str  # as typed
    start: int
    end: int
    quoted: bool


@dataclass(frozen=True)
class Filter:
    key: str
    values: tuple[str, ...]  # any of them (a comma between values)
    negated: bool
    token: Token


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]  # free text, normalised (keys.normal)
    filters: tuple[Filter, ...]

    @property
    def shows_archived(self) -> bool:
        return any(f.key == "archived" for f in self.filters)


def parse(text: str) -> Query:
    words: list[str] = []
    filters: list[Filter] = []
    for token in tokens(text):
        found = None if token.quoted else _filter(token)
        if found is not None:
            filters.append(found)
        elif _searchable(word := _printable(normal(_unquoted(token.text))).strip(), token):
            words.append(word)
    return Query(tuple(words), tuple(filters))


def tokens(text: str) -> Iterator[Token]:
    """Split on spaces outside quotes ("…" or “…”); an unclosed quote runs to the end."""
    for match in _TOKENS.finditer(text):
        yield Token(match.group(), match.start(), match.end(), match.group()[0] in '"“')


def _searchable(word: str, token: Token) -> bool:
    """A lone "&" or "-" would match nothing and empty the search: left out, unless
    quoted."""
    return bool(word) and (token.quoted or len(word) >= 3 or any(c.isalnum() for c in word))


def _printable(text: str) -> str:
    """Without control characters (nobody types them; FTS5 queries cannot hold NUL, and
    the index's anchors are control characters)."""
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")


def _unquoted(text: str) -> str:
    return text.replace('"', "").replace("“", "").replace("”", "")


def _filter(token: Token) -> Filter | None:
    match = _TOKEN.fullmatch(unicodedata.normalize("NFKC", token.text))
    if match is None:
        return None
    negated, key, value = match.groups()
    key = _ALIASES.get(key, key.casefold())
    if key not in KEYS:
        return None
    values = tuple(v.strip() for v in _split_values(value) if v.strip())
    if not values:
        raise QueryError(
            token, _("give a value after the colon, like {example}").format(example=_example(key))
        )
    return Filter(key, values, bool(negated), token)


def _split_values(value: str) -> list[str]:
    """Comma-separated, except inside quotes; quotes are dropped."""
    parts, current, quoted = [], "", False
    for char in value:
        if char in '"“”':
            quoted = not quoted if char == '"' else char == "“"
        elif char in ",，" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _example(key: str) -> str:
    return _EXAMPLES.get(key, f"{key}:…")


_EXAMPLES = {
    "grade": "grade:A", "stage": "stage:active", "city": "city:上海", "tag": "tag:VIP",
    "last": "last:>90d", "reviewed": "reviewed:>180d", "created": "created:<2024-01-01",
    "revenue": "revenue:>10000", "orders": "orders:>=3", "due": "due:today", "id": "id:12-40",
    "overdue": "overdue:yes", "risk": "risk:any", "has": "has:email", "no": "no:phone",
    "birthday": "birthday:this-month", "archived": "archived:yes",
}  # fmt: skip


# ---------------------------------------------------------------- filters to SQL


@dataclass(frozen=True)
class Context:
    today: date
    judge: insight.Judge


Condition = tuple[str, list[Any]]


def context_for(book: Book, today: date) -> Context:
    return Context(today, insight.judge(book, today))


def compile_filters(query: Query, context: Context) -> Condition:
    """One SQL condition over `customers c` and `customer_figures f` for every filter, the
    live customers only unless an archived filter says otherwise."""
    parts: list[str] = [] if query.shows_archived else ["c.archived_at IS NULL"]
    arguments: list[Any] = []
    for found in query.filters:
        ors = [_condition(found, value, context) for value in found.values]
        sql = " OR ".join(f"coalesce(({s}), 0)" for s, _args in ors)
        parts.append(f"NOT ({sql})" if found.negated else f"({sql})")
        arguments += [a for _s, args in ors for a in args]
    return " AND ".join(parts) or "1", arguments


def _condition(found: Filter, value: str, context: Context) -> Condition:
    try:
        return _COMPILERS[found.key](found.key, value, context)
    except (WhenError, AmountError) as error:
        raise QueryError(found.token, error.message) from None
    except _BadValue as error:
        raise QueryError(found.token, str(error)) from None
    except (OverflowError, ValueError):  # a day past 9999-12-31, and the like
        raise QueryError(found.token, _("is out of range")) from None


class _BadValue(Exception):
    pass


def _grade(key: str, value: str, context: Context) -> Condition:
    checker = Checker()
    grade = checker.grade(key, value)
    if grade is None:
        raise _BadValue(_("grade is A, B or C"))
    return "c.grade = ?", [grade]


def _stage(key: str, value: str, context: Context) -> Condition:
    checker = Checker()
    stage = checker.stage(key, value)
    if stage is None:
        raise _BadValue(checker.problems[0].message)
    return "c.stage = ?", [stage]


def _starts(column: str) -> Callable[[str, str, Context], Condition]:
    def compile_(key: str, value: str, context: Context) -> Condition:
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{column} LIKE ? ESCAPE '\\'", [escaped + "%"]

    return compile_


def _tag(key: str, value: str, context: Context) -> Condition:
    return (
        "EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id"
        " WHERE ct.customer_id = c.id AND t.name = ?)",
        [value],
    )


def _past(column: str) -> Callable[[str, str, Context], Condition]:
    """A time in the past: `>90d` more than 90 days ago (never counts too), `<7d` fewer
    than 7 days ago (a bare `7d` is `<=7d`), a date (`<2024-01-01`, `>=yesterday`)
    compared as a day. Days ago are whole days: yesterday is 1."""

    def compile_(key: str, value: str, context: Context) -> Condition:
        sign, rest = _split_compare(value)
        period = parse_period(rest)
        if period is not None:  # compared in whole days ago
            day = context.today - period
            if sign in (">", ">="):  # longer ago: before that day (>) or on it (>=)
                bound = day if sign == ">" else day + timedelta(days=1)
                return f"{column} IS NULL OR {column} < ?", [bound.isoformat()]
            bound = day + timedelta(days=1) if sign == "<" else day  # within
            return f"{column} >= ?", [bound.isoformat()]
        return _on_day(column, sign, parse_when(rest, context.today))

    return compile_


def _due(key: str, value: str, context: Context) -> Condition:
    """The next open reminder: `today` or a date, due by then (overdue included); `7d`
    within seven days; `>date` later than it."""
    sign, rest = _split_compare(value)
    period = parse_period(rest)
    day = context.today + period if period is not None else parse_when(rest, context.today)
    if sign in ("", "=") and period is None:
        sign = "<="
    return _on_day("f.next_due", sign or "<=", day)


def _on_day(column: str, sign: str, day: date) -> Condition:
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    return {
        ">": (f"{column} >= ?", [end]),
        ">=": (f"{column} >= ?", [start]),
        "<": (f"{column} < ?", [start]),
        "<=": (f"{column} < ?", [end]),
    }.get(sign, (f"{column} >= ? AND {column} < ?", [start, end]))


def _split_compare(value: str) -> tuple[str, str]:
    match = _COMPARE.fullmatch(value)
    assert match is not None  # the pattern matches any text
    return match.group(1) or "", match.group(2).strip()


def _number(column: str, read: Callable[[str], int]) -> Callable[[str, str, Context], Condition]:
    def compile_(key: str, value: str, context: Context) -> Condition:
        sign, rest = _split_compare(value)
        return f"{column} {sign or '='} ?", [read(rest)]

    return compile_


def _ids(key: str, value: str, context: Context) -> Condition:
    """custbook's ids: `id:12`, `id:>=12` or a range `id:12-40` (what an import added)."""
    if found := re.fullmatch(r"(\d{1,12})-(\d{1,12})", value):
        return "c.id BETWEEN ? AND ?", [int(found.group(1)), int(found.group(2))]
    return _number("c.id", _count)(key, value, context)


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise _BadValue(_("is not a whole number"))
    return int(text)


def _amount(text: str) -> int:
    return parse_amount(text).minor


def _yes_no(text: str) -> bool:
    folded = text.casefold()
    if folded in _YES or folded in _NO:
        return folded in _YES
    raise _BadValue(_("say yes or no"))


def _overdue(key: str, value: str, context: Context) -> Condition:
    sql = "f.next_due < ?"
    return (sql if _yes_no(value) else f"NOT coalesce({sql}, 0)"), [context.today.isoformat()]


def _archived(key: str, value: str, context: Context) -> Condition:
    if value.casefold() in ("any", "all", "全部"):
        return "1", []
    return ("c.archived_at IS NOT NULL" if _yes_no(value) else "c.archived_at IS NULL"), []


def _risk(key: str, value: str, context: Context) -> Condition:
    word = value.casefold()
    if word == "any":
        parts = [_risk(key, risk, context) for risk in insight.RISKS]
        return " OR ".join(f"coalesce(({s}), 0)" for s, _a in parts), [
            a for _s, args in parts for a in args
        ]
    judge, today = context.judge, context.today.isoformat()
    if word == "payment":
        return "f.unpaid_due < ?", [today]
    if word == "cancelled":
        return "f.troubled_orders > 0", []
    if word == "silent":
        before = judge.silent_before
        cases = " ".join(f"WHEN '{g}' THEN ?" for g in before if g in ("A", "B", "C"))
        return (
            f"substr(f.silent_since, 1, 10) < CASE c.grade {cases} ELSE ? END",
            [before[g] for g in before if g in ("A", "B", "C")] + [before["C"]],
        )
    if word == "falling":
        recent, older = judge.months
        return (
            "(SELECT 2 * coalesce(sum(CASE WHEN month >= ? THEN revenue_minor END), 0)"
            " < coalesce(sum(CASE WHEN month < ? THEN revenue_minor END), 0)"
            " FROM customer_revenue_months"
            " WHERE customer_id = c.id AND month >= ? AND month <= ?)",  # not pre-dated ones
            [recent[-1], recent[-1], older[-1], recent[0]],
        )
    raise _BadValue(_("risk is any, payment, cancelled, silent or falling"))


def _present(negate: bool) -> Callable[[str, str, Context], Condition]:
    def compile_(key: str, value: str, context: Context) -> Condition:
        sql = _FIELDS_PRESENT.get(value.casefold())
        if sql is None:
            raise _BadValue(
                _("{key} takes one of: {fields}").format(key=key, fields=", ".join(_FIELDS_PRESENT))
            )
        return (f"NOT coalesce(({sql}), 0)" if negate else sql), []

    return compile_


def _birthday(key: str, value: str, context: Context) -> Condition:
    """today, tomorrow, this-week (the next seven days), this-month, next-month, a month
    (3, 3月) or a day (03-05)."""
    today, day = context.today, "substr(c.birthday, -5)"
    word = value.casefold()
    if word in ("today", "今天", "tomorrow", "明天"):
        shown = today + timedelta(days=1 if word in ("tomorrow", "明天") else 0)
        return f"{day} = ?", [shown.strftime("%m-%d")]
    if word in ("this-week", "week", "本周"):
        days = [(today + timedelta(days=n)).strftime("%m-%d") for n in range(7)]
        return f"{day} IN ({', '.join('?' for _d in days)})", days
    month = {"this-month": today.month, "本月": today.month}.get(word)
    if word in ("next-month", "下月", "下个月"):
        month = today.month % 12 + 1
    if month is None and (found := re.fullmatch(r"(\d{1,2})月?", word)):
        month = int(found.group(1))
    if month is not None and 1 <= month <= 12:
        return f"substr({day}, 1, 2) = ?", [f"{month:02d}"]
    if found := re.fullmatch(r"(\d{1,2})-(\d{1,2})", word):
        return f"{day} = ?", [f"{int(found.group(1)):02d}-{int(found.group(2)):02d}"]
    raise _BadValue(_("try today, this-week, this-month, next-month, 3 or 03-05"))


_COMPILERS: dict[str, Callable[[str, str, Context], Condition]] = {
    "grade": _grade,
    "stage": _stage,
    "city": _starts("c.city"),
    "province": _starts("c.province"),
    "industry": _starts("c.industry"),
    "source": _starts("c.source"),
    "tag": _tag,
    "last": _past("f.last_contact_at"),
    "reviewed": _past("c.reviewed_at"),
    "created": _past("c.created_at"),
    "revenue": _number("f.revenue_minor", _amount),
    "orders": _number("f.orders", _count),
    "due": _due,
    "overdue": _overdue,
    "risk": _risk,
    "has": _present(negate=False),
    "no": _present(negate=True),
    "birthday": _birthday,
    "archived": _archived,
    "id": _ids,
}
