"""The .xlsx annex: one sheet per table (forms and derived tables), numbers stored as numbers."""

from __future__ import annotations

import re
from copy import copy
from datetime import UTC
from math import ceil
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ..content import ReportContent
from ..report_tables import Table
from .docx_body import column_marks, format_cell
from .labels import load_labels
from .settings import DocumentSettings
from .tables import all_tables

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
DATA_FONT = Font(name=FONT, size=11)
WRAP_TOP, TOP = Alignment(vertical="top", wrap_text=True), Alignment(vertical="top")
VIETNAMESE = "[$-42A]"  # shown with the Vietnamese separators (1.234,5) whatever the locale
FORMATS = {"int": f"{VIETNAMESE}#,##0", "float": f"{VIETNAMESE}#,##0.00",
           "percent": f"{VIETNAMESE}0.0%"}
FIRST_HEADER_ROW = 4
MIN_WIDTH, MAX_WIDTH = 6, 45
LINE_PT = 15  # one line of 11 pt text
CAPITAL_EXTRA = 0.4
PORTRAIT_WIDTH = 95  # column width units that fit across an A4 portrait page


def render_xlsx(content: ReportContent, path: Path, settings: DocumentSettings | None = None,
                *, tables: list[tuple[str, Table]] | None = None) -> Path:
    """Write every table of the report (`tables`: from all_tables, when already built) to
    `path`, one sheet each. Returns `path`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    if tables is None:
        tables = all_tables(content, load_labels(settings))
    for name, table in tables:
        sheet = workbook.create_sheet(sheet_title(name, used))
        write_table(sheet, table, _period_line(content))
    if not workbook.sheetnames:
        raise ValueError("the report has no tables to put in the annex")
    _properties(workbook, content, settings)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet title: no []:*?/\\ and at most 31 characters ("01/TCD" → "01-TCD")."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _period_line(content: ReportContent) -> str:
    line = f"Kỳ báo cáo: {content.period.label_vi}"
    if content.data_period is not None:
        line += f" (số liệu {content.data_period.range_vi})"
    return f"{line} - {content.scope.name_vi}"


def write_table(sheet: Worksheet, table: Table, period_line: str) -> None:
    n = table.n_columns
    _title(sheet, 1, f"Biểu số {table.code}: {table.title_vi}", n, bold=True)
    _title(sheet, 2, period_line, n, italic=True)
    first_data = _header(sheet, table)
    _data_rows(sheet, table, first_data)
    notes_row = first_data + len(table.rows) + 1
    for i, note in enumerate(table.notes_vi):
        sheet.cell(row=notes_row + i, column=1, value=note).font = Font(name=FONT, italic=True)
    first_col = "B" if n > 1 and table.kind_of(0) == "text" else "A"
    sheet.freeze_panes = f"{first_col}{first_data}"
    widths = _widths(sheet, table)
    _heights(sheet, table, widths, first_data)
    _page_setup(sheet, widths, first_data)


def _data_rows(sheet: Worksheet, table: Table, first_data: int) -> None:
    """The data cells, boxed, numbers stored as numbers. The style of each combination
    (number format, wrapped text) is registered with the workbook once, by the first cell
    that has it; the other cells get a copy of that cell's style ids (openpyxl would
    otherwise look every font, border and alignment up again, cell by cell)."""
    kinds = column_kinds(table)
    styles: dict[tuple[str, bool], StyleArray] = {}
    for r, row in enumerate(table.rows, start=first_data):
        for c, (value, kind) in enumerate(zip(row, kinds, strict=True), start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            key = (_number_format(value, kind), isinstance(value, str))
            if key in styles:
                cell._style = copy(styles[key])
                continue
            cell.font, cell.border = DATA_FONT, BOX
            cell.number_format = key[0]
            cell.alignment = WRAP_TOP if key[1] else TOP
            styles[key] = copy(cell._style)


def column_kinds(table: Table) -> list[str]:
    """Each column's kind, worked out once (a table without `column_kinds` infers each
    column's kind from all its cells)."""
    return [table.kind_of(col) for col in range(table.n_columns)]


def _heights(sheet: Worksheet, table: Table, widths: list[float], first_data: int) -> None:
    """Row heights for text that wraps: LibreOffice does not grow rows with merged cells
    (the header) by itself, so their wrapped words would print over the row above."""
    lines = [1] * len(table.header)
    for placed in table.placed_header():
        span = sum(widths[placed.col:placed.col + placed.cell.colspan])
        needed = ceil(wrapped_lines(placed.cell.text, span) / placed.cell.rowspan)
        for r in range(placed.row, placed.row + placed.cell.rowspan):
            lines[r] = max(lines[r], needed)
    for i, count in enumerate(lines):
        sheet.row_dimensions[FIRST_HEADER_ROW + i].height = count * LINE_PT + 4
    known: dict[tuple[str, float], int] = {}  # dates, kinds and unit names repeat
    for r, row in enumerate(table.rows, start=first_data):
        count = 1
        for text, width in zip(row, widths, strict=True):
            if isinstance(text, str):
                if (text, width) not in known:
                    known[text, width] = wrapped_lines(text, width)
                count = max(count, known[text, width])
        if count > 1:
            sheet.row_dimensions[r].height = count * LINE_PT + 2


def wrapped_lines(text: str, width: float) -> int:
    """Lines `text` takes in a column `width` units wide, wrapped at spaces (a unit holds
    about one Times New Roman 11 pt letter; capitals count wider)."""
    lines, used = 1, 0.0
    for word in text.split():
        size = len(word) + CAPITAL_EXTRA * sum(c.isupper() for c in word)
        needed = size if used == 0 else used + 1 + size
        if needed > width and used:
            lines, used = lines + 1, size
        else:
            used = needed
    return lines


def _page_setup(sheet: Worksheet, widths: list[float], first_data: int) -> None:
    """Printed on A4, one page wide (landscape when the table is wide), the header rows
    repeated on every page, "Trang n" (counted per sheet) at the foot."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if sum(widths) > PORTRAIT_WIDTH else "portrait"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    setup.firstPageNumber, setup.useFirstPageNumber = 1, True  # each sheet from page 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{FIRST_HEADER_ROW}:{first_data - 1}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    sheet.oddFooter.center.text = "Trang &P"
    sheet.oddFooter.center.font = f"{FONT},Regular"


def _properties(workbook: Workbook, content: ReportContent,
                settings: DocumentSettings | None) -> None:
    """The file's own properties (File > Properties) instead of openpyxl's."""
    props = workbook.properties
    props.title = f"Phụ lục báo cáo {content.period.label_vi} - {content.scope.name_vi}"
    props.creator = props.lastModifiedBy = (" ".join(settings.issuing_body.split())
                                            if settings else "")
    props.language = "vi-VN"
    props.created = props.modified = content.generated_at.astimezone(UTC).replace(tzinfo=None)


def _title(sheet: Worksheet, row: int, text: str, width: int, **font: bool) -> None:
    cell = sheet.cell(row=row, column=1, value=text)
    cell.font = Font(name=FONT, size=12, **font)
    cell.alignment = Alignment(horizontal="center")
    if width > 1:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _header(sheet: Worksheet, table: Table) -> int:
    """Write the header (merged cells, then the column numbers); return the first data row."""
    top = FIRST_HEADER_ROW
    for placed in table.placed_header():
        row, col, spec = top + placed.row, 1 + placed.col, placed.cell
        _header_cell(sheet, row, col, spec.text, bold=True)
        for r in range(row, row + spec.rowspan):
            for c in range(col, col + spec.colspan):
                sheet.cell(row=r, column=c).border = BOX
        if spec.rowspan > 1 or spec.colspan > 1:
            sheet.merge_cells(start_row=row, start_column=col,
                              end_row=row + spec.rowspan - 1, end_column=col + spec.colspan - 1)
    below = top + len(table.header)
    if table.numbered:
        for c, mark in enumerate(column_marks(table), start=1):
            _header_cell(sheet, below, c, mark, italic=True)
        below += 1
    return below


def _header_cell(sheet: Worksheet, row: int, col: int, text: str, **font: bool) -> None:
    cell = sheet.cell(row=row, column=col, value=text)
    cell.font = Font(name=FONT, size=11, **font)
    cell.fill, cell.border = HEADER_FILL, BOX
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _number_format(value: object, kind: str) -> str:
    if kind == "percent" and isinstance(value, int | float):
        return FORMATS["percent"]
    if isinstance(value, int):
        return FORMATS["int"]
    if isinstance(value, float):
        return FORMATS["float"]
    return "@"


def _widths(sheet: Worksheet, table: Table) -> list[float]:
    """Width from the longest data text (as shown) or header word (headers wrap), within
    6–45, so that a wide form still prints legibly on one A4 landscape page."""
    longest = [0] * table.n_columns
    for placed in table.placed_header():
        if placed.cell.colspan == 1:
            words = max((len(w) for w in placed.cell.text.split()), default=0)
            longest[placed.col] = max(longest[placed.col], words + 2)
    kinds = column_kinds(table)
    for row in table.rows:
        for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            longest[c] = max(longest[c], len(format_cell(value, kind)) + 2)
    widths = [min(max(width, MIN_WIDTH), MAX_WIDTH) for width in longest]
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    return widths
