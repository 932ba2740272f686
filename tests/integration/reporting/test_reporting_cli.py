"""`dvk report build | rebuild | schedule` on a generated history (SQLite)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.reporting.cli import app

from .conftest import record_history


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "reporting.db"
    asyncio.run(record_history(f"sqlite+aiosqlite:///{db}", 250, seed=5))
    return db


@pytest.fixture
def env(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "reporting.db"
    shutil.copyfile(template, db)
    monkeypatch.setenv("DVK_REPORTING_DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("DVK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DVK_REPORTING_OUTPUT_DIR", raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_build_writes_both_families_and_records_them(env: Path):
    result = run("build", "--period", "2026-H1", "--date", "2026-07-10")
    assert result.exit_code == 0, result.output
    assert result.output.count("Đã lập báo cáo:") == 2
    docs = sorted((env / "reports").rglob("*.docx"))
    assert [d.name for d in docs] == ["bao-cao-dan-van-kheo-2026-H1.docx",
                                      "bao-cao-tiep-cong-dan-2026-H1.docx"]
    data = json.loads(next((env / "reports").rglob("bao-cao-tiep-cong-dan-2026-H1.json"))
                      .read_text(encoding="utf-8"))
    assert data["data_period"]["start"] == "2025-12-15" and data["report_date"] == "2026-07-10"
    with sqlite3.connect(env / "reporting.db") as db:
        assert db.execute("SELECT count(*) FROM report_builds WHERE trigger = 'cli'"
                          ).fetchone() == (2,)
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (0,)


def test_build_with_publish_announces_through_the_outbox(env: Path, tmp_path: Path):
    out = tmp_path / "elsewhere"
    result = run("build", "--period", "2026-Q2", "--family", "dan_van_kheo", "--scope",
                 "THANH_TRA", "--out", str(out), "--publish")
    assert result.exit_code == 0, result.output
    assert list(out.rglob("*.docx"))
    with sqlite3.connect(env / "reporting.db") as db:
        (key,) = db.execute("SELECT routing_key FROM outbox").fetchone()
    assert key == "reporting.report_generated.v1"


def test_bad_period_or_unit_is_refused_in_vietnamese(env: Path):
    assert run("build", "--period", "2026-H3").exit_code != 0
    result = run("build", "--period", "2026", "--scope", "KHONG_CO")
    assert result.exit_code == 1 and "Không lập được báo cáo" in result.output


def test_rebuild_gives_the_same_report(env: Path, tmp_path: Path):
    args = ("build", "--period", "2026-H1", "--family", "dan_van_kheo", "--date", "2026-07-10")
    before = run(*args, "--out", str(tmp_path / "before"))
    with sqlite3.connect(env / "reporting.db") as db:
        events = db.execute("SELECT count(*) FROM event_log").fetchone()[0]
        db.execute("DELETE FROM case_facts")  # a damaged read model
    result = run("rebuild")
    after = run(*args, "--out", str(tmp_path / "after"))
    assert before.exit_code == result.exit_code == after.exit_code == 0, result.output
    assert f"từ {events:,} sự kiện".replace(",", ".") in result.output
    assert _figures(tmp_path / "before") == _figures(tmp_path / "after")


def _figures(folder: Path) -> dict:
    data = json.loads(next(folder.rglob("*.json")).read_text(encoding="utf-8"))
    data.pop("generated_at")
    assert data["feedback"]["received_total"] > 0
    return data


def test_schedule_lists_what_comes():
    result = run("schedule", "--days", "400")
    assert result.exit_code == 0
    assert "dan_van_kheo" in result.output and "tiep_cong_dan" in result.output
