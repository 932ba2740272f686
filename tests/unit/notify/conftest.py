"""Fakes for the notify unit tests: a tiny working calendar and a settable clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from services.notify.schedule import NotifyPolicy, load_policy

# Tết Bính Ngọ 2026 for civil servants: 14–22/2 (weekdays 16–20/2 are days off).
TET_2026 = {date(2026, 2, d) for d in range(14, 23)}


class FakeCalendar:
    """Monday–Friday, minus `days_off`, plus `extra_working_days` (làm bù)."""

    def __init__(self, days_off=frozenset(), extra_working_days=frozenset()) -> None:
        self.days_off = set(days_off)
        self.extra_working_days = set(extra_working_days)

    def is_working_day(self, d: date) -> bool:
        if d in self.extra_working_days:
            return True
        return d.weekday() < 5 and d not in self.days_off

    def add_working_days(self, d: date, n: int) -> date:
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def calendar() -> FakeCalendar:
    return FakeCalendar(days_off=TET_2026 | {date(2026, 1, 1), date(2026, 1, 2)},
                        extra_working_days={date(2026, 1, 10)})


@pytest.fixture
def policy() -> NotifyPolicy:
    return load_policy()


@pytest.fixture
def make_clock():
    return FakeClock
