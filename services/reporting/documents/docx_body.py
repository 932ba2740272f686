"""The body of the report: narrative blocks, tables and charts, in Decree 30 body layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.document import Document
from docx.shared import Cm
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from ..content import ReportContent
from ..report_tables import Cell, Table
from .docx_style import (CENTER, FIRST_LINE_INDENT, JUSTIFY, LEFT, RIGHT, add_text, layout,
                         set_font, set_widths)
from .formatting import fmt_decimal, fmt_int, fmt_pct
from .narrative import Block, split_placeholders
from .tables import DERIVED, derived_table

BODY_LINE_SPACING = 1.15
TABLE_FONT_PT = 12
WIDE_TABLE_FONT_PT = 11


def add_blocks(document: Document, blocks: list[Block], content: ReportContent, *,
               labels: dict[str, Any], charts: dict[str, Path], size: float,
               width_cm: float, max_rows: int = 50) -> None:
    for block in blocks:
        if block.kind == "table":
            table = _find_table(block.text, content, labels)
            if table is not None:
                add_table(document, shortened(table, max_rows), width_cm)
        elif block.kind == "chart":
            if block.text in charts:
                caption = labels.get("charts", {}).get(block.text, {}).get("caption", "")
                add_chart(document, charts[block.text], caption)
        else:
            add_body_paragraph(document, block, size)


def add_body_paragraph(document: Document, block: Block, size: float) -> Paragraph:
    """Justified, first-line indent 1.27 cm, 6 pt after; headings bold, minor ones bold italic."""
    paragraph = layout(document.add_paragraph(), JUSTIFY, before=0, after=6,
                       first_indent=FIRST_LINE_INDENT, line=BODY_LINE_SPACING)
    bold = block.kind in ("h1", "h2", "h3")
    italic = block.kind == "h3"
    text = f"- {block.text}" if block.kind == "bullet" else block.text
    for piece, marked in split_placeholders(text):
        add_text(paragraph, piece, size, bold=bold, italic=italic or marked, highlight=marked)
    if block.kind in ("h1", "h2"):
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def shortened(table: Table, max_rows: int) -> Table:
    """The table's first `max_rows` rows, with a note pointing to the annex for the rest."""
    if len(table.rows) <= max_rows:
        return table
    rest = len(table.rows) - max_rows
    note = (f"Bảng trên nêu {fmt_int(max_rows)} dòng đầu; {fmt_int(rest)} dòng còn lại tại "
            f"Phụ lục (tệp .xlsx) kèm theo.")
    return table.model_copy(update={"rows": table.rows[:max_rows],
                                    "notes_vi": [*table.notes_vi, note]})


def _find_table(name: str, content: ReportContent, labels: dict[str, Any]) -> Table | None:
    if name in DERIVED:
        return derived_table(name, content, labels)
    found = next((t for t in content.tables if t.code == name), None)
    if found is None:
        raise ValueError(f"template asks for table {name!r}, which the report does not have")
    return found


def add_table(document: Document, table: Table, width_cm: float) -> None:
    """A titled grid table; merged header cells, numbers right-aligned, notes in italics."""
    size = TABLE_FONT_PT if table.n_columns <= 7 else WIDE_TABLE_FONT_PT
    title = layout(document.add_paragraph(), CENTER, before=6, after=3)
    add_text(title, table.title_vi, size, bold=True)
    title.paragraph_format.keep_with_next = True
    height = len(table.header) + (1 if table.numbered else 0)
    grid = document.add_table(rows=height + len(table.rows), cols=table.n_columns)
    grid.style = "Table Grid"
    set_widths(grid, column_widths(table, width_cm))
    _fill_header(grid, table, size)
    for r, row in enumerate(table.rows, start=height):
        for col, value in enumerate(row):
            align = LEFT if table.kind_of(col) == "text" else RIGHT
            paragraph = layout(grid.cell(r, col).paragraphs[0], align)
            add_text(paragraph, format_cell(value, table.kind_of(col)), size)
    for note in table.notes_vi:
        add_text(layout(document.add_paragraph(), JUSTIFY, before=3), note, size, italic=True)
    layout(document.add_paragraph(), after=3)


def column_widths(table: Table, total_cm: float) -> list[float]:
    """Share `total_cm` by each column's longest header word or data text (5 to 31 characters)."""
    weights = [5.0] * table.n_columns
    for placed in table.placed_header():
        if placed.cell.colspan == 1:
            word = max((len(w) for w in placed.cell.text.split()), default=0)
            weights[placed.col] = max(weights[placed.col], word + 2)
    for row in table.rows:
        for col, value in enumerate(row):
            shown = format_cell(value, table.kind_of(col))
            weights[col] = max(weights[col], min(len(shown), 30) + 1)
    return [total_cm * w / sum(weights) for w in weights]


def _fill_header(grid: DocxTable, table: Table, size: float) -> None:
    for placed in table.placed_header():
        span = placed.cell
        merged = grid.cell(placed.row, placed.col)
        if span.rowspan > 1 or span.colspan > 1:
            merged = merged.merge(grid.cell(placed.row + span.rowspan - 1,
                                            placed.col + span.colspan - 1))
        add_text(layout(merged.paragraphs[0], CENTER), span.text, size, bold=True)
    if table.numbered:
        row = len(table.header)
        for col, mark in enumerate(column_marks(table)):
            add_text(layout(grid.cell(row, col).paragraphs[0], CENTER), mark, size, italic=True)


def column_marks(table: Table) -> list[str]:
    """"A", "B"… for text columns and "1", "2"… for figures, as the forms number them."""
    letters, numbers, marks = 0, 0, []
    for col in range(table.n_columns):
        if table.kind_of(col) == "text":
            marks.append(chr(ord("A") + letters))
            letters += 1
        else:
            numbers += 1
            marks.append(str(numbers))
    return marks


def format_cell(value: Cell, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == "percent":
        return fmt_pct(value)
    return fmt_int(value) if isinstance(value, int) or value.is_integer() else fmt_decimal(value, 2)


def add_chart(document: Document, path: Path, caption: str) -> None:
    paragraph = layout(document.add_paragraph(), CENTER, before=6)
    set_font(paragraph.add_run(), 12).add_picture(str(path), width=Cm(15))
    if caption:
        add_text(layout(document.add_paragraph(), CENTER, after=6), caption, 12, italic=True)
