"""The body of the report: narrative blocks, tables and charts, in Decree 30 body layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.document import Document
from docx.oxml.simpletypes import ST_Merge
from docx.shared import Cm
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from ..content import ReportContent
from ..report_tables import Cell, Table
from .docx_style import (CELL_PADDING_CM, CENTER, FIRST_LINE_INDENT, JUSTIFY, LEFT, RIGHT,
                         add_text, estimated_width_cm, keep_rows_whole, layout, set_font,
                         set_widths, unbreakable_width_cm)
from .formatting import fmt_decimal, fmt_int, fmt_pct
from .narrative import Block, split_placeholders
from .tables import DERIVED, derived_table

BODY_LINE_SPACING = 1.15
TABLE_FONT_PT = 12
WIDE_TABLE_FONT_PT = 11
MIN_COLUMN_CM = 0.8
WORD_SLACK_CM = 0.1     # a word's estimated width may fall a little short of the printed one
MAX_COLUMN_SHARE = 0.4  # a long text wraps rather than take more of the table's width
CROWDED_SHARE = 0.85
HEADER_LINES = 2


def add_blocks(document: Document, blocks: list[Block], content: ReportContent, *,
               labels: dict[str, Any], charts: dict[str, Path], size: float,
               width_cm: float, max_rows: int = 50,
               derived: dict[str, Table] | None = None) -> None:
    """`derived`: the content's derived tables by name (derived_tables), when already built."""
    for block in blocks:
        if block.kind == "table":
            table = _find_table(block.text, content, labels, derived)
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


def _find_table(name: str, content: ReportContent, labels: dict[str, Any],
                derived: dict[str, Table] | None) -> Table | None:
    if name in DERIVED:
        if derived is not None:
            return derived.get(name)
        return derived_table(name, content, labels)
    found = next((t for t in content.tables if t.code == name), None)
    if found is None:
        raise ValueError(f"template asks for table {name!r}, which the report does not have")
    return found


def add_table(document: Document, table: Table, width_cm: float) -> None:
    """A titled grid table; merged header cells, numbers right-aligned, notes in italics."""
    size = table_font_size(table, width_cm)
    title = layout(document.add_paragraph(), CENTER, before=6, after=3)
    add_text(title, table.title_vi, size, bold=True)
    title.paragraph_format.keep_with_next = True
    height = len(table.header) + (1 if table.numbered else 0)
    grid = document.add_table(rows=height + len(table.rows), cols=table.n_columns)
    grid.style = "Table Grid"
    set_widths(grid, column_widths(table, width_cm, size))
    _fill_header(grid, table, size)
    _fill_rows(grid, table, height, size)
    keep_rows_whole(grid, header_rows=height)
    for note in table.notes_vi:
        add_text(layout(document.add_paragraph(), JUSTIFY, before=3), note, size, italic=True)
    layout(document.add_paragraph(), after=3)


def table_font_size(table: Table, width_cm: float) -> float:
    """12 pt, or 11 when at 12 pt the table's words alone would fill most of the width."""
    least, _, _ = _column_needs(table, TABLE_FONT_PT)
    return TABLE_FONT_PT if sum(least) <= width_cm * CROWDED_SHARE else WIDE_TABLE_FONT_PT


def column_widths(table: Table, total_cm: float, size: float = TABLE_FONT_PT) -> list[float]:
    """Share `total_cm`: no word breaks inside a column (a date, a case reference or a header
    word is one word); then, as far as the width allows, the data and after them the header
    texts fit on one line (a header on HEADER_LINES); the rest in proportion."""
    least, data, header = _column_needs(table, size)
    if sum(least) >= total_cm:
        return [total_cm * w / sum(least) for w in least]
    cap = total_cm * MAX_COLUMN_SHARE
    widths = _grow(least, [min(d, cap) for d in data], total_cm)
    widths = _grow(widths, header, total_cm)
    rest = total_cm - sum(widths)
    return [w + rest * w / sum(widths) for w in widths]


def _column_needs(table: Table, size: float) -> tuple[list[float], list[float], list[float]]:
    """Per column, the width (cm, padded) of its longest word, of its longest data text and of
    its header text on HEADER_LINES lines."""
    least = [MIN_COLUMN_CM] * table.n_columns
    data = [MIN_COLUMN_CM] * table.n_columns
    header = [MIN_COLUMN_CM] * table.n_columns
    for placed in table.placed_header():
        if placed.cell.colspan == 1:
            col, text = placed.col, placed.cell.text
            least[col] = max(least[col], _longest_word_cm(text, size, bold=True))
            header[col] = max(header[col], estimated_width_cm(text, size) / HEADER_LINES
                              + CELL_PADDING_CM + WORD_SLACK_CM)
    for row in table.rows:
        for col, value in enumerate(row):
            shown = format_cell(value, table.kind_of(col))
            least[col] = max(least[col], _longest_word_cm(shown, size, bold=False))
            data[col] = max(data[col], estimated_width_cm(shown, size, bold=False)
                            + CELL_PADDING_CM + WORD_SLACK_CM)
    return least, data, header


def _longest_word_cm(text: str, size: float, *, bold: bool) -> float:
    widest = max((unbreakable_width_cm(w, size, bold=bold) for w in text.split()), default=0)
    return widest + CELL_PADDING_CM + WORD_SLACK_CM


def _grow(widths: list[float], targets: list[float], total: float) -> list[float]:
    """Widen columns towards their targets within `total`, the smallest need first; what is
    left when a need no longer fits is shared in proportion to the needs still open."""
    widths, spare = list(widths), total - sum(widths)
    needs = sorted((t - w, c) for c, (t, w) in enumerate(zip(targets, widths, strict=True))
                   if t > w)
    for i, (need, col) in enumerate(needs):
        if need > spare:
            still = needs[i:]
            for open_need, open_col in still:
                widths[open_col] += spare * open_need / sum(n for n, _ in still)
            return widths
        widths[col] += need
        spare -= need
    return widths


def _fill_rows(grid: DocxTable, table: Table, first: int, size: float) -> None:
    """The data rows, cell by cell along each row's own <w:tc> elements: `grid.cell()`
    walks the whole table on every call, which made a long table quadratic."""
    kinds = [table.kind_of(col) for col in range(table.n_columns)]
    for tr, row in zip(grid._tbl.tr_lst[first:], table.rows, strict=True):
        for tc, value, kind in zip(tr.tc_lst, row, kinds, strict=True):
            paragraph = layout(_Cell(tc, grid).paragraphs[0], LEFT if kind == "text" else RIGHT)
            add_text(paragraph, format_cell(value, kind), size)


def _fill_header(grid: DocxTable, table: Table, size: float) -> None:
    height = len(table.header) + (1 if table.numbered else 0)
    for placed in table.placed_header():
        span = placed.cell
        merged = header_cell(grid, height, placed.row, placed.col)
        if span.rowspan > 1 or span.colspan > 1:
            merged = merged.merge(header_cell(grid, height, placed.row + span.rowspan - 1,
                                              placed.col + span.colspan - 1))
        add_text(layout(merged.paragraphs[0], CENTER), span.text, size, bold=True)
    if table.numbered:
        row = len(table.header)
        for col, mark in enumerate(column_marks(table)):
            cell = header_cell(grid, height, row, col)
            add_text(layout(cell.paragraphs[0], CENTER), mark, size, italic=True)


def header_cell(grid: DocxTable, height: int, row: int, col: int) -> _Cell:
    """`grid.cell(row, col)` for a cell of the first `height` rows, looked up in those rows
    only (python-docx's own look-up lays out every row of the table on each call)."""
    n_columns, cells = grid._column_count, []
    for tr in grid._tbl.tr_lst[:height]:
        for tc in tr.tc_lst:
            for span_idx in range(tc.grid_span):
                if tc.vMerge == ST_Merge.CONTINUE:
                    cells.append(cells[-n_columns])
                elif span_idx > 0:
                    cells.append(cells[-1])
                else:
                    cells.append(_Cell(tc, grid))
    return cells[col + row * n_columns]


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
