"""A worksheet as a file: xlsx (openpyxl), ods (odfpy) or csv (the one CSV writer), and back.

Every cell is written as text, whatever it looks like: a participant's "=HYPERLINK(...)" or
"#N/A" must open as the characters typed, never as a formula or an error value. What a
spreadsheet shows beyond the values (dropdown lists, right to left, the frozen header, wrapped
long texts, hidden columns) is written in each format's own terms; CSV carries the values only.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rayzani.security.spreadsheet import csv_line, neutral_cell

FORMATS = (".xlsx", ".ods", ".csv")
SHEET = "decisions"
LISTS = "lists"  # the hidden sheet holding the dropdowns' choices (xlsx)


@dataclass(frozen=True)
class Choice:
    """A dropdown: the cells of `column` on the data rows `rows` (0 = first row below the header)."""

    column: int
    values: tuple[str, ...]
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[list[str]]
    rtl: bool = False
    hidden: frozenset[int] = frozenset()
    wrapped: frozenset[int] = frozenset()  # long texts: wide columns whose cells wrap
    choices: tuple[Choice, ...] = ()
    widths: dict[int, float] = field(default_factory=dict)


def column_letter(index: int) -> str:
    """A, B, ..., Z, AA...: how every spreadsheet names column `index` (from 0)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _spans(rows: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of data rows, as sheet rows (the header is row 1)."""
    ordered = sorted(rows)
    start = previous = -2
    for row in ordered:
        if row != previous + 1:
            if start >= 0:
                yield start + 2, previous + 2
            start = row
        previous = row
    if start >= 0:
        yield start + 2, previous + 2


def write_sheet(sheet: Sheet, path: Path) -> None:
    writers = {".xlsx": _write_xlsx, ".ods": _write_ods, ".csv": _write_csv}
    writers[path.suffix.lower()](sheet, path)


def read_sheet(path: Path) -> list[list[str]]:
    """The header and the rows, every cell as text; ValueError, naming the file, when unreadable."""
    readers = {".xlsx": _read_xlsx, ".ods": _read_ods, ".csv": _read_csv}
    try:
        grid = readers[path.suffix.lower()](path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, csv.Error) as error:
        raise ValueError(f"{path}: cannot be read as a {path.suffix} worksheet ({error})") from None
    while grid and not any(grid[-1]):
        grid.pop()
    return grid


# --- xlsx ---------------------------------------------------------------------------------


def _write_xlsx(sheet: Sheet, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    ws = book.active
    ws.title = SHEET
    ws.sheet_view.rightToLeft = sheet.rtl
    ws.freeze_panes = "A2"
    for r, values in enumerate([sheet.header, *sheet.rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            # Control characters are not allowed in the file; the text is kept, readable.
            cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
            cell.data_type = "s"  # text, even "=1+1" or "#REF!" (openpyxl would guess otherwise)
            if r == 1:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif c - 1 in sheet.wrapped:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c in range(len(sheet.header)):
        dimension = ws.column_dimensions[column_letter(c)]
        dimension.width = sheet.widths.get(c, 50 if c in sheet.wrapped else 16)
        dimension.hidden = c in sheet.hidden
    ws.auto_filter.ref = f"A1:{column_letter(len(sheet.header) - 1)}{len(sheet.rows) + 1}"
    if sheet.choices:
        lists = book.create_sheet(LISTS)
        lists.sheet_state = "hidden"
        for n, choice in enumerate(sheet.choices):
            letter = column_letter(n)
            for r, value in enumerate(choice.values, start=1):
                lists.cell(row=r, column=n + 1, value=value).data_type = "s"
            # Choices from a range, not an inline list: an inline list is capped at 255 characters.
            rule = DataValidation(
                type="list",
                formula1=f"{LISTS}!${letter}$1:${letter}${max(1, len(choice.values))}",
                allow_blank=True,
                showErrorMessage=True,
            )
            target = column_letter(choice.column)
            for first, last in _spans(choice.rows):
                rule.add(f"{target}{first}:{target}{last}")
            ws.add_data_validation(rule)
    book.save(path)


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a score typed as 8 comes back as 8.0 from some writers
    return str(value)


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    ws = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    grid = [[_xlsx_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    book.close()
    return grid


# --- ods ----------------------------------------------------------------------------------


def _write_ods(sheet: Sheet, path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties, TableColumnProperties, TableProperties, TextProperties
    from odf.table import ContentValidation, ContentValidations, Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table_style = Style(name="sheet", family="table")
    table_style.addElement(TableProperties(writingmode="rl-tb" if sheet.rtl else "lr-tb", display="true"))
    header_style = Style(name="header", family="table-cell")
    header_style.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
    header_style.addElement(TextProperties(fontweight="bold"))
    wrap_style = Style(name="wrap", family="table-cell")
    wrap_style.addElement(TableCellProperties(wrapoption="wrap", verticalalign="top"))
    for style in (table_style, header_style, wrap_style):
        doc.automaticstyles.addElement(style)
    validations = ContentValidations()
    names: dict[tuple[int, int], str] = {}
    for n, choice in enumerate(sheet.choices):
        quoted = ";".join('"' + v.replace('"', '""') + '"' for v in choice.values)
        name = f"choice{n}"
        validations.addElement(
            ContentValidation(
                name=name, condition=f"of:cell-content-is-in-list({quoted})", allowemptycell="true"
            )
        )
        names.update({(row, choice.column): name for row in choice.rows})
    if sheet.choices:
        doc.spreadsheet.addElement(validations)
    table = Table(name=SHEET, stylename=table_style)
    for c in range(len(sheet.header)):
        width = sheet.widths.get(c, 50 if c in sheet.wrapped else 16)
        col_style = Style(name=f"col{c}", family="table-column")
        col_style.addElement(TableColumnProperties(columnwidth=f"{width * 0.19:.2f}cm"))
        doc.automaticstyles.addElement(col_style)
        column = TableColumn(stylename=col_style)
        if c in sheet.hidden:
            column.setAttribute("visibility", "collapse")
        table.addElement(column)
    for r, values in enumerate([sheet.header, *sheet.rows]):
        row = TableRow()
        for c, value in enumerate(values):
            cell = TableCell(valuetype="string")  # a string cell: no formula, whatever its text
            if r == 0:
                cell.setAttribute("stylename", header_style)
            elif c in sheet.wrapped:
                cell.setAttribute("stylename", wrap_style)
            if (r - 1, c) in names:
                cell.setAttribute("contentvalidationname", names[(r - 1, c)])
            for line in value.split("\n") if value else ():
                cell.addElement(P(text=line))
            row.addElement(cell)
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    _freeze_ods_header(doc)
    doc.save(str(path))


def _freeze_ods_header(doc: object) -> None:
    """The header row stays in view: the split settings LibreOffice reads from settings.xml."""
    from odf.config import (
        ConfigItem,
        ConfigItemMapEntry,
        ConfigItemMapIndexed,
        ConfigItemMapNamed,
        ConfigItemSet,
    )

    view = ConfigItemMapEntry()
    view.addElement(ConfigItem(name="ViewId", type="string", text="view1"))
    tables = ConfigItemMapNamed(name="Tables")
    entry = ConfigItemMapEntry(name=SHEET)
    for name, kind, value in (
        ("VerticalSplitMode", "short", "2"),
        ("VerticalSplitPosition", "int", "1"),
        ("ActiveSplitRange", "short", "2"),
        ("PositionTop", "int", "0"),
        ("PositionBottom", "int", "1"),
    ):
        entry.addElement(ConfigItem(name=name, type=kind, text=value))
    tables.addElement(entry)
    view.addElement(tables)
    views = ConfigItemMapIndexed(name="Views")
    views.addElement(view)
    settings = ConfigItemSet(name="ooo:view-settings")
    settings.addElement(views)
    doc.settings.addElement(settings)  # type: ignore[attr-defined]


def _read_ods(path: Path) -> list[list[str]]:
    from odf import teletype
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import Table, TableRow
    from odf.text import P

    doc = load(str(path))
    tables = doc.spreadsheet.getElementsByType(Table)
    table = next((t for t in tables if t.getAttribute("name") == SHEET), tables[0] if tables else None)
    if table is None:
        raise ValueError("it holds no sheet")
    # A spreadsheet pads rows and columns with huge runs of repeated empty cells: a run of empty
    # ones is expanded only when something follows it, so positions stay exact.
    grid: list[list[str]] = []
    empty_rows = 0
    for row in table.getElementsByType(TableRow):
        values: list[str] = []
        empty_cells = 0
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            text = "\n".join(teletype.extractText(p) for p in cell.getElementsByType(P))
            repeat = int(cell.attributes.get((TABLENS, "number-columns-repeated"), 1))
            if not text:
                empty_cells += repeat
                continue
            values.extend([""] * empty_cells + [text] * repeat)
            empty_cells = 0
        repeat = int(row.attributes.get((TABLENS, "number-rows-repeated"), 1))
        if not values:
            empty_rows += repeat
            continue
        grid.extend([[] for _ in range(empty_rows)] + [list(values) for _ in range(repeat)])
        empty_rows = 0
    return grid


# --- csv ----------------------------------------------------------------------------------


def _write_csv(sheet: Sheet, path: Path) -> None:
    # A byte-order mark: without it Excel reads the file in the Windows code page.
    lines = "".join(csv_line(values) for values in [sheet.header, *sheet.rows])
    path.write_bytes(("\ufeff" + lines).encode("utf-8"))


def plain_cell(value: str) -> str:
    """The text `neutral_cell` was given: one apostrophe it added is taken off, nothing else."""
    if value.startswith("'") and neutral_cell(value[1:]) == value:
        return value[1:]
    return value


def _read_csv(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    return [[plain_cell(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
