from __future__ import annotations

import shutil
import subprocess
from datetime import date

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from services.reporting.content import OverdueCase, UnitRef
from services.reporting.documents import load_document_settings, render_charts, render_docx
from services.reporting.documents.docx_body import column_widths, table_font_size
from services.reporting.documents.docx_style import estimated_width_cm, text_width_cm
from services.reporting.documents.labels import load_labels
from services.reporting.documents.tables import derived_table

from .reporting_samples import kinds, sample_content


def _paragraphs(container):
    yield from container.paragraphs
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from _paragraphs(cell)


def _all_paragraphs(document):
    yield from _paragraphs(document)
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer):
            yield from _paragraphs(part)


def _text(paragraph):
    return " ".join(paragraph.text.split())


def _find(document, text):
    return next(p for p in _all_paragraphs(document) if _text(p) == text)


@pytest.fixture
def report(dvk_content, settings, out):
    return docx.Document(str(render_docx(dvk_content, settings, out / "r.docx")))


def test_page_is_a4_portrait_with_decree_30_margins(report):
    section = report.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= section.top_margin.mm <= 25 and 20 <= section.bottom_margin.mm <= 25
    assert 30 <= section.left_margin.mm <= 35 and 15 <= section.right_margin.mm <= 20


def test_every_run_is_times_new_roman(report):
    runs = [r for p in _all_paragraphs(report) for r in p.runs]
    assert len(runs) > 100
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in runs} == {"Times New Roman"}


def test_header_block_texts_and_styles(report):
    left, right = report.tables[0].cell(0, 0), report.tables[0].cell(0, 1)
    assert [_text(p) for p in left.paragraphs[:2]] == [
        "UBND TỈNH HÀ TĨNH", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"]
    assert [_text(p) for p in right.paragraphs[:2]] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    parent, issuer = left.paragraphs[0].runs[0], left.paragraphs[1].runs[0]
    assert not parent.bold and issuer.bold
    assert {parent.font.size, issuer.font.size} <= {Pt(12), Pt(13)}
    national, motto = right.paragraphs[0].runs[0], right.paragraphs[1].runs[0]
    assert national.bold and national.font.size in (Pt(12), Pt(13))
    assert motto.bold and motto.font.size in (Pt(13), Pt(14))
    for cell in (left, right):
        rule = cell.paragraphs[2]._p.pPr.find(qn("w:pBdr"))
        assert rule is not None and not cell.paragraphs[2].text


def test_number_and_date_line(report):
    number = _find(report, "Số: 05/BC-SLĐTBXH")
    assert number.runs[0].font.size == Pt(13) and not number.runs[0].italic
    dated = _find(report, "Hà Tĩnh, ngày 05 tháng 01 năm 2025")
    assert all(r.italic for r in dated.runs)
    assert dated.runs[0].font.size in (Pt(13), Pt(14))


def test_title_summary_and_kinh_gui(report):
    title = _find(report, "BÁO CÁO")
    summary = _find(report, "Kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2024")
    for paragraph in (title, summary):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER and paragraph.runs[0].bold
    rule = _after(report, summary)
    assert rule.text == "" and rule._p.pPr.find(qn("w:pBdr")) is not None
    _find(report, "Kính gửi: Ban Chỉ đạo phong trào thi đua “Dân vận khéo” tỉnh Hà Tĩnh.")


def test_draft_mark_opens_the_document(report):
    first = report.paragraphs[0]
    assert first.text == "DỰ THẢO" and first.runs[0].bold


def test_body_is_justified_indented_and_spaced(report):
    body = _find(report, "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO")
    closing = next(p for p in report.paragraphs if p.text.startswith("Trên đây là báo cáo"))
    paragraphs = _between(report, body, closing)
    narrative = [p for p in paragraphs if p.paragraph_format.first_line_indent]
    assert len(narrative) > 30
    for paragraph in narrative:
        fmt = paragraph.paragraph_format
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert fmt.first_line_indent == Cm(1.27)
        assert fmt.space_after >= Pt(6)
        assert 1.0 <= fmt.line_spacing <= 1.5
        assert {r.font.size for r in paragraph.runs} <= {Pt(13), Pt(14)}
    assert body.runs[0].bold


def _index(document, paragraph):
    return [p._p for p in document.paragraphs].index(paragraph._p)


def _after(document, paragraph):
    return document.paragraphs[_index(document, paragraph) + 1]


def _between(document, first, last):
    return document.paragraphs[_index(document, first):_index(document, last) + 1]


def test_office_places_are_highlighted(report):
    marked = [r for p in report.paragraphs for r in p.runs if "[Văn phòng Sở bổ sung:" in r.text]
    assert marked and all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in marked)


def test_signing_block_and_recipients(report):
    cells = report.tables[-1].rows[0].cells
    left, right = [_text(p) for p in cells[0].paragraphs], [_text(p) for p in cells[1].paragraphs]
    assert left == ["Nơi nhận:", "- Như trên;", "- Giám đốc, các PGĐ Sở;", "- Lưu: VT, VP."]
    heading = cells[0].paragraphs[0].runs[0]
    assert heading.bold and heading.italic and heading.font.size == Pt(12)
    assert {r.font.size for p in cells[0].paragraphs[1:] for r in p.runs} == {Pt(11)}
    assert [t for t in right if t] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Đinh Hữu Công"]
    assert all(r.bold for p in cells[1].paragraphs for r in p.runs)


def test_page_numbers_in_header_but_not_on_first_page(report):
    section = report.sections[0]
    assert section.different_first_page_header_footer
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and "fldChar" in header_xml
    assert "PAGE" not in section.first_page_header._element.xml
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert section.header_distance < section.top_margin


def test_after_the_merger_header_and_symbol_change(out):
    content = sample_content(report_date=date(2025, 3, 9), number=12)
    settings = load_document_settings(content.report_date)
    document = docx.Document(str(render_docx(content, settings, out / "r.docx")))
    _find(document, "SỞ NỘI VỤ")
    _find(document, "Số: 12/BC-SNV")
    _find(document, "Hà Tĩnh, ngày 09 tháng 3 năm 2025")
    signer = document.tables[-1].rows[0].cells[1].paragraphs[-1]
    assert signer.runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_unnumbered_draft_leaves_a_blank(settings, out):
    path = render_docx(sample_content(number=None), settings, out / "r.docx")
    document = docx.Document(str(path))
    assert any(p.text == "Số: " + " " * 6 + "/BC-SLĐTBXH" for p in _all_paragraphs(document))


def test_charts_and_tables_are_placed(dvk_content, settings, out):
    charts = render_charts(dvk_content, out / "charts")
    document = docx.Document(str(render_docx(dvk_content, settings, out / "r.docx", charts)))
    assert len(document.inline_shapes) == 2
    titles = {_text(p) for p in document.paragraphs}
    assert "Xếp hạng đơn vị theo tỷ lệ giải quyết đúng hạn" in titles
    ranking = next(t for t in document.tables if _text(t.cell(0, 0).paragraphs[0]) == "Hạng")
    assert [_text(c.paragraphs[0]) for c in ranking.rows[1].cells] == [
        "1", "Thanh tra Sở", "18", "14", "93,3%"]


def _office():
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.slow
@pytest.mark.skipif(_office() is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_report_to_pdf(tcd_content, out, tmp_path):
    settings = load_document_settings(tcd_content.report_date)
    charts = render_charts(tcd_content, out / "charts")
    source = render_docx(tcd_content, settings, out / "report.docx", charts)
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [_office(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=120, check=False)
    pdf = out / "report.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists(), result.stdout + result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


def _flags(row):
    tr_pr = row._tr.trPr
    return {tag for tag in ("w:cantSplit", "w:tblHeader")
            if tr_pr is not None and tr_pr.find(qn(tag)) is not None}


def _indent_cm(paragraph, side):
    value = getattr(paragraph.paragraph_format, f"{side}_indent")
    return value.cm if value is not None else 0.0


def test_body_tables_repeat_their_header_and_rows_never_break(report):
    ranking = next(t for t in report.tables if _text(t.cell(0, 0).paragraphs[0]) == "Hạng")
    assert _flags(ranking.rows[0]) == {"w:cantSplit", "w:tblHeader"}
    assert all(_flags(row) == {"w:cantSplit"} for row in ranking.rows[1:])
    header = ranking.rows[0].cells[0].paragraphs[0]
    assert header.paragraph_format.keep_with_next


def test_signing_block_stays_with_the_closing_line(report):
    signature = report.tables[-1]
    assert _flags(signature.rows[0]) == {"w:cantSplit"}
    before = signature._tbl.getprevious()
    closing = next(p for p in report.paragraphs if p._p is before)
    assert closing.text.startswith("Trên đây là báo cáo")
    assert closing.paragraph_format.keep_with_next


def test_issuing_body_holds_two_lines_and_the_quoc_hieu_one(report, settings):
    heading = report.tables[0]
    left, right = (heading.columns[i].width.cm for i in (0, 1))
    assert left + right == pytest.approx(text_width_cm(settings.margins_mm), abs=0.01)
    padding = heading._tbl.tblPr.find(qn("w:tblCellMar"))
    assert {padding.find(qn(f"w:{s}")).get(qn("w:w")) for s in ("left", "right")} == {"0"}
    issuer = heading.cell(0, 0).paragraphs[1].runs[0]
    assert issuer.font.size == Pt(13)
    for line in settings.issuing_body.split("\n"):
        assert estimated_width_cm(line, 13) <= left
    assert estimated_width_cm("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12) <= right


def test_an_issuing_body_too_long_for_13_pt_is_set_in_12(dvk_content, settings, out):
    long = settings.model_copy(update={"issuing_body": "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"})
    document = docx.Document(str(render_docx(dvk_content, long, out / "r.docx")))
    assert document.tables[0].cell(0, 0).paragraphs[1].runs[0].font.size == Pt(12)


def test_rules_under_issuing_body_and_summary_are_a_third_to_half_of_their_line(report,
                                                                               settings):
    left = report.tables[0].cell(0, 0)
    width = report.tables[0].columns[0].width.cm
    rule = width - _indent_cm(left.paragraphs[2], "left") - _indent_cm(left.paragraphs[2], "right")
    longest = max(estimated_width_cm(line, 13) for line in settings.issuing_body.split("\n"))
    assert longest / 3 <= rule <= longest / 2
    summary = _find(report, "Kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2024")
    under = _after(report, summary)
    text = text_width_cm(settings.margins_mm)
    length = text - _indent_cm(under, "left") - _indent_cm(under, "right")
    line = min(estimated_width_cm(_text(summary), 14), text)
    assert line / 3 <= length <= line / 2
    assert under.paragraph_format.space_before == Pt(4)


def test_overdue_columns_keep_dates_and_references_whole(out):
    refs = [OverdueCase(case_ref=f"PAKN-2025-{i:07d}", kind=kinds(khieu_nai=1)[0],
                        unit=UnitRef(code="TT", name_vi="Trung tâm Dịch vụ việc làm Hà Tĩnh"),
                        received_on=date(2025, 1, 9), due_on=date(2025, 1, 30),
                        days_overdue=516) for i in range(3)]
    content = sample_content()
    content.feedback.overdue = refs
    table = derived_table("overdue", content, load_labels())
    size = table_font_size(table, 16.5)
    widths = column_widths(table, 16.5, size)
    assert sum(widths) == pytest.approx(16.5)
    padding = 0.38
    for col, token in ((1, "PAKN-2025-0000001"), (4, "09/01/2025"), (5, "30/01/2025")):
        assert widths[col] >= estimated_width_cm(token, size, bold=False) + padding, col
    for col, word in enumerate(("STT", "Mã", "Loại", "quyết", "nhận", "quyết", "ngày")):
        assert widths[col] >= estimated_width_cm(word, size) + padding, word


def test_estimated_widths_are_not_below_times_new_roman():
    # Advance widths of Times New Roman (em), from its metrics: the estimate must not fall
    # short, or a column sized by it would break a word.
    real = {"SỞ LAO ĐỘNG - THƯƠNG BINH": (13, True, 15.07), "09/01/2025": (11, False, 4.56),
            "PAKN-2025-0002687": (11, False, 8.89), "ngày": (11, True, 2.06)}
    for text, (size, bold, ems) in real.items():
        assert estimated_width_cm(text, size, bold=bold) >= ems * size / 72 * 2.54, text


def test_file_properties_are_the_reports_not_python_docx(report, dvk_content):
    props = report.core_properties
    assert props.title == "Kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2024"
    assert props.author == "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
    assert "python-docx" not in (props.comments + props.author + props.last_modified_by)
    assert props.created == dvk_content.generated_at
    languages = {lang.get(qn("w:val")) for lang in report.styles.element.iter(qn("w:lang"))}
    assert languages == {"vi-VN"}
