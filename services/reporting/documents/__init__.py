"""Pure document-building layer of the reporting service.

From a computed `ReportContent` to the draft report (.docx, Nghị định 30/2020 format), its
.xlsx annex, JSON and PNG charts. No I/O besides writing the files asked for.
"""

from .charts import render_charts
from .docx_report import render_docx
from .forms import form_table, load_forms
from .json_export import load_json, render_json
from .settings import DocumentSettings, load_document_settings
from .xlsx_annex import render_xlsx

__all__ = [
    "DocumentSettings",
    "form_table",
    "load_document_settings",
    "load_forms",
    "load_json",
    "render_charts",
    "render_docx",
    "render_json",
    "render_xlsx",
]
