"""Import from inside the app: name a file, see how its columns map and change any, see
every problem row by row and what the import would do, then import it with a progress
bar and land on the customers it added. The same importer as `custbook import`, run on
the book's thread; what it shows before the import is a dry run of exactly that."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    DataTable,
    DirectoryTree,
    Footer,
    Input,
    OptionList,
    ProgressBar,
    Static,
)
from textual.widgets.option_list import Option

from custbook.book.book import Book
from custbook.errors import CustbookError
from custbook.i18n import _
from custbook.io import headers, importer

if TYPE_CHECKING:
    from custbook.tui.app import CustbookApp

_SHOWN_PROBLEMS = 500
# Problem columns' widths: a reason (and a long value) wraps within the table's width
# rather than running off its right edge
_ROW_WIDTH, _COLUMN_WIDTH, _VALUE_WIDTH, _REASON_MIN_WIDTH = 5, 14, 24, 24


class FieldChoice(ModalScreen[str | None]):
    """Which field a column holds: every field, a custom field named by its header, or
    skipping it."""

    DEFAULT_CSS = """
    FieldChoice { align: center middle; }
    FieldChoice #box { width: 50; height: 24; border: round $primary; background: $surface; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", _("Cancel"), id="cancel"),
    ]

    def __init__(self, column: headers.Column) -> None:
        super().__init__()
        self.column = column

    def compose(self) -> ComposeResult:
        custom = headers.CUSTOM + headers.custom_name(self.column.header)
        choices = [*headers.FIELDS, custom, headers.SKIP]
        with Vertical(id="box"):
            yield Static(_("“{column}” holds:").format(column=self.column.header), markup=False)
            yield OptionList(
                *(Option(headers.Column(0, "", f).label(), id=f) for f in choices), id="fields"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = options.get_option_index(self.column.field)
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


IMPORTABLE = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".vcf")


class ImportableTree(DirectoryTree):
    """Folders, and the files custbook can import, hidden files aside."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.casefold() in IMPORTABLE)
        ]


class ImportScreen(Screen[None]):
    DEFAULT_CSS = """
    ImportScreen #title { padding: 0 1; text-style: bold; color: $primary; }
    ImportScreen #summary { padding: 0 1; height: auto; }
    ImportScreen #mapping { height: 1fr; }
    ImportScreen #problems { height: 1fr; }
    ImportScreen .heading { padding: 0 1; color: $text-muted; }
    ImportScreen #progress { padding: 0 1; }
    ImportScreen #files { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", _("Back"), id="back"),
        Binding("ctrl+s", "run_import", _("Import"), id="import"),
        Binding("ctrl+o", "choose_file", _("Choose a file"), id="choose-file"),
        Binding("question_mark", "app.help", _("Help"), id="help"),
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.path = path
        self.overrides: dict[str, str] = {}
        self.plan: importer.Plan | None = None
        self.problems: list[importer.Problem] = []
        self.busy = False

    @property
    def custbook(self) -> CustbookApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(_("Import customers"), id="title")
        yield Input(
            self.path,
            placeholder=_("The XLSX, XLS, CSV or vCard file to import (Enter reads it)"),
            id="path",
        )
        yield Static(
            _("Name a file and press Enter, or choose one below."), id="summary", markup=False
        )
        yield ImportableTree(Path.cwd(), id="files")
        yield Static(_("Columns (Enter changes a column's field)"), classes="heading")
        yield DataTable(id="mapping", cursor_type="row")
        yield Static(_("Problems"), classes="heading")
        yield DataTable(id="problems", cursor_type="row")
        yield ProgressBar(id="progress", show_eta=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#mapping", DataTable).add_columns(_("Column"), _("Field"), _("Example"))
        self.query_one("#progress", ProgressBar).display = False
        self._show_files(not self.path)
        if self.path:
            self._reload()
        else:
            self.query_one("#path", Input).focus()

    def _show_files(self, shown: bool) -> None:
        """The file tree while choosing, the mapping and problems once a file is read."""
        self.query_one("#files").display = shown
        for name in ("#mapping", "#problems", ".heading"):
            for widget in self.query(name):
                widget.display = not shown

    def action_choose_file(self) -> None:
        self._show_files(True)
        self.query_one("#files").focus()

    @on(DirectoryTree.FileSelected, "#files")
    def file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)
        self.path = str(event.path)
        self.overrides = {}
        self._reload()

    @on(Input.Submitted, "#path")
    def path_given(self, event: Input.Submitted) -> None:
        self.path = event.value.strip()
        self.overrides = {}
        self._reload()

    def _reload(self) -> None:
        """Load in a worker: the screen goes on drawing (what is read, the progress)."""
        self.run_worker(self.load(), group="import-read", exclusive=True)

    async def load(self) -> None:
        """Read the file and dry-run it: the mapping, the problems, the counts."""
        self.plan = None  # nothing to import until this file's dry run is done
        path = Path(self.path).expanduser()
        summary = self.query_one("#summary", Static)
        summary.update(_("Reading {path}…").format(path=path))
        overrides = dict(self.overrides)

        def dry_run(book: Book) -> tuple[importer.Plan, importer.Summary]:
            plan = importer.prepare(
                path,
                region=book.phone_region,
                currency=str(book.setting("currency")),
                overrides=overrides,
            )
            advance = self.app.call_from_thread(self._checking, plan)
            return plan, importer.run(book, plan, dry_run=True, progress=advance)

        try:
            self.plan, found = await self.custbook.runtime.run(dry_run)
        except CustbookError as problem:
            self.plan = None
            self.query_one("#progress", ProgressBar).display = False
            summary.update(problem.message)
            self.query_one("#mapping", DataTable).clear()
            self.problems = []
            self._fill_problems()
            self._show_files(True)
            return
        self._show(self.plan, found)

    def _checking(self, plan: importer.Plan) -> importer.Progress:
        """Say the file is read and the dry run under way (a large file's takes a while)."""
        self.query_one("#summary", Static).update(
            _("Read {rows} rows; checking what importing them would do…").format(
                rows=plan.rows_read
            )
        )
        return self._progress_bar(len(plan.incoming))

    def _progress_bar(self, total: int) -> importer.Progress:
        """The progress bar shown at 0 of `total`, and what moves it from the book's thread."""
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=0)

        def advance(done: int, _total: int) -> None:
            self.app.call_from_thread(bar.update, progress=done)

        return advance

    def _show(self, plan: importer.Plan, found: importer.Summary) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self._show_files(False)
        self.query_one("#summary", Static).update(
            _("{file}, sheet “{sheet}”, header on row {row}.").format(
                file=plan.path.name, sheet=plan.sheet, row=plan.header_row
            )
            + "\n"
            + _(
                "Importing would make new customers: {created}; update: {updated} "
                "({unchanged} unchanged); add contacts: {contacts}, orders: {orders}; "
                "leave out rows: {rejected}. Ctrl+S imports."
            ).format(**found.as_json())
        )
        mapping = self.query_one("#mapping", DataTable)
        mapping.clear()
        for column in plan.columns:
            example = plan.samples.get(column.index, "")
            mapping.add_row(column.header, column.label(), example, key=str(column.index))
        self.problems = sorted(found.problems, key=lambda p: p.row)[:_SHOWN_PROBLEMS]
        self._fill_problems()
        mapping.focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill_problems)  # the table's new width is known then

    def _fill_problems(self) -> None:
        """The problems, each reason wrapped to the table's width."""
        table = self.query_one("#problems", DataTable)
        padding = 2 * table.cell_padding * 4 + 2  # both sides of four cells, a scrollbar
        fixed = _ROW_WIDTH + _COLUMN_WIDTH + _VALUE_WIDTH
        width = table.size.width or self.size.width  # not laid out yet: the screen's
        reason_width = max(width - fixed - padding, _REASON_MIN_WIDTH)
        table.clear(columns=True)
        table.add_column(_("Row"), width=_ROW_WIDTH)
        table.add_column(_("Column"), width=_COLUMN_WIDTH)
        table.add_column(_("Value"), width=_VALUE_WIDTH)
        table.add_column(_("Problem"), width=reason_width)
        for problem in self.problems:
            cells = (str(problem.row), problem.column, problem.value, problem.reason)
            table.add_row(*(Text(cell) for cell in cells), height=None)

    @on(DataTable.RowSelected, "#mapping")
    def change_field(self, event: DataTable.RowSelected) -> None:
        if self.plan is None or event.row_key.value is None:
            return
        column = self.plan.columns[int(event.row_key.value)]

        def chosen(field: str | None) -> None:
            if field is not None and field != column.field:
                self.overrides[headers.normal_header(column.header)] = field
                self._reload()

        self.app.push_screen(FieldChoice(column), chosen)

    async def action_run_import(self) -> None:
        """Import for real, one change set, a progress bar while it runs."""
        if self.plan is None or self.busy:
            return
        self.busy = True
        plan = self.plan
        advance = self._progress_bar(len(plan.incoming))
        try:
            found = await self.custbook.write(
                lambda book: importer.run(book, plan, progress=advance)
            )
        except CustbookError as problem:
            self.notify(problem.message, severity="error", markup=False)
            self.busy = False
            return
        self.notify(
            _("Imported: {created} new customers, {updated} updated, {contacts} contacts, "
              "{orders} orders. Undo takes it all back.").format(**found.as_json()),
            markup=False,
        )  # fmt: skip
        await self.custbook.show_imported(found.created_ids)
