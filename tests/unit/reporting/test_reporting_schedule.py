from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from services.reporting.domain import LOCAL_TZ
from services.reporting.schedule import (ScheduleError, ScheduleRule, due_builds, load_schedule,
                                         upcoming)
from services.reporting.settings import PACKAGED_SCHEDULE


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_the_packaged_schedule_loads():
    rules = load_schedule(PACKAGED_SCHEDULE)
    assert {r.family for r in rules} == {"dan_van_kheo", "tiep_cong_dan"}


def test_six_month_report_is_due_at_its_local_time():
    rule = ScheduleRule(id="sk", family="dan_van_kheo", every="half", only=(1,), month_day="06-12",
                        at=time(7, 0))
    before = due_builds([rule], now=local(2026, 6, 12, 6, 59), since=local(2026, 6, 1))
    after = due_builds([rule], now=local(2026, 6, 12, 7, 0), since=local(2026, 6, 1))
    assert before == []
    assert [(d.period, d.scope, d.key) for d in after] == [
        ("2026-H1", "department", "dan_van_kheo:2026-H1:department")]
    assert after[0].fire_at == local(2026, 6, 12, 7, 0)


def test_a_build_missed_while_down_is_due_within_the_catch_up_window_only():
    rule = ScheduleRule(id="y", family="dan_van_kheo", every="year", month_day="12-12")
    now = local(2026, 12, 16, 9)
    assert len(due_builds([rule], now=now, since=now - timedelta(days=7))) == 1
    assert due_builds([rule], now=now, since=now - timedelta(days=2)) == []


def test_citizen_reception_reports_follow_the_data_period_end():
    rule = ScheduleRule(id="q", family="tiep_cong_dan", every="quarter", only=(1, 3),
                        days_after=1, after="data_end", scopes=("department", "THANH_TRA"))
    builds = upcoming([rule], now=datetime(2026, 1, 1, tzinfo=UTC), days=365)
    assert [(d.fire_at.date().isoformat(), d.period, d.scope) for d in builds] == [
        ("2026-03-15", "2026-Q1", "THANH_TRA"), ("2026-03-15", "2026-Q1", "department"),
        ("2026-09-15", "2026-Q3", "THANH_TRA"), ("2026-09-15", "2026-Q3", "department")]


def test_a_monthly_report_after_december_is_due_in_january():
    rule = ScheduleRule(id="m", family="dan_van_kheo", every="month", only=(12,), days_after=3)
    (due,) = due_builds([rule], now=local(2027, 1, 3, 8), since=local(2026, 12, 30))
    assert (due.period, due.fire_at.date().isoformat()) == ("2026-12", "2027-01-03")


def test_a_fixed_period_on_a_fixed_date():
    rule = ScheduleRule(id="f", family="dan_van_kheo", period="2026-01-01..2026-03-31",
                        on_date="2026-04-02")
    (due,) = due_builds([rule], now=local(2026, 4, 2, 8), since=local(2026, 3, 1))
    assert due.period == "2026-01-01..2026-03-31"


@pytest.mark.parametrize("bad", [
    {"id": "x", "family": "khac", "every": "year", "month_day": "12-01"},
    {"id": "x", "family": "dan_van_kheo", "month_day": "12-01"},
    {"id": "x", "family": "dan_van_kheo", "every": "year"},
    {"id": "x", "family": "dan_van_kheo", "every": "year", "month_day": "12-01", "days_after": 2},
    {"id": "x", "family": "dan_van_kheo", "period": "2026-H3", "month_day": "12-01"},
])
def test_incomplete_rules_are_refused(bad):
    with pytest.raises(ValueError):
        ScheduleRule.model_validate(bad)


def test_a_bad_file_names_itself(tmp_path: Path):
    path = tmp_path / "report_schedule.yaml"
    path.write_text("builds:\n  - id: x\n    family: dan_van_kheo\n", encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"report_schedule.yaml"):
        load_schedule(path)
