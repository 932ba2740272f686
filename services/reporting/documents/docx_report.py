"""The report as a .docx in the format of Nghị định 30/2020/NĐ-CP (Phụ lục I), marked DỰ THẢO."""

from __future__ import annotations

from pathlib import Path

import docx

from ..content import ReportContent
from ..report_tables import Table
from .docx_body import add_blocks
from .docx_parts import add_draft_mark, add_heading_table, add_kinh_gui, add_signature, add_title
from .docx_style import (add_page_numbers, set_default_font, set_properties, setup_page,
                         text_width_cm)
from .labels import load_labels
from .narrative import Narrative, render_narrative
from .settings import DocumentSettings
from .tables import derived_tables

PAGE_NUMBER_PT = 13


def render_docx(content: ReportContent, settings: DocumentSettings, path: Path,
                charts: dict[str, Path] | None = None, *,
                tables: dict[str, Table] | None = None,
                narrative: Narrative | None = None) -> Path:
    """Write the draft report to `path`; `charts` (from render_charts) are placed where the
    family template asks for them, and so are the derived tables. `tables` (from
    derived_tables) and `narrative` (from render_narrative): when already made. Returns
    `path`."""
    if settings.valid_from > content.report_date:
        raise ValueError(f"settings valid from {settings.valid_from} do not apply to a report "
                         f"dated {content.report_date}; load them for the report date")
    if narrative is None:
        narrative = render_narrative(content, settings)
    size = settings.body_font_pt
    document = docx.Document()
    set_default_font(document, size)
    section = document.sections[0]
    setup_page(section, settings.margins_mm)
    add_page_numbers(section, PAGE_NUMBER_PT)
    add_draft_mark(document)
    add_heading_table(document, settings, content)
    width = text_width_cm(settings.margins_mm)
    add_title(document, narrative.summary, size, width)
    add_kinh_gui(document, settings.kinh_gui.get(content.family, []), size)
    labels = load_labels(settings)
    add_blocks(document, narrative.blocks, content, labels=labels, charts=charts or {},
               size=size, width_cm=width, max_rows=settings.body_table_rows,
               derived=derived_tables(content, labels) if tables is None else tables)
    document.paragraphs[-1].paragraph_format.keep_with_next = True  # closing line + signer
    add_signature(document, settings, content, size)
    set_properties(document, title=narrative.summary, author=_issuer(settings),
                   created=content.generated_at)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _issuer(settings: DocumentSettings) -> str:
    return " ".join(settings.issuing_body.split())
