"""The civil-service calendar 2024–2027 and deadline arithmetic on it (BLDS 2015 Đ.147–148)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.calendar import (
    CalendarOverride,
    CalendarOverridesError,
    WorkingCalendar,
    default_calendar,
)

D = date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return default_calendar()


# (day, is a working day, why)
WORKING_DAYS = [
    # 2024: Tết 8–14/2; 27/4–1/5 with Mon 29/4 off and Sat 4/5 worked; Quốc khánh 2–3/9
    (D(2024, 1, 1), False, "Tết Dương lịch"),
    (D(2024, 2, 7), True, "last working day before Tết"),
    (D(2024, 2, 8), False, "29 Tết"),
    (D(2024, 2, 12), False, "mùng 3 Tết"),
    (D(2024, 2, 14), False, "mùng 5 Tết"),
    (D(2024, 2, 15), True, "first working day after Tết"),
    (D(2024, 4, 18), False, "Giỗ Tổ Hùng Vương"),
    (D(2024, 4, 29), False, "swapped day off for Sat 4/5"),
    (D(2024, 4, 30), False, "30/4"),
    (D(2024, 5, 1), False, "1/5"),
    (D(2024, 5, 2), True, "back to work"),
    (D(2024, 5, 4), True, "Saturday worked (làm bù)"),
    (D(2024, 5, 5), False, "ordinary Sunday"),
    (D(2024, 9, 2), False, "Quốc khánh"),
    (D(2024, 9, 3), False, "Quốc khánh, second day"),
    (D(2024, 9, 4), True, "back to work"),
    # 2025: Tết 25/1–2/2; 30/4–4/5 with Fri 2/5 off and Sat 26/4 worked; 1–2/9
    (D(2025, 1, 1), False, "Tết Dương lịch"),
    (D(2025, 1, 24), True, "last working day before Tết"),
    (D(2025, 1, 27), False, "29 Tết"),
    (D(2025, 1, 31), False, "mùng 3 Tết"),
    (D(2025, 2, 3), True, "first working day after Tết"),
    (D(2025, 4, 7), False, "Giỗ Tổ Hùng Vương"),
    (D(2025, 4, 26), True, "Saturday worked (làm bù)"),
    (D(2025, 5, 2), False, "swapped day off for Sat 26/4"),
    (D(2025, 5, 5), True, "back to work"),
    (D(2025, 9, 1), False, "Quốc khánh, day before"),
    (D(2025, 9, 2), False, "Quốc khánh"),
    (D(2025, 9, 3), True, "back to work"),
    # 2026: New Year swap (override), Tết 14–22/2, Giỗ Tổ Sun 26/4 → Mon 27/4, 2/9 swap
    (D(2026, 1, 1), False, "Tết Dương lịch"),
    (D(2026, 1, 2), False, "Friday off, CV 12729/VPCP-KGVX (override)"),
    (D(2026, 1, 5), True, "back to work"),
    (D(2026, 1, 10), True, "Saturday worked for 2/1 (override)"),
    (D(2026, 2, 13), True, "last working day before Tết"),
    (D(2026, 2, 14), False, "Tết break starts (Saturday)"),
    (D(2026, 2, 16), False, "29 Tết"),
    (D(2026, 2, 20), False, "mùng 4 Tết"),
    (D(2026, 2, 22), False, "Tết break ends (Sunday)"),
    (D(2026, 2, 23), True, "first working day after Tết"),
    (D(2026, 4, 27), False, "Giỗ Tổ fell on Sunday: Monday off"),
    (D(2026, 4, 30), False, "30/4"),
    (D(2026, 5, 1), False, "1/5"),
    (D(2026, 8, 22), True, "Saturday worked for Mon 31/8"),
    (D(2026, 8, 31), False, "swapped day off"),
    (D(2026, 9, 1), False, "Quốc khánh, day before"),
    (D(2026, 9, 2), False, "Quốc khánh"),
    (D(2026, 9, 3), True, "back to work"),
    (D(2026, 11, 24), False, "⚠ Ngày Văn hóa Việt Nam, as the package has it"),
    # 2027 (⚠ the package's projection)
    (D(2027, 1, 1), False, "Tết Dương lịch"),
    (D(2027, 2, 3), True, "last working day before Tết"),
    (D(2027, 2, 4), False, "29 Tết"),
    (D(2027, 2, 10), False, "mùng 5 Tết"),
    (D(2027, 2, 11), True, "first working day after Tết"),
    (D(2027, 4, 16), False, "Giỗ Tổ Hùng Vương"),
    (D(2027, 4, 30), False, "30/4"),
    (D(2027, 5, 3), False, "1/5 fell on Saturday: Monday off"),
    (D(2027, 5, 4), True, "back to work"),
    (D(2027, 9, 3), False, "Quốc khánh, day after"),
]


@pytest.mark.parametrize(("day", "working", "why"), WORKING_DAYS)
def test_is_working_day(cal: WorkingCalendar, day: date, working: bool, why: str) -> None:
    assert cal.is_working_day(day) is working, why


# (event day, n calendar days, last day of the period) — BLDS 2015 Điều 147–148
CALENDAR_PERIODS = [
    (D(2024, 1, 29), 10, D(2024, 2, 15), "ends on 29 Tết 2024: moves past Tết"),
    (D(2024, 4, 19), 10, D(2024, 5, 2), "ends on swapped Mon 29/4/2024"),
    (D(2024, 8, 23), 10, D(2024, 9, 4), "ends on Quốc khánh 2024"),
    (D(2024, 3, 1), 30, D(2024, 4, 1), "ends on Sunday 31/3: Monday"),
    (D(2025, 1, 17), 10, D(2025, 2, 3), "ends on 29 Tết 2025"),
    (D(2025, 4, 20), 10, D(2025, 5, 5), "ends on 30/4/2025, run of days off"),
    (D(2025, 4, 16), 10, D(2025, 4, 26), "ends on a worked Saturday: stays"),
    (D(2026, 1, 1), 1, D(2026, 1, 5), "ends on Fri 2/1/2026 (override)"),
    (D(2026, 2, 6), 10, D(2026, 2, 23), "ends in Tết 2026"),
    (D(2026, 2, 16), 0, D(2026, 2, 23), "zero days on a holiday: next working day"),
    (D(2026, 4, 17), 10, D(2026, 4, 28), "ends on Mon 27/4/2026 (Giỗ Tổ nghỉ bù)"),
    (D(2026, 8, 12), 10, D(2026, 8, 22), "ends on Sat 22/8/2026, a worked day"),
    (D(2026, 8, 21), 10, D(2026, 9, 3), "ends on Mon 31/8/2026: past Quốc khánh"),
    (D(2026, 3, 10), 45, D(2026, 4, 24), "45 days, a working Friday"),
    (D(2027, 1, 25), 10, D(2027, 2, 11), "ends in Tết 2027"),
    (D(2027, 4, 20), 10, D(2027, 5, 4), "ends on 30/4/2027, then weekend, then 3/5"),
]


@pytest.mark.parametrize(("start", "n", "due", "why"), CALENDAR_PERIODS)
def test_add_calendar_days_law(cal: WorkingCalendar, start: date, n: int, due: date, why: str):
    assert cal.add_calendar_days_law(start, n) == due, why


def test_add_calendar_days_law__refuses_negative_period(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_calendar_days_law(D(2026, 1, 1), -1)


# (start, n working days, result) — the start day is not counted
WORKING_PERIODS = [
    (D(2024, 2, 7), 1, D(2024, 2, 15), "across Tết 2024"),
    (D(2024, 5, 3), 1, D(2024, 5, 4), "the worked Saturday counts"),
    (D(2024, 12, 31), 1, D(2025, 1, 2), "across New Year"),
    (D(2025, 12, 31), 1, D(2026, 1, 5), "across 1–4/1/2026"),
    (D(2026, 1, 9), 1, D(2026, 1, 10), "Sat 10/1/2026 is worked"),
    (D(2026, 2, 13), 5, D(2026, 2, 27), "five days after Tết 2026"),
    (D(2026, 2, 6), 7, D(2026, 2, 24), "tố cáo 07 working days across Tết"),
    (D(2026, 8, 21), 1, D(2026, 8, 22), "Sat 22/8/2026 is worked"),
    (D(2026, 8, 28), 1, D(2026, 9, 3), "across 31/8–2/9/2026"),
    (D(2027, 2, 3), 1, D(2027, 2, 11), "across Tết 2027"),
    (D(2026, 2, 23), -1, D(2026, 2, 13), "backwards across Tết"),
    (D(2026, 1, 5), -1, D(2025, 12, 31), "backwards across New Year"),
    (D(2026, 2, 16), 0, D(2026, 2, 16), "zero is the start itself"),
]


@pytest.mark.parametrize(("start", "n", "result", "why"), WORKING_PERIODS)
def test_add_working_days(cal: WorkingCalendar, start: date, n: int, result: date, why: str):
    assert cal.add_working_days(start, n) == result, why


WORKING_DAY_COUNTS = [
    (D(2024, 2, 7), D(2024, 2, 15), 1, "Tết 2024 week"),
    (D(2025, 1, 24), D(2025, 2, 3), 1, "Tết 2025"),
    (D(2026, 1, 31), D(2026, 2, 28), 15, "February 2026: 20 weekdays, 5 of Tết"),
    (D(2027, 1, 31), D(2027, 2, 28), 15, "February 2027: 20 weekdays, 5 of Tết"),
    (D(2026, 1, 1), D(2026, 1, 10), 6, "5–9/1 and the worked Saturday"),
    (D(2026, 2, 23), D(2026, 2, 13), -1, "reversed"),
    (D(2026, 3, 3), D(2026, 3, 3), 0, "same day"),
]


@pytest.mark.parametrize(("start", "end", "count", "why"), WORKING_DAY_COUNTS)
def test_working_days_between(cal: WorkingCalendar, start: date, end: date, count: int, why):
    assert cal.working_days_between(start, end) == count, why


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 10, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_adding_then_counting_working_days_round_trips(start: date, n: int) -> None:
    cal = default_calendar()
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_next_and_previous_working_day(cal: WorkingCalendar) -> None:
    assert cal.next_working_day_on_or_after(D(2026, 2, 14)) == D(2026, 2, 23)
    assert cal.next_working_day_on_or_after(D(2026, 2, 23)) == D(2026, 2, 23)
    assert cal.previous_working_day_on_or_before(D(2026, 2, 22)) == D(2026, 2, 13)


def test_worked_weekend_days(cal: WorkingCalendar) -> None:
    assert cal.worked_weekend_days(2024) == [D(2024, 5, 4)]
    assert cal.worked_weekend_days(2025) == [D(2025, 4, 26)]
    assert cal.worked_weekend_days(2026) == [D(2026, 1, 10), D(2026, 8, 22)]


def test_holidays_in__vietnamese_names_and_override(cal: WorkingCalendar) -> None:
    days = dict(cal.holidays_in(2026))
    assert days[D(2026, 1, 2)].startswith("Nghỉ Tết Dương lịch")
    assert days[D(2026, 2, 17)] == "Tết Nguyên Đán"
    assert "Giỗ Tổ Hùng Vương" in days[D(2026, 4, 27)]
    assert D(2026, 1, 10) not in days
    assert list(days) == sorted(days)


def test_holidays_in__2024_has_the_swap_day(cal: WorkingCalendar) -> None:
    days = dict(cal.holidays_in(2024))
    assert days[D(2024, 4, 29)] == "Ngày nghỉ (thay cho ngày 04/05/2024)"
    assert len(days) == 14


def test_override_can_make_a_package_holiday_a_working_day() -> None:
    culture_day = CalendarOverride(D(2026, 11, 24), True, "Làm việc bình thường")
    cal = WorkingCalendar(overrides=[culture_day])
    assert cal.is_working_day(D(2026, 11, 24))
    assert D(2026, 11, 24) not in dict(cal.holidays_in(2026))


def test_without_overrides_the_package_misses_the_2026_new_year_swap() -> None:
    cal = WorkingCalendar(read_file=False)
    assert cal.is_working_day(D(2026, 1, 2))
    assert not cal.is_working_day(D(2026, 1, 10))


def test_overrides_from_another_file(tmp_path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "days_off:\n  - {date: 2027-02-03, name: 'Nghỉ thêm trước Tết', source: 'thử'}\n",
        encoding="utf-8",
    )
    cal = WorkingCalendar(path)
    assert not cal.is_working_day(D(2027, 2, 3))
    assert cal.is_working_day(D(2026, 1, 2))  # the shipped file is not read


@pytest.mark.parametrize(
    "content",
    [
        "days_off: [{date: 2026-13-01, name: x}]\n",
        "days_off: [{date: 2026-01-02}]\n",
        "holidays: []\n",
        "days_off: [{date: 2026-01-02, name: a}]\nworking_days: [{date: 2026-01-02, name: b}]\n",
        "days_off: [\n",
    ],
)
def test_invalid_overrides_file_is_refused(tmp_path, content: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarOverridesError):
        WorkingCalendar(path)


def test_default_calendar_is_built_once() -> None:
    assert default_calendar() is default_calendar()
