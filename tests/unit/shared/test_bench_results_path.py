"""A benchmark run never overwrites the figures an earlier run of the same day wrote."""

from datetime import UTC, datetime

from bench import run


def test_a_later_run_of_the_day_gets_its_own_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(run, "RESULTS", tmp_path / "results")
    now = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)

    first = run.results_path(now)
    first.write_text("{}")
    second = run.results_path(now)
    second.write_text("{}")
    third = run.results_path(now)

    assert [first.name, second.name, third.name] == [
        "2026-11-27.json", "2026-11-27-2.json", "2026-11-27-3.json"]
