"""Every error a person is shown survives pickling (a worker process may hand one back)
with its message, exit code and details."""

from __future__ import annotations

import pickle

import pytest

from custbook.book.customers import AmbiguousName, NoSuchName
from custbook.book.db import BookFull
from custbook.book.validation import Problem, ValidationError
from custbook.errors import CustbookError, NotFound

ERRORS = [
    ValidationError([Problem("phones", "12", "is not a phone number")]),
    NoSuchName("上海蓝港", [{"id": 1, "name": "上海蓝港贸易有限公司", "city": "上海"}]),
    AmbiguousName("王芳", []),
    BookFull(),
    NotFound("There is no customer 9."),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_an_error_comes_back_from_pickling_as_it_was(error: CustbookError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert again.message == str(again) == error.message
    assert again.exit_code == error.exit_code
    assert vars(again) == vars(error)


def test_a_validation_error_keeps_its_problems() -> None:
    again = pickle.loads(pickle.dumps(ERRORS[0]))
    assert again.problems == [Problem("phones", "12", "is not a phone number")]
