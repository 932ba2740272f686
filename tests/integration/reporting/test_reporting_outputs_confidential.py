"""The files of real reports: no denouncer identifiable anywhere; the .docx converts to PDF."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.shared import Mm

from services.reporting.bootstrap import read_sessions
from services.reporting.builder import ReportRequest
from services.reporting.reports import ReportMaker
from services.reporting.synthetic import DENUNCIATION_MARK
from shared.db import create_engine

from .conftest import context, record_history


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    import asyncio

    folder = tmp_path_factory.mktemp("confidential")
    url = f"sqlite+aiosqlite:///{folder / 'reporting.db'}"
    asyncio.run(record_history(url, 300, seed=13))
    return folder, asyncio.run(_make(url, folder / "reports"))


async def _make(url: str, out: Path) -> list:
    engine = create_engine(url)
    maker = ReportMaker(read=read_sessions(url, engine), context=context(min_cases=1),
                        output_dir=out)
    try:
        return [await maker.make(ReportRequest(family, "2026-H1", scope,
                                               report_date=date(2026, 7, 10)),
                                 datetime(2026, 7, 10, tzinfo=UTC))
                for family, scope in (("dan_van_kheo", "department"),
                                      ("tiep_cong_dan", "department"),
                                      ("dan_van_kheo", "THANH_TRA"))]
    finally:
        await engine.dispose()


def text_of(path: Path) -> str:
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(v) for s in book.worksheets for r in s.iter_rows(values_only=True)
                         for v in r if v is not None)
    return path.read_text(encoding="utf-8")


def test_the_denouncers_marker_reached_reporting_but_no_report(built):
    folder, generated = built
    with sqlite3.connect(folder / "reporting.db") as db:
        (inputs,) = db.execute("SELECT count(*) FROM event_log WHERE body LIKE ?",
                               (f"%{DENUNCIATION_MARK}%",)).fetchone()
    assert inputs > 0
    files = [Path(f.path) for g in generated for f in g.files if f.format != "png"]
    assert {p.suffix for p in files} == {".docx", ".xlsx", ".json"}
    for path in files:
        text = text_of(path)
        assert DENUNCIATION_MARK not in text, path
        assert "Nội dung vụ việc" not in text, path  # case contents never go out


def test_overdue_cases_are_listed_by_reference_only(built):
    _, generated = built
    data = json.loads(Path(next(f.path for f in generated[0].files if f.format == "json"))
                      .read_text(encoding="utf-8"))
    overdue = data["feedback"]["overdue"]
    assert overdue and set(overdue[0]) == {"case_ref", "kind", "unit", "received_on", "due_on",
                                           "days_overdue"}


def _office() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(_office() is None, reason="LibreOffice is not installed")
def test_a_generated_report_opens_and_converts_to_pdf(built, tmp_path: Path):
    _, generated = built
    source = Path(next(f.path for f in generated[0].files if f.format == "docx"))
    document = docx.Document(str(source))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m / Mm(1)) for m in (section.top_margin, section.bottom_margin,
                                       section.left_margin, section.right_margin)] == [
        20, 20, 30, 15]
    fonts = {r.font.name for p in document.paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"}
    result = subprocess.run(
        [_office(), f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180, check=False)
    pdf = tmp_path / (source.stem + ".pdf")
    assert result.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-", result.stderr


def _pdf_pages(source: Path, out: Path, env: dict[str, str] | None = None) -> list[str]:
    """The text of each page of `source` converted by LibreOffice (pdftotext -layout)."""
    subprocess.run([_office(), f"-env:UserInstallation={(out / 'lo').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(source)],
                   capture_output=True, text=True, timeout=180, check=True, env=env)
    text = subprocess.run(["pdftotext", "-layout", str(out / (source.stem + ".pdf")), "-"],
                          capture_output=True, text=True, timeout=60, check=True).stdout
    return text.split("\f")[:-1]


TIMES_AND_TWINS = ("Times New Roman", "Liberation Serif", "Tinos", "Nimbus Roman",
                   "TeX Gyre Termes", "Times")


def _font_environment(fonts: str, folder: Path) -> dict[str, str] | None:
    """None for the machine's own fonts; for "substitute", a fontconfig setup that hides Times
    New Roman and its metric-compatible twins, so LibreOffice prints in whatever is left (on
    Debian, DejaVu Serif: wider letters)."""
    if fonts == "installed":
        return None
    rejected = "".join(f"<pattern><patelt name=\"family\"><string>{name}</string></patelt>"
                       "</pattern>" for name in TIMES_AND_TWINS)
    config = folder / "fonts.conf"
    config.write_text('<?xml version="1.0"?><fontconfig>'
                      '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                      f"<selectfont><rejectfont>{rejected}</rejectfont></selectfont></fontconfig>",
                      encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    if shutil.which("fc-match"):
        chosen = subprocess.run(["fc-match", "-f", "%{family}", "Times New Roman"], env=env,
                                capture_output=True, text=True, timeout=30, check=True).stdout
        assert not any(name in chosen for name in TIMES_AND_TWINS), chosen
    return env


@pytest.mark.skipif(_office() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed")
@pytest.mark.parametrize("fonts", ["installed", "substitute"])
def test_libreoffice_prints_tables_and_the_signing_block_whole(built, tmp_path: Path, fonts: str):
    _, generated = built
    files = {f.format: Path(f.path) for f in generated[0].files}
    env = _font_environment(fonts, tmp_path)
    pages = _pdf_pages(files["docx"], tmp_path, env)
    content = json.loads(files["json"].read_text(encoding="utf-8"))
    shown = min(len(content["feedback"]["overdue"]), 50)
    text = "\n".join(pages)
    assert shown and len(re.findall(r"\b\d{2}/\d{2}/\d{4}\b", text)) >= 2 * shown  # unbroken
    assert len(re.findall(r"\bPAKN-\d{4}-\d{7}\b", text)) >= shown
    signed = [p for p in pages if "Nơi nhận:" in p]
    assert len(signed) == 1 and "PHÓ GIÁM ĐỐC" in signed[0] and "Trên đây là báo cáo" in signed[0]
    words = " ".join(signed[0].split())  # a substitute font may wrap the name's placeholder
    assert "họ và tên" in words or "Đinh Hữu Công" in words
    sheets = _pdf_pages(files["xlsx"], tmp_path, env)
    assert sheets[0].lstrip().startswith("Biểu số")  # the title prints above its table
    assert not [p for p in sheets if "###" in p]
