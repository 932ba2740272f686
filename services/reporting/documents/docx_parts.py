"""The fixed parts of a Decree 30/2020 report: header table, title, Kính gửi, signing block."""

from __future__ import annotations

from docx.document import Document
from docx.table import _Cell

from ..content import ReportContent
from .docx_style import (CENTER, LEFT, RIGHT, add_rule, add_text, estimated_width_cm,
                         keep_rows_whole, layout, set_cell_padding, set_widths, text_width_cm)
from .formatting import date_line, document_number
from .narrative import office
from .settings import DocumentSettings

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT_MARK = "DỰ THẢO"
NATIONAL_COL_CM = 9.2   # Quốc hiệu, 12 pt bold: about 8.8 cm
MIN_ISSUER_COL_CM = 6.5
ISSUER_PT, SMALL_ISSUER_PT = 13, 12
RULE_SHARE = 0.4        # rules under the issuing body and the summary: 1/3 to 1/2 of the line


def add_draft_mark(document: Document) -> None:
    add_text(layout(document.add_paragraph(), RIGHT, after=6), DRAFT_MARK, 13, bold=True)


def header_columns_cm(width_cm: float) -> tuple[float, float]:
    """(issuing body, Quốc hiệu) column widths: the right one holds the Quốc hiệu on one
    line, the left one the rest (7.3 cm at the default margins)."""
    right = min(NATIONAL_COL_CM, width_cm - MIN_ISSUER_COL_CM)
    return width_cm - right, right


def add_heading_table(document: Document, settings: DocumentSettings,
                      content: ReportContent) -> None:
    """Parent/issuing body and Số on the left; Quốc hiệu, Tiêu ngữ and the date on the right."""
    left_cm, right_cm = header_columns_cm(text_width_cm(settings.margins_mm))
    table = document.add_table(rows=2, cols=2)
    set_widths(table, [left_cm, right_cm])
    set_cell_padding(table, 0, 0)
    _issuer(table.cell(0, 0), settings, left_cm)
    _national(table.cell(0, 1), right_cm)
    number = document_number(content.number, settings.doc_type_code, settings.symbol,
                             settings.number_placeholder)
    add_text(layout(table.cell(1, 0).paragraphs[0], CENTER, before=6), number, 13)
    dated = date_line(settings.place, content.report_date)
    add_text(layout(table.cell(1, 1).paragraphs[0], CENTER, before=6), dated, 14, italic=True)


def fitting_size(text: str, width_cm: float) -> int:
    """13 pt when every line of `text` fits in `width_cm`, else 12 (Decree 30 allows both)."""
    longest = max(text.split("\n"), key=lambda line: estimated_width_cm(line, ISSUER_PT))
    return ISSUER_PT if estimated_width_cm(longest, ISSUER_PT) <= width_cm else SMALL_ISSUER_PT


def _issuer(cell: _Cell, settings: DocumentSettings, width_cm: float) -> None:
    add_text(layout(cell.paragraphs[0], CENTER), settings.parent_body,
             fitting_size(settings.parent_body, width_cm))
    size = fitting_size(settings.issuing_body, width_cm)
    add_text(layout(cell.add_paragraph(), CENTER), settings.issuing_body, size, bold=True)
    add_rule(cell.add_paragraph(), rule_length_cm(settings.issuing_body, size, width_cm),
             width_cm)


def rule_length_cm(text: str, size: float, width_cm: float) -> float:
    """The rule under `text`: RULE_SHARE of its longest printed line (at most `width_cm`)."""
    longest = max(estimated_width_cm(line, size) for line in text.split("\n"))
    return RULE_SHARE * min(longest, width_cm)


def _national(cell: _Cell, width_cm: float) -> None:
    add_text(layout(cell.paragraphs[0], CENTER), NATIONAL_NAME, 12, bold=True)
    add_text(layout(cell.add_paragraph(), CENTER), MOTTO, 13, bold=True)
    add_rule(cell.add_paragraph(), 6.0, width_cm)


def add_title(document: Document, summary: str, size: float, width_cm: float) -> None:
    """BÁO CÁO, the summary (trích yếu) in bold, and a rule under them (1/3 to 1/2 of the
    summary's line)."""
    add_text(layout(document.add_paragraph(), CENTER, before=18), "BÁO CÁO", size, bold=True)
    add_text(layout(document.add_paragraph(), CENTER), summary, size, bold=True)
    add_rule(document.add_paragraph(), rule_length_cm(summary, size, width_cm), width_cm)


def add_kinh_gui(document: Document, addressees: list[str], size: float) -> None:
    """"Kính gửi: X." for one addressee; "Kính gửi:" and "- X;" lines for several."""
    if not addressees:
        return
    first = layout(document.add_paragraph(), CENTER, before=6, after=6)
    if len(addressees) == 1:
        add_text(first, f"Kính gửi: {addressees[0]}.", size)
        return
    add_text(first, "Kính gửi:", size)
    for i, name in enumerate(addressees):
        end = "." if i == len(addressees) - 1 else ";"
        add_text(layout(document.add_paragraph(), CENTER), f"- {name}{end}", size)


def add_signature(document: Document, settings: DocumentSettings, content: ReportContent,
                  size: float) -> None:
    """"Nơi nhận" on the left; signing authority, title and signer's name on the right."""
    table = document.add_table(rows=1, cols=2)
    width = text_width_cm(settings.margins_mm)
    set_widths(table, [width * 0.5, width * 0.5])
    _recipients(table.cell(0, 0), settings.recipients.get(content.family, []),
                settings.drafting_unit)
    _signer(table.cell(0, 1), settings, size)
    keep_rows_whole(table)


def _recipients(cell: _Cell, recipients: list[str], drafting_unit: str) -> None:
    add_text(layout(cell.paragraphs[0], LEFT, before=6), "Nơi nhận:", 12, bold=True, italic=True)
    for name in recipients:
        add_text(layout(cell.add_paragraph(), LEFT), f"- {name};", 11)
    add_text(layout(cell.add_paragraph(), LEFT), f"- Lưu: VT, {drafting_unit}.", 11)


def _signer(cell: _Cell, settings: DocumentSettings, size: float) -> None:
    lines = [t for t in (settings.signing_authority, settings.signer_title) if t]
    first = True
    for text in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        add_text(layout(paragraph, CENTER, before=6 if first else 0), text.upper(), size, bold=True)
        first = False
    for _ in range(4):
        layout(cell.add_paragraph(), CENTER)
    name = layout(cell.add_paragraph(), CENTER)
    if settings.signer_name:
        add_text(name, settings.signer_name, size, bold=True)
    else:
        add_text(name, office("họ và tên người ký"), size, bold=True, highlight=True)
