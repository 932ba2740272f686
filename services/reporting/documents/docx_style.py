"""Low-level python-docx helpers: Times New Roman runs, paragraph layout, rules, page setup."""

from __future__ import annotations

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
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
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


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


def add_rule(paragraph: Paragraph, length_cm: float, box_cm: float) -> Paragraph:
    """Turn an empty paragraph into a centred horizontal rule `length_cm` long."""
    side = max((box_cm - length_cm) / 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = Cm(side), Cm(side)
    layout(paragraph, CENTER)
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


def set_widths(table: DocxTable, widths_cm: list[float]) -> None:
    table.autofit = False
    for i, width in enumerate(widths_cm):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
