"""The customer book: schema, services, validation, history. Works on a plain sqlite3
connection and knows nothing of files or screens."""

from custbook.book.book import Book
from custbook.book.customers import AmbiguousName, Customer
from custbook.book.validation import Problem, ValidationError

__all__ = ["AmbiguousName", "Book", "Customer", "Problem", "ValidationError"]
