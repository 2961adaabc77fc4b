"""Where the CLI writes: data alone on stdout, messages and errors on stderr."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

data_console = Console(highlight=False)
message_console = Console(stderr=True, highlight=False)


def say(message: str) -> None:
    """A message for the person (stderr). Never markup: paths may contain brackets."""
    message_console.print(message, markup=False, soft_wrap=True)


def error(message: str) -> None:
    message_console.print(message, markup=False, soft_wrap=True, style="bold red")


def emit_json(value: Any) -> None:
    """Data for scripts on stdout, UTF-8 as is (no \\u escapes for Chinese)."""
    data_console.file.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def warn(message: str) -> None:
    message_console.print(message, markup=False, soft_wrap=True, style="yellow")
