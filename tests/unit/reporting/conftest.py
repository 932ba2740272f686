from __future__ import annotations

from pathlib import Path

import pytest

from services.reporting.content import ReportContent
from services.reporting.documents import load_document_settings
from services.reporting.documents.settings import DocumentSettings

from .reporting_samples import sample_content


@pytest.fixture
def dvk_content() -> ReportContent:
    return sample_content("dan_van_kheo")


@pytest.fixture
def tcd_content() -> ReportContent:
    return sample_content("tiep_cong_dan")


@pytest.fixture
def settings(dvk_content: ReportContent) -> DocumentSettings:
    return load_document_settings(dvk_content.report_date)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"
