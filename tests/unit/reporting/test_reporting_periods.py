from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.reporting.periods import (parse_period, previous_period, same_period_last_year,
                                        tcd_data_period)


@pytest.mark.parametrize(("code", "kind", "start", "end", "label"), [
    ("2026", "year", date(2026, 1, 1), date(2026, 12, 31), "năm 2026"),
    ("2026-H1", "half", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
    ("2026-H2", "half", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
    ("2026-9M", "nine_months", date(2026, 1, 1), date(2026, 9, 30), "9 tháng đầu năm 2026"),
    ("2026-Q2", "quarter", date(2026, 4, 1), date(2026, 6, 30), "quý II năm 2026"),
    ("2028-02", "month", date(2028, 2, 1), date(2028, 2, 29), "tháng 2 năm 2028"),
    ("2026-01-01..2026-03-31", "range", date(2026, 1, 1), date(2026, 3, 31),
     "từ ngày 01/01/2026 đến ngày 31/03/2026"),
    (" 2026-q4 ", "quarter", date(2026, 10, 1), date(2026, 12, 31), "quý IV năm 2026"),
])
def test_parses_period_codes(code, kind, start, end, label):
    period = parse_period(code)
    assert (period.kind, period.start, period.end, period.label_vi) == (kind, start, end, label)


@pytest.mark.parametrize(("code", "reason"), [
    ("2026-H3", "half must be 1-2"),
    ("2026-Q5", "quarter must be 1-4"),
    ("2026-13", "month must be 1-12"),
    ("2026-00", "month must be 1-12"),
    ("2026-02-30..2026-03-31", "'2026-02-30' is not a valid date"),
    ("2026-03-31..2026-01-01", "after end"),
    ("26-Q1", "expected 2026"),
    ("", "expected e.g. 2026"),
    ("quý 2", "expected 2026"),
])
def test_bad_period_names_the_input(code, reason):
    with pytest.raises(ValueError) as error:
        parse_period(code)
    assert repr(code) in str(error.value)
    assert reason in str(error.value)


@pytest.mark.parametrize(("code", "previous"), [
    ("2026", "2025"), ("2026-H1", "2025-H2"), ("2026-H2", "2026-H1"), ("2026-Q1", "2025-Q4"),
    ("2026-Q3", "2026-Q2"), ("2026-01", "2025-12"), ("2026-07", "2026-06"),
    ("2026-9M", "2025-9M"), ("2026-03-01..2026-03-10", "2026-02-19..2026-02-28"),
])
def test_previous_period(code, previous):
    assert previous_period(parse_period(code)) == parse_period(previous)


def test_same_period_last_year():
    assert same_period_last_year(parse_period("2026-H1")) == parse_period("2025-H1")
    assert same_period_last_year(parse_period("2024-02-29..2024-03-31")).start == date(2023, 2, 28)


@pytest.mark.parametrize(("code", "start", "end"), [
    ("2026-Q1", date(2025, 12, 15), date(2026, 3, 14)),
    ("2026-Q2", date(2026, 3, 15), date(2026, 6, 14)),
    ("2026-Q3", date(2026, 6, 15), date(2026, 9, 14)),
    ("2026-Q4", date(2026, 9, 15), date(2026, 12, 14)),
    ("2026-H1", date(2025, 12, 15), date(2026, 6, 14)),
    ("2026-9M", date(2025, 12, 15), date(2026, 9, 14)),
    ("2026", date(2025, 12, 15), date(2026, 12, 14)),
    ("2026-H2", date(2026, 6, 15), date(2026, 12, 14)),
    ("2026-01", date(2025, 12, 15), date(2026, 1, 14)),
])
def test_tcd_data_period_runs_15th_to_14th(code, start, end):
    period = parse_period(code)
    data = tcd_data_period(period)
    assert (data.start, data.end) == (start, end)
    assert data.label_vi == period.label_vi
    assert data.range_vi == f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def test_tcd_data_period_refuses_custom_range():
    with pytest.raises(ValueError, match="custom range"):
        tcd_data_period(parse_period("2026-01-01..2026-02-01"))


@given(st.integers(1990, 2100), st.integers(1, 4))
def test_tcd_quarters_follow_each_other_without_gap(year, quarter):
    this = tcd_data_period(parse_period(f"{year}-Q{quarter}"))
    following = f"{year}-Q{quarter + 1}" if quarter < 4 else f"{year + 1}-Q1"
    assert this.end + timedelta(days=1) == tcd_data_period(parse_period(following)).start
    assert (this.start.day, this.end.day) == (15, 14)


@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.integers(0, 400))
def test_range_previous_period_has_same_length_and_abuts(start, length):
    period = parse_period(f"{start}..{start + timedelta(days=length)}")
    before = previous_period(period)
    assert before.days == period.days
    assert before.end + timedelta(days=1) == period.start
