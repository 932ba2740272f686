from __future__ import annotations

import json
import warnings

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from services.reporting.content import ReportContent
from services.reporting.documents import (load_document_settings, load_json, render_charts,
                                          render_json, render_xlsx)
from services.reporting.documents.xlsx_annex import sheet_title, wrapped_lines

from .reporting_samples import sample_content

TCD_SHEETS = ["01-TCD", "01-XLD", "01-KQGQ", "Phụ lục mô hình", "Mô hình theo lĩnh vực",
              "Mô hình theo đơn vị",
              "Đơn thư theo đơn vị", "Xếp hạng đơn vị", "Vụ việc quá hạn"]


@pytest.fixture
def workbook(tcd_content, out):
    return load_workbook(render_xlsx(tcd_content, out / "annex.xlsx"))


def test_one_sheet_per_table(workbook):
    assert workbook.sheetnames == TCD_SHEETS


def test_numbers_are_stored_as_numbers(workbook):
    sheet = workbook["Đơn thư theo đơn vị"]
    first_data = int(sheet.freeze_panes[1:])
    row = [c.value for c in sheet[first_data]]
    assert row == ["Văn phòng Sở", 30, 26, 24, 2, 4, 1]
    assert all(c.data_type == "n" for c in sheet[first_data][1:])
    money = workbook["01-KQGQ"]
    values = [c.value for c in money[int(money.freeze_panes[1:])]]
    assert 12.5 in values and 9 in values


def test_rates_are_fractions_shown_as_percent(workbook):
    sheet = workbook["Xếp hạng đơn vị"]
    rate = sheet.cell(row=int(sheet.freeze_panes[1:]), column=5)
    assert rate.value == pytest.approx(14 / 15) and rate.number_format == "[$-42A]0.0%"


def test_header_rows_are_frozen_and_merged(workbook):
    sheet = workbook["01-TCD"]
    assert sheet.freeze_panes == "B8"
    assert sheet["A4"].value == "Đơn vị" and "A4:A6" in sheet.merged_cells
    assert sheet["B4"].value == "Tổng số" and "B4:D4" in sheet.merged_cells
    assert [sheet.cell(row=7, column=c).value for c in (1, 2, 30, 31)] == ["A", "1", "29", "B"]
    assert sheet["A1"].value.startswith("Biểu số 01/TCD: TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN")
    assert "số liệu từ ngày 15/12/2023 đến ngày 14/12/2024" in sheet["A2"].value


def test_column_widths_are_set(workbook):
    for sheet in workbook.worksheets:
        for col in range(1, sheet.max_column + 1):
            letter = get_column_letter(col)
            assert 6 <= sheet.column_dimensions[letter].width <= 45, (sheet.title, letter)
    annex = workbook["Phụ lục mô hình"]
    assert annex.column_dimensions["B"].width > annex.column_dimensions["A"].width


def test_ranking_note_lists_units_left_out(workbook):
    sheet = workbook["Xếp hạng đơn vị"]
    notes = [c.value for c in sheet["A"]
             if isinstance(c.value, str) and "Không xếp hạng" in c.value]
    assert notes == ["Không xếp hạng các đơn vị có dưới 5 vụ việc: "
                     "Phòng Lao động - Việc làm (2 vụ việc)."]


def test_sheet_titles_are_valid_and_unique():
    used: set[str] = set()
    assert sheet_title("01/TCD", used) == "01-TCD"
    assert sheet_title("01/TCD", used) == "01-TCD (2)"
    assert len(sheet_title("x" * 40, used)) == 31


def test_report_without_tables_is_refused(out):
    empty = sample_content(feedback=None, models=[], ranking=None, tables=[])
    with pytest.raises(ValueError, match="no tables"):
        render_xlsx(empty, out / "a.xlsx")


@pytest.mark.parametrize("family", ["dan_van_kheo", "tiep_cong_dan"])
def test_json_round_trip_equals_content(family, out):
    content = sample_content(family)
    path = render_json(content, out / "c.json")
    assert load_json(path) == content
    assert ReportContent.model_validate(json.loads(path.read_text(encoding="utf-8"))) == content
    text = path.read_text(encoding="utf-8")
    assert "Văn phòng Sở" in text and "\\u" not in text


def test_charts_are_pngs_with_every_glyph(dvk_content, out):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts = render_charts(dvk_content, out)
    assert set(charts) == {"on_time_by_unit", "cases_by_month"}
    for path in charts.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_no_chart_without_data(out):
    assert render_charts(sample_content(feedback=None, ranking=None), out) == {}


def test_numbers_show_vietnamese_separators_in_any_locale(workbook):
    sheet = workbook["Đơn thư theo đơn vị"]
    cell = sheet.cell(row=int(sheet.freeze_panes[1:]), column=2)
    assert cell.number_format == "[$-42A]#,##0"
    money = workbook["01-KQGQ"]
    row = money[int(money.freeze_panes[1:])]
    assert {c.number_format for c in row if isinstance(c.value, float)} == {"[$-42A]#,##0.00"}


def test_sheets_print_on_a4_one_page_wide_with_their_header_on_every_page(workbook):
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert setup.paperSize == 9, sheet.title  # A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        first_data = int(sheet.freeze_panes[1:])
        assert sheet.print_title_rows == f"$4:${first_data - 1}", sheet.title
        assert sheet.oddFooter.center.text == "Trang &P" and setup.useFirstPageNumber
    assert workbook["01-TCD"].page_setup.orientation == "landscape"
    assert workbook["Đơn thư theo đơn vị"].page_setup.orientation == "portrait"


def test_header_rows_are_tall_enough_for_their_wrapped_words(workbook):
    sheet = workbook["01-TCD"]
    for row in range(4, 7):
        for cell in sheet[row]:
            if not isinstance(cell.value, str):
                continue
            width = sum(sheet.column_dimensions[get_column_letter(c)].width
                        for c in _span(sheet, cell))
            rows = _rows(sheet, cell)
            height = sum(sheet.row_dimensions[r].height for r in rows)
            assert height >= wrapped_lines(cell.value, width) * 15, cell.coordinate
    assert [wrapped_lines("Vụ việc nhiều lần", w) for w in (5, 8, 20)] == [4, 3, 1]


def _span(sheet, cell):
    merged = next((m for m in sheet.merged_cells.ranges if cell.coordinate in m), None)
    return range(merged.min_col, merged.max_col + 1) if merged else [cell.column]


def _rows(sheet, cell):
    merged = next((m for m in sheet.merged_cells.ranges if cell.coordinate in m), None)
    return range(merged.min_row, merged.max_row + 1) if merged else [cell.row]


def test_workbook_properties_name_the_report(tcd_content, out):
    settings = load_document_settings(tcd_content.report_date)
    book = load_workbook(render_xlsx(tcd_content, out / "a.xlsx", settings))
    assert book.properties.title == "Phụ lục báo cáo năm 2024 - Sở Lao động - Thương binh và Xã hội"
    assert book.properties.creator == "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    assert book.properties.language == "vi-VN"
