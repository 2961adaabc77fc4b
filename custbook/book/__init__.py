"""The customer book: schema, services, validation, history. Works on a plain sqlite3
connection and knows nothing of files or screens.

Its names are loaded when first asked for (PEP 562): a worker process that computes
search rows imports custbook.book.search.index, and importing every service with it
took 0.4 s of each worker's start."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from custbook.book.book import Book
    from custbook.book.customers import AmbiguousName, Customer
    from custbook.book.validation import Problem, ValidationError

__all__ = ["AmbiguousName", "Book", "Customer", "Problem", "ValidationError"]
_WHERE = {
    "Book": "custbook.book.book",
    "AmbiguousName": "custbook.book.customers",
    "Customer": "custbook.book.customers",
    "Problem": "custbook.book.validation",
    "ValidationError": "custbook.book.validation",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    try:  # a submodule, as `custbook.book.validation` was after `import custbook.book`
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise  # the submodule exists; something it imports does not
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
