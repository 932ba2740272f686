"""`dvk import` of 1,000 task-progress rows, 50 of them bad, through a real broker."""

import csv

import pytest

from services.intake.importer import run_import
from shared.testing.factories import progress_payload
from shared.testing.inprocess import running

pytestmark = pytest.mark.broker

BAD_ROWS = {  # row number -> (change, the column its error names)
    **{n: ({"percent_done": "150"}, "percent_done") for n in range(3, 1000, 100)},
    **{n: ({"status": "xong_roi"}, "status") for n in range(7, 1000, 100)},
    **{n: ({"task_id": "II.9.9"}, "data.task_id") for n in range(11, 1000, 100)},
    **{n: ({"task_id": "II.8.1"}, "data.unit_code") for n in range(15, 1000, 100)},
    **{n: ({"reported_at": "2026-06-05 10:00"}, "reported_at") for n in range(19, 1000, 100)},
}


def _write_csv(path) -> None:
    columns = ["task_id", "unit_code", "period", "percent_done", "status", "done_text",
               "evidence", "reported_at", "external_id"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for n in range(1, 1001):
            row = {k: v for k, v in progress_payload(external_id=f"R{n}").items()
                   if k in columns}
            row["evidence"] = ";".join(row["evidence"])
            row.update(BAD_ROWS.get(n, ({}, None))[0])
            writer.writerow(row)


async def test_import_1000_rows_keeps_950_and_reports_50(amqp_url, tmp_path, capsys):
    path = tmp_path / "tien-do.csv"
    _write_csv(path)
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path):
        code = await run_import(path, source_system="phong-ldvl", timeout=120,
                                amqp_url=amqp_url)
    out, err = capsys.readouterr()
    assert code == 1
    assert "đã nhận: 950" in out and "lỗi: 50" in out
    reported = [line for line in err.splitlines() if line.startswith("Dòng ")]
    assert len(reported) == 50
    for n, (_, column) in BAD_ROWS.items():
        assert any(line.startswith(f"Dòng {n}:") and column in line for line in reported), n
