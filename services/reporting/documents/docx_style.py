"""Low-level python-docx helpers: Times New Roman runs, paragraph layout, rules, page setup."""

from __future__ import annotations

from datetime import UTC, datetime

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Cm, Mm, Pt, Twips
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .settings import MARGIN_RANGES_MM, Margins

FONT = "Times New Roman"
A4_WIDTH_MM, A4_HEIGHT_MM = 210, 297
TWIPS_PER_MM = 1440 / 25.4
FIRST_LINE_INDENT = Cm(1.27)
LANGUAGE = "vi-VN"
RULE_GAP_PT = 4  # a rule sits this far under the line above it
CELL_PADDING_CM = 0.19 * 2  # python-docx tables: 108 twips each side
# Average advance widths (em) of Times New Roman letters, a little over the real ones.
_EM = {True: {"upper": 0.74, "digit": 0.5, "space": 0.25, "narrow": 0.34, "other": 0.53},
       False: {"upper": 0.7, "digit": 0.5, "space": 0.25, "narrow": 0.34, "other": 0.47}}
# The same for DejaVu Serif: what fontconfig prints in place of Times New Roman on a machine that
# has neither it nor a metric-compatible twin (Liberation Serif), e.g. a bare LibreOffice install.
# Its digits are a quarter wider, enough to break a date across two lines.
_SUBSTITUTE_EM = {True: {"upper": 0.81, "digit": 0.7, "space": 0.35, "narrow": 0.41, "other": 0.64},
                  False: {"upper": 0.75, "digit": 0.64, "space": 0.32, "narrow": 0.36,
                          "other": 0.59}}
CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT,
                                WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY)


def set_font(run: Run, size: float, *, bold: bool = False, italic: bool = False) -> Run:
    """Times New Roman for every script (Latin, complex, East Asian), at `size` points."""
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    return run


def add_text(paragraph: Paragraph, text: str, size: float, *, bold: bool = False,
             italic: bool = False, highlight: bool = False) -> Run:
    """Add a run; a newline in `text` becomes a line break inside the paragraph."""
    run = set_font(paragraph.add_run(), size, bold=bold, italic=italic)
    for i, line in enumerate(text.split("\n")):
        if i:
            run.add_break()
        run.add_text(line)
    if highlight:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return run


def layout(paragraph: Paragraph, align: int | None = None, *, before: float = 0,
           after: float = 0, first_indent: Cm | None = None, line: float = 1.0) -> Paragraph:
    fmt = paragraph.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.first_line_indent = first_indent
    fmt.line_spacing = line
    return paragraph


def set_default_font(document: Document, size: float) -> None:
    """Times New Roman at `size` and Vietnamese as the language (spelling, hyphenation)."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(size)
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for lang in document.styles.element.iter(qn("w:lang")):
        _set_language(lang)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    _set_language(lang)


def _set_language(lang: BaseOxmlElement) -> None:
    for attr in ("w:val", "w:eastAsia"):
        lang.set(qn(attr), LANGUAGE)


def set_properties(document: Document, *, title: str, author: str, created: datetime) -> None:
    """The file's own properties (shown by File > Properties) instead of python-docx's."""
    props = document.core_properties
    props.title, props.subject, props.author = title, title, author
    props.comments, props.keywords, props.category = "", "", "Báo cáo"
    props.last_modified_by, props.language, props.revision = author, LANGUAGE, 1
    if created.tzinfo is not None:
        created = created.astimezone(UTC).replace(tzinfo=None)  # the file stores UTC
    props.created = props.modified = created


def setup_page(section: Section, margins: Margins) -> None:
    """A4 portrait with the given margins; the header (page number) sits in the top margin."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(A4_WIDTH_MM), Mm(A4_HEIGHT_MM)
    section.top_margin, section.bottom_margin = _margin(margins, "top"), _margin(margins, "bottom")
    section.left_margin, section.right_margin = _margin(margins, "left"), _margin(margins, "right")
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _margin(margins: Margins, side: str) -> Twips:
    """The margin in whole twips (as .docx stores it), kept inside the Decree 30 range:
    15 mm is 850.4 twips, and 850 would fall just below 15 mm."""
    low, high = MARGIN_RANGES_MM[side]
    twips = round(getattr(margins, side) * TWIPS_PER_MM)
    if twips / TWIPS_PER_MM < low:
        twips += 1
    if twips / TWIPS_PER_MM > high:
        twips -= 1
    return Twips(twips)


def text_width_cm(margins: Margins) -> float:
    return (A4_WIDTH_MM - margins.left - margins.right) / 10


def add_page_numbers(section: Section, size: float) -> None:
    """Page number centred in the top margin, on every page but the first."""
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = layout(header.paragraphs[0], CENTER)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = set_font(paragraph.add_run(), size)
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def estimated_width_cm(text: str, size: float, *, bold: bool = True) -> float:
    """About how wide `text` prints on one line in Times New Roman at `size` points (average
    advance widths by kind of character, a little over the real ones)."""
    return _width_cm(text, size, _EM[bold])


def unbreakable_width_cm(word: str, size: float, *, bold: bool = True) -> float:
    """How wide `word` may print: in Times New Roman or, where it is missing, in the font most
    likely put in its place. What must never break (a date, a case reference) gets this much."""
    return max(_width_cm(word, size, _EM[bold]), _width_cm(word, size, _SUBSTITUTE_EM[bold]))


def _width_cm(text: str, size: float, widths: dict[str, float]) -> float:
    return sum(widths[_char_class(c)] for c in text) * size / 72 * 2.54


def _char_class(char: str) -> str:
    if char.isupper():
        return "upper"
    if char.isdigit():
        return "digit"
    if char.isspace():
        return "space"
    return "narrow" if char in ".,;:!'|/()-[]" else "other"


def add_rule(paragraph: Paragraph, length_cm: float, box_cm: float) -> Paragraph:
    """Turn an empty paragraph into a centred horizontal rule `length_cm` long, set a little
    below the line above it (so it reads as a rule, not as an underline of the text)."""
    side = max((box_cm - length_cm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = Cm(side), Cm(side)
    layout(paragraph, CENTER, before=RULE_GAP_PT)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    p_pr.insert_element_before(borders, *_AFTER_PBDR)
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    p_pr.append(mark)
    return paragraph


_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)


def keep_rows_whole(table: DocxTable, header_rows: int = 0) -> None:
    """No row breaks across pages; the first `header_rows` repeat on every page the table
    runs onto and stay with the row under them."""
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        _set_flag(tr_pr, "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing",
                  "w:jc", "w:hidden")
        if i < header_rows:
            _set_flag(tr_pr, "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden")
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _set_flag(parent: BaseOxmlElement, tag: str, *successors: str) -> None:
    if parent.find(qn(tag)) is None:
        parent.insert_element_before(OxmlElement(tag), *successors)


def set_cell_padding(table: DocxTable, left_cm: float, right_cm: float) -> None:
    """Left and right padding of every cell of `table`."""
    tbl_pr = table._tbl.tblPr
    margins = tbl_pr.find(qn("w:tblCellMar"))
    if margins is None:
        margins = OxmlElement("w:tblCellMar")
        tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription",
                                     "w:tblPrChange")
    for side, width in (("w:left", left_cm), ("w:right", right_cm)):
        element = OxmlElement(side)
        element.set(qn("w:w"), str(round(width * 1440 / 2.54)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)


def set_widths(table: DocxTable, widths_cm: list[float]) -> None:
    """Fixed layout; each grid column and each cell under it `widths_cm` wide. The grid is
    laid out once (`column.cells` lays out the whole table for every column)."""
    table.autofit = False
    cells, n_columns = table._cells, table._column_count
    for i, width in enumerate(widths_cm):
        table.columns[i].width = Cm(width)
        for cell in cells[i::n_columns]:
            cell.width = Cm(width)
