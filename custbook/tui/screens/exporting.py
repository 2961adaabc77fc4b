"""Export from the list: the current search as the query, a file to name (its ending picks
the format), a question before replacing a file. The same writers as `custbook export`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from custbook.book.book import Book
from custbook.errors import CustbookError, InvalidInput
from custbook.i18n import _
from custbook.io import export
from custbook.tui.screens.confirm import ConfirmScreen

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp


def write_export(book: Book, query: str, path: Path, *, force: bool) -> int:
    """The customers `query` finds (all for none) written to `path`, in the format its
    ending names; how many."""
    fmt = path.suffix.casefold().lstrip(".")
    if fmt not in export.FORMATS:
        raise InvalidInput(
            _("Name the file with one of these endings: {endings}").format(
                endings=", ".join(f".{f}" for f in export.FORMATS)
            )
        )
    ids = export.chosen_ids(book, query)
    with export.plaintext_file(path, force=force, binary=fmt == "xlsx") as out:
        export.write_format(book, ids, fmt, out, folder=path.parent, everything=not query)
    return len(ids)


class ExportScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen #box {
        width: 76; max-width: 95%; height: auto; border: round $primary;
        background: $surface; padding: 1 2;
    }
    ExportScreen #hint { color: $text-muted; }
    ExportScreen #warning { color: $warning; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", _("Cancel"), id="cancel"),
    ]

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query_text = query.strip()

    @property
    def custbook(self) -> CustbookApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        shown = self.query_text or _("all customers")
        with Vertical(id="box"):
            yield Static(_("Export {what}").format(what=shown), id="what", markup=False)
            yield Input(
                "custbook-export.xlsx",  # in the folder custbook was started in
                placeholder=_("File: .xlsx, .csv, .vcf, .ics or .json"),
                id="file",
            )
            yield Static(
                _("Enter writes it; its ending picks the format: .xlsx, .csv (Excel), .vcf "
                  "(contacts), .ics (calendar), .json (everything)."),
                id="hint",
            )  # fmt: skip
            yield Static(
                _("The file is NOT encrypted: keep it safe and delete it when done."),
                id="warning",
            )

    @on(Input.Submitted, "#file")
    async def named(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        if path.exists() and not path.is_dir():
            question = _("{path} exists. Replace it?").format(path=path)
            self.app.push_screen(
                ConfirmScreen(question, _("Replace")),
                lambda yes: self.run_worker(self.write(path, force=True)) if yes else None,
            )
            return
        await self.write(path, force=False)

    async def write(self, path: Path, *, force: bool) -> None:
        query = self.query_text
        try:
            count = await self.custbook.runtime.run(
                lambda book: write_export(book, query, path, force=force)
            )
        except CustbookError as problem:
            self.notify(problem.message, severity="error", markup=False)
            return
        self.notify(
            _("{count} customers written to {where}. It is not encrypted: keep it safe and "
              "delete it when done.").format(count=count, where=path),
            markup=False,
        )  # fmt: skip
        self.dismiss()
