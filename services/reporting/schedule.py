"""When reports build by themselves: rules from report_schedule.yaml, and which are due (pure).

A rule builds one family for every period of a kind (or one fixed period), on a date given as
a month-day of the period's year (`month_day: "06-12"`), a date (`on_date`), or a number of
days after the period's end or its data period's end (`days_after: 1`, `after: data_end`), at
a local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .builder import FAMILIES, data_window
from .domain import LOCAL_TZ
from .periods import (Period, half_period, month_period, nine_months_period, parse_period,
                      quarter_period, year_period)

Every = Literal["year", "half", "nine_months", "quarter", "month"]
_COUNT = {"year": 1, "half": 2, "nine_months": 1, "quarter": 4, "month": 12}


class ScheduleError(ValueError):
    pass


class ScheduleRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    family: str
    every: Every | None = None
    only: tuple[int, ...] = ()
    period: str | None = Field(None, description="a fixed period instead of `every`")
    month_day: str | None = Field(None, pattern=r"^\d{2}-\d{2}$", description="MM-DD")
    on_date: date | None = None
    days_after: int | None = None
    after: Literal["end", "data_end"] = "end"
    at: time = time(7, 0)
    scopes: tuple[str, ...] = ("department",)

    @model_validator(mode="after")
    def _complete(self) -> ScheduleRule:
        if self.family not in FAMILIES:
            raise ValueError(f"rule {self.id}: family must be one of {', '.join(FAMILIES)}")
        if (self.every is None) == (self.period is None):
            raise ValueError(f"rule {self.id}: give either `every` or `period`")
        if self.period is not None:
            parse_period(self.period)
        if sum(x is not None for x in (self.month_day, self.on_date, self.days_after)) != 1:
            raise ValueError(f"rule {self.id}: give one of `month_day`, `on_date`, "
                             "`days_after`")
        return self


class ScheduleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    builds: list[ScheduleRule] = Field(default_factory=list)


@dataclass(frozen=True)
class DueBuild:
    rule_id: str
    family: str
    period: str
    scope: str
    fire_at: datetime

    @property
    def key(self) -> str:
        """What makes a scheduled build happen once."""
        return f"{self.family}:{self.period}:{self.scope}"


def load_schedule(path: Path) -> list[ScheduleRule]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return ScheduleFile.model_validate(raw).builds
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ScheduleError(f"report schedule {path}: {exc}") from exc


def periods_of(rule: ScheduleRule, year: int) -> list[tuple[str, Period]]:
    """(code, period) of the rule's periods that start in `year`."""
    if rule.period is not None:
        fixed = parse_period(rule.period)
        return [(rule.period, fixed)] if fixed.start.year == year else []
    numbers = rule.only or tuple(range(1, _COUNT[rule.every] + 1))
    builders = {"year": lambda n: (f"{year}", year_period(year)),
                "nine_months": lambda n: (f"{year}-9M", nine_months_period(year)),
                "half": lambda n: (f"{year}-H{n}", half_period(year, n)),
                "quarter": lambda n: (f"{year}-Q{n}", quarter_period(year, n)),
                "month": lambda n: (f"{year}-{n:02d}", month_period(year, n))}
    return [builders[rule.every](n) for n in numbers if 1 <= n <= _COUNT[rule.every]]


def fire_date(rule: ScheduleRule, period: Period) -> date:
    if rule.on_date is not None:
        return rule.on_date
    if rule.month_day is not None:
        month, day = (int(x) for x in rule.month_day.split("-"))
        return date(period.start.year, month, day)
    end = data_window(rule.family, period).end if rule.after == "data_end" else period.end
    return end + timedelta(days=rule.days_after or 0)


def due_builds(rules: list[ScheduleRule], *, now: datetime, since: datetime) -> list[DueBuild]:
    """Builds whose time came in (since, now], oldest first."""
    due: list[DueBuild] = []
    for rule in rules:
        for year in range(since.astimezone(LOCAL_TZ).year - 1, now.astimezone(LOCAL_TZ).year + 1):
            for code, period in periods_of(rule, year):
                fire = datetime.combine(fire_date(rule, period), rule.at, tzinfo=LOCAL_TZ)
                if since < fire <= now:
                    due.extend(DueBuild(rule.id, rule.family, code, scope, fire)
                               for scope in rule.scopes)
    return sorted(due, key=lambda d: (d.fire_at, d.rule_id, d.scope))


def upcoming(rules: list[ScheduleRule], *, now: datetime, days: int = 400) -> list[DueBuild]:
    """Builds due in the next `days` days (for `dvk report schedule`)."""
    return due_builds(rules, now=now + timedelta(days=days), since=now)
