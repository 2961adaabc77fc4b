"""Where custbook keeps things by default (platformdirs), overridable per command."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "custbook"
BOOK_FILENAME = "book.cbk"


def default_book_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / BOOK_FILENAME


def state_dir() -> Path:
    """Small facts kept between runs, never customer data (e.g. the last save counter seen)."""
    return Path(platformdirs.user_state_dir(APP_NAME))
