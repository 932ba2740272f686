"""Write a report's files (draft .docx, .xlsx annex, JSON, PNG charts) and describe them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from shared.contracts.reporting import ReportFile

from .content import ReportContent
from .documents import render_charts, render_docx, render_json, render_xlsx
from .documents.labels import load_labels
from .documents.narrative import Narrative, render_narrative
from .documents.settings import DocumentSettings
from .documents.tables import all_tables, derived_tables
from .gc_pause import run_paused

FAMILY_SLUGS = {"dan_van_kheo": "dan-van-kheo", "tiep_cong_dan": "tiep-cong-dan"}


def folder_for(root: Path, family: str, period: str, scope: str, stamp: str) -> Path:
    """<root>/<family>/<period>/<scope>/<stamp>: one folder per build, kept."""
    return Path(root) / family / _safe(period) / _safe(scope) / stamp


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]+", "_", text.replace("..", "_")).strip("_") or "_"


def write_report(content: ReportContent, settings: DocumentSettings, folder: Path,
                 period_code: str, narrative: Narrative | None = None) -> list[ReportFile]:
    """Render every file of the report into `folder`; the .xlsx only when there are tables.
    `narrative`: the content's, when already rendered. The tables are built once for all the
    files; each step runs with the garbage collector paused (gc_pause)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"bao-cao-{FAMILY_SLUGS[content.family]}-{_safe(period_code)}"
    if narrative is None:
        narrative = run_paused(render_narrative, content, settings)
    charts = run_paused(render_charts, content, folder, settings)
    labels = load_labels(settings)
    derived = run_paused(derived_tables, content, labels)
    docx_path, xlsx_path = folder / f"{stem}.docx", folder / f"{stem}-phu-luc.xlsx"
    written = [("docx", run_paused(render_docx, content, settings, docx_path, charts,
                                   tables=derived, narrative=narrative))]
    annex = all_tables(content, labels, derived)
    if annex:
        written.append(("xlsx", run_paused(render_xlsx, content, xlsx_path, settings,
                                           tables=annex)))
    written.append(("json", render_json(content, folder / f"{stem}.json")))
    written.extend(("png", path) for _, path in sorted(charts.items()))
    return [describe(fmt, path) for fmt, path in written]


def describe(fmt: str, path: Path) -> ReportFile:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return ReportFile(format=fmt, path=str(Path(path).resolve()), sha256=digest.hexdigest(),
                      size=Path(path).stat().st_size)
