"""The Vietnamese civil-service working calendar, and deadline arithmetic on it.

Civil servants work Monday to Friday. Public holidays (Bộ luật Lao động 2019, Điều 112),
lunar Tết, and the Government's yearly day swaps (a weekday off in exchange for a Saturday
worked, "làm bù") come from the `holidays` package. An editable override table
(shared/catalogue/calendar_overrides.yaml) corrects what the package misses, e.g. the 2026
New Year swap. Overrides win over the package.

Counting follows Bộ luật Dân sự 2015: the day of the event is not counted (Điều 147), and a
period whose last day is a weekend or holiday ends on the next working day (Điều 148).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

# The law counts in local days: a moment's day is the day as seen in the province.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_OVERRIDES_PATH = Path(__file__).parent / "catalogue" / "calendar_overrides.yaml"
_ONE_DAY = timedelta(days=1)
# Far enough for any lawful period (the longest is well under a year of working days).
_MAX_SEARCH_DAYS = 3660


def local_date(moment: datetime) -> date:
    """The day `moment` falls on in Asia/Ho_Chi_Minh, whatever offset it carries."""
    return moment.astimezone(LOCAL_TZ).date()


class CalendarOverridesError(ValueError):
    """The overrides file is missing, is not YAML, or does not fit the expected shape."""


class _OverrideEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date = Field(alias="date")
    name: str = Field(min_length=1)
    source: str = ""


class _OverridesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days_off: list[_OverrideEntry] = Field(default_factory=list)
    working_days: list[_OverrideEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _no_day_in_both_lists(self) -> _OverridesFile:
        both = {e.day for e in self.days_off} & {e.day for e in self.working_days}
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"dates listed both as days off and as working days: {listed}")
        return self


@dataclass(frozen=True)
class CalendarOverride:
    """One admin correction: `day` is a day off (working=False) or a working day (True)."""

    day: date
    working: bool
    name: str
    source: str = ""


def load_overrides(path: Path | str) -> list[CalendarOverride]:
    """Read an overrides YAML file; raise CalendarOverridesError with the reason."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        parsed = _OverridesFile.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError) as exc:  # ValidationError is a ValueError
        raise CalendarOverridesError(f"calendar overrides {path}: {exc}") from exc
    days_off = [CalendarOverride(e.day, False, e.name, e.source) for e in parsed.days_off]
    worked = [CalendarOverride(e.day, True, e.name, e.source) for e in parsed.working_days]
    return days_off + worked


class WorkingCalendar:
    """Working days of Vietnamese state agencies, with per-year caching."""

    def __init__(
        self,
        overrides_path: Path | str | None = None,
        *,
        overrides: Iterable[CalendarOverride] = (),
        read_file: bool = True,
    ) -> None:
        """Overrides from `overrides_path` (None: the shipped file), then those in `overrides`.

        read_file=False skips the file: the `holidays` package plus `overrides` only.
        """
        path = Path(overrides_path) if overrides_path is not None else DEFAULT_OVERRIDES_PATH
        from_file = load_overrides(path) if read_file else []
        self._overrides = {o.day: o for o in [*from_file, *overrides]}
        self._days_off_by_year: dict[int, frozenset[date]] = {}
        self._holidays_by_year: dict[int, holidays.HolidayBase] = {}

    @property
    def overrides(self) -> list[CalendarOverride]:
        return sorted(self._overrides.values(), key=lambda o: o.day)

    # --- what kind of day -------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return day not in self._days_off(day.year)

    def next_working_day_on_or_after(self, day: date) -> date:
        return self._step_until_working(day, _ONE_DAY)

    def previous_working_day_on_or_before(self, day: date) -> date:
        return self._step_until_working(day, -_ONE_DAY)

    def holidays_in(self, year: int) -> list[tuple[date, str]]:
        """Days off other than ordinary weekends, with their Vietnamese names, in date order."""
        named = {d: str(name) for d, name in self._package_holidays(year).items()}
        for override in self._overrides.values():
            if override.day.year != year:
                continue
            if override.working:
                named.pop(override.day, None)
            else:
                named[override.day] = override.name
        return sorted(named.items())

    def worked_weekend_days(self, year: int) -> list[date]:
        """Saturdays and Sundays that are working days (làm bù), in date order."""
        start, end = date(year, 1, 1), date(year, 12, 31)
        return [d for d in _days(start, end) if d.weekday() >= 5 and self.is_working_day(d)]

    # --- arithmetic ---------------------------------------------------------------------

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (before it if n < 0); `start` is not counted.

        n == 0 returns `start` unchanged.
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        day, remaining = start, abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_calendar_days_law(self, start: date, n: int) -> date:
        """Last day of an n-day period counted from the event on `start` (BLDS 2015 Đ.147–148).

        The event day is not counted; if the last day is not a working day, the period ends
        on the next working day.
        """
        if n < 0:
            raise ValueError(f"a legal period cannot be negative (got {n} days)")
        return self.next_working_day_on_or_after(start + timedelta(days=n))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative if `end` < `start`.

        Consistent with add_working_days: add_working_days(a, working_days_between(a, b)) is
        the last working day on or before b (for b > a).
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for d in _days(start + _ONE_DAY, end) if self.is_working_day(d))

    # --- internals ----------------------------------------------------------------------

    def _step_until_working(self, day: date, step: timedelta) -> date:
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                return day
            day += step
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days of {day}")

    def _package_holidays(self, year: int) -> holidays.HolidayBase:
        if year not in self._holidays_by_year:
            self._holidays_by_year[year] = holidays.country_holidays(
                "VN", years=year, language="vi"
            )
        return self._holidays_by_year[year]

    def _days_off(self, year: int) -> frozenset[date]:
        cached = self._days_off_by_year.get(year)
        if cached is None:
            cached = frozenset(self._compute_days_off(year))
            self._days_off_by_year[year] = cached
        return cached

    def _compute_days_off(self, year: int) -> Iterable[date]:
        package = self._package_holidays(year)
        for day in _days(date(year, 1, 1), date(year, 12, 31)):
            override = self._overrides.get(day)
            working = override.working if override else package.is_working_day(day)
            if not working:
                yield day


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    """The calendar with the shipped overrides file, built once per process."""
    return WorkingCalendar()
