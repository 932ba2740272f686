"""What keeps a large report quick must not change what it shows: tables laid out row by row,
styles shared between cells, catalogue files read once, the collector paused, SQL hints."""

from __future__ import annotations

import gc
from datetime import date

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from services.reporting.documents import render_xlsx
from services.reporting.documents.docx_body import add_table
from services.reporting.documents.formatting import fmt_date
from services.reporting.documents.yaml_files import read_yaml
from services.reporting.gc_pause import gc_paused
from services.reporting.orm import CaseFact
from services.reporting.queries import Unindexed
from services.reporting.report_tables import HeaderCell, Table

from .reporting_samples import sample_content

ROWS = 120


def _form() -> Table:
    header = [[HeaderCell(text="Đơn vị", rowspan=2), HeaderCell(text="Số vụ việc", colspan=2)],
              [HeaderCell(text="Tổng"), HeaderCell(text="Quá hạn")]]
    rows = [[f"Phòng {i}", 1000 + i, i % 7] for i in range(ROWS)]
    return Table(code="T/1", title_vi="Bảng thử", header=header, rows=rows,
                 column_kinds=["text", "number", "number"], numbered=True)


@pytest.fixture
def grid():
    document = docx.Document()
    add_table(document, _form(), 16.5)
    return document.tables[0]


def _texts(grid, row):
    return [tc.xpath("string(.)") for tc in grid._tbl.tr_lst[row].tc_lst]


def test_a_long_table_has_its_merged_header_marks_and_every_row_in_order(grid):
    assert len(grid.rows) == 3 + ROWS
    assert grid.cell(0, 0)._tc is grid.cell(1, 0)._tc
    assert grid.cell(0, 1)._tc is grid.cell(0, 2)._tc
    assert _texts(grid, 0) == ["Đơn vị", "Số vụ việc"]
    assert _texts(grid, 1) == ["", "Tổng", "Quá hạn"]
    assert _texts(grid, 2) == ["A", "1", "2"]
    assert [_texts(grid, 3 + i) for i in (0, ROWS - 1)] == [
        ["Phòng 0", "1.000", "0"], [f"Phòng {ROWS - 1}", "1.119", str((ROWS - 1) % 7)]]


def test_data_cells_are_aligned_by_kind_and_as_wide_as_their_column(grid):
    widths = [column.width for column in grid.columns]
    for tr in grid._tbl.tr_lst[3:]:
        cells = tr.tc_lst
        assert [tc.width for tc in cells] == widths
        aligns = [tc.xpath("./w:p/w:pPr/w:jc/@w:val")[0] for tc in cells]
        assert aligns == ["left", "right", "right"]


def test_header_rows_repeat_and_no_row_splits(grid):
    flags = [{child.tag for child in tr.trPr} for tr in grid._tbl.tr_lst]
    assert all(qn("w:tblHeader") in f for f in flags[:3])
    assert not any(qn("w:tblHeader") in f for f in flags[3:])
    assert all(qn("w:cantSplit") in f for f in flags)
    first = grid.rows[0].cells[0].paragraphs[0]
    assert first.paragraph_format.keep_with_next
    assert grid.rows[3].cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT


def test_annex_cells_of_one_kind_share_one_style(out):
    content = sample_content("tiep_cong_dan")
    content.tables = [_form()]
    sheet = load_workbook(render_xlsx(content, out / "a.xlsx"))["T-1"]
    first = 7  # title, period, a blank row; two header rows and the column numbers
    for row in sheet.iter_rows(min_row=first, max_row=first + ROWS - 1):
        text, total, late = row
        assert text.number_format == "@" and text.alignment.wrap_text
        assert total.number_format == late.number_format == "[$-42A]#,##0"
        assert not total.alignment.wrap_text and total.alignment.vertical == "top"
        for cell in row:
            assert (cell.font.name, cell.font.sz, cell.border.left.style) == (
                "Times New Roman", 11, "thin")
    assert sheet.cell(first + ROWS - 1, 1).value == f"Phòng {ROWS - 1}"


def test_dates_keep_their_leading_zeros():
    assert fmt_date(date(2026, 1, 5)) == "05/01/2026"
    assert fmt_date(date(2026, 12, 31)) == "31/12/2026"
    assert fmt_date(None) == ""


def test_a_catalogue_file_is_read_again_once_it_changes(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_text("kind: {khieu_nai: Khiếu nại}\n", encoding="utf-8")
    first = read_yaml(path)
    first["kind"]["khieu_nai"] = "changed by a caller"
    assert read_yaml(path) == {"kind": {"khieu_nai": "Khiếu nại"}}
    path.write_text("kind: {khieu_nai: Khiếu nại, to_cao: Tố cáo}\n", encoding="utf-8")
    assert read_yaml(path)["kind"] == {"khieu_nai": "Khiếu nại", "to_cao": "Tố cáo"}


def test_the_collector_pauses_inside_and_resumes_as_it_was():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_unindexed_column_is_hinted_on_sqlite_only():
    query = select(CaseFact.ref).where(Unindexed(CaseFact.received_on) <= date(2026, 1, 1))
    assert "+case_facts.received_on <=" in str(query.compile(dialect=sqlite.dialect()))
    plain = str(query.compile(dialect=postgresql.dialect()))
    assert "WHERE case_facts.received_on <=" in plain and "+" not in plain
