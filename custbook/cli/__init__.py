"""The command line: thin click commands over vault/ and book/ services."""

from custbook.cli import activity_commands as _activity_commands  # noqa: F401 - registers
from custbook.cli import agenda_commands as _agenda_commands  # noqa: F401 - registers
from custbook.cli import backup_commands as _backup_commands  # noqa: F401 - registers commands
from custbook.cli import book_commands as _book_commands  # noqa: F401 - registers commands
from custbook.cli import customer_commands as _customer_commands  # noqa: F401 - registers
from custbook.cli import deal_commands as _deal_commands  # noqa: F401 - registers commands
from custbook.cli import export_commands as _export_commands  # noqa: F401 - registers commands
from custbook.cli import find_commands as _find_commands  # noqa: F401 - registers commands
from custbook.cli import import_commands as _import_commands  # noqa: F401 - registers commands
from custbook.cli import tag_commands as _tag_commands  # noqa: F401 - registers commands
from custbook.cli.main import cli, main, run

__all__ = ["cli", "main", "run"]
