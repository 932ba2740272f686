"""Report periods: parsing, the previous period, and the inspectorate's 15th→14th data periods.

Accepted period codes: "2026" (year), "2026-H1" / "2026-H2" (halves), "2026-9M" (first nine
months), "2026-Q2" (quarter), "2026-05" (month), "2026-01-01..2026-03-31" (inclusive range).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

PeriodKind = Literal["year", "half", "nine_months", "quarter", "month", "range"]

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_YEAR = r"(?P<year>\d{4})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(rf"^{_YEAR}$")),
    ("half", re.compile(rf"^{_YEAR}-H(?P<n>\d)$", re.IGNORECASE)),
    ("nine_months", re.compile(rf"^{_YEAR}-9M$", re.IGNORECASE)),
    ("quarter", re.compile(rf"^{_YEAR}-Q(?P<n>\d)$", re.IGNORECASE)),
    ("month", re.compile(rf"^{_YEAR}-(?P<n>\d{{2}})$")),
    ("range", re.compile(r"^(?P<start>\d{4}-\d{2}-\d{2})\.\.(?P<end>\d{4}-\d{2}-\d{2})$")),
)


class Period(BaseModel):
    """A reporting period; `end` is inclusive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: PeriodKind
    start: date
    end: date
    label_vi: str

    @model_validator(mode="after")
    def _start_not_after_end(self) -> Period:
        if self.start > self.end:
            raise ValueError(f"period starts {self.start} after it ends {self.end}")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def range_vi(self) -> str:
        """"từ ngày 15/12/2025 đến ngày 14/6/2026" style text for the body of a report."""
        return f"từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"


def parse_period(text: str) -> Period:
    """Parse a period code; raise ValueError naming the input when it is not one."""
    code = text.strip() if isinstance(text, str) else text
    if not isinstance(code, str) or not code:
        raise ValueError(f"invalid period {text!r}: expected e.g. 2026, 2026-H1, 2026-Q2, 2026-05")
    for kind, pattern in _PATTERNS:
        match = pattern.match(code)
        if match:
            return _build(kind, match.groupdict(), text)
    raise ValueError(
        f"invalid period {text!r}: expected 2026, 2026-H1, 2026-H2, 2026-9M, 2026-Q2, "
        "2026-05 or 2026-01-01..2026-03-31"
    )


def _build(kind: str, parts: dict[str, str], text: str) -> Period:
    if kind == "range":
        return _range(_iso_date(parts["start"], text), _iso_date(parts["end"], text), text)
    year = int(parts["year"])
    if not 1900 <= year <= 2999:
        raise ValueError(f"invalid period {text!r}: year {year} is out of range 1900-2999")
    if kind == "year":
        return year_period(year)
    if kind == "nine_months":
        return nine_months_period(year)
    n = int(parts["n"])
    limits = {"half": 2, "quarter": 4, "month": 12}
    if not 1 <= n <= limits[kind]:
        raise ValueError(f"invalid period {text!r}: {kind} must be 1-{limits[kind]}, got {n}")
    builders = {"half": half_period, "quarter": quarter_period, "month": month_period}
    return builders[kind](year, n)


def _iso_date(value: str, text: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"invalid period {text!r}: {value!r} is not a valid date") from None


def _range(start: date, end: date, text: str) -> Period:
    if start > end:
        raise ValueError(f"invalid period {text!r}: start {start} is after end {end}")
    return Period(kind="range", start=start, end=end, label_vi=_range_label(start, end))


def _range_label(start: date, end: date) -> str:
    return f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def year_period(year: int) -> Period:
    return Period(kind="year", start=date(year, 1, 1), end=date(year, 12, 31),
                  label_vi=f"năm {year}")


def half_period(year: int, half: int) -> Period:
    start, end = (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (
        date(year, 7, 1), date(year, 12, 31))
    which = "đầu" if half == 1 else "cuối"
    return Period(kind="half", start=start, end=end, label_vi=f"6 tháng {which} năm {year}")


def nine_months_period(year: int) -> Period:
    return Period(kind="nine_months", start=date(year, 1, 1), end=date(year, 9, 30),
                  label_vi=f"9 tháng đầu năm {year}")


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(kind="quarter", start=date(year, first, 1), end=_month_end(year, first + 2),
                  label_vi=f"quý {ROMAN[quarter]} năm {year}")


def month_period(year: int, month: int) -> Period:
    return Period(kind="month", start=date(year, month, 1), end=_month_end(year, month),
                  label_vi=f"tháng {month} năm {year}")


def previous_period(p: Period) -> Period:
    """The period just before `p`, of the same kind, for "so với kỳ trước" comparisons.

    A nine-month period has no adjacent twin: its previous period is the same nine months of
    the year before (as is the usual "cùng kỳ" comparison). A range maps to the range of the
    same length that ends the day before it starts.
    """
    year = p.start.year
    if p.kind == "year":
        return year_period(year - 1)
    if p.kind == "nine_months":
        return nine_months_period(year - 1)
    if p.kind == "half":
        return half_period(year, 1) if p.start.month == 7 else half_period(year - 1, 2)
    if p.kind == "quarter":
        q = (p.start.month - 1) // 3 + 1
        return quarter_period(year, q - 1) if q > 1 else quarter_period(year - 1, 4)
    if p.kind == "month":
        return month_period(year, p.start.month - 1) if p.start.month > 1 else month_period(
            year - 1, 12)
    end = p.start - timedelta(days=1)
    return _range(end - timedelta(days=p.days - 1), end, p.label_vi)


def same_period_last_year(p: Period) -> Period:
    """The same period one year earlier ("cùng kỳ năm trước")."""
    if p.kind == "range":
        return _range(_shift_year(p.start), _shift_year(p.end), p.label_vi)
    code = _code(p)
    return parse_period(code.replace(str(p.start.year), str(p.start.year - 1), 1))


def _shift_year(d: date) -> date:
    return d.replace(year=d.year - 1) if not (d.month == 2 and d.day == 29) else date(
        d.year - 1, 2, 28)


def _code(p: Period) -> str:
    y, m = p.start.year, p.start.month
    codes = {"year": f"{y}", "nine_months": f"{y}-9M", "half": f"{y}-H{1 if m == 1 else 2}",
             "quarter": f"{y}-Q{(m - 1) // 3 + 1}", "month": f"{y}-{m:02d}"}
    return codes[p.kind]


def tcd_data_period(p: Period) -> Period:
    """Map a calendar period to the inspectorate's data period (TT 01/2024/TT-TTCP).

    Quý I: 15/12 of the year before → 14/3; quý II–IV: the 15th of the last month of the
    previous quarter → the 14th of the quarter's last month; 6 tháng: 15/12 → 14/6;
    9 tháng: 15/12 → 14/9; năm: 15/12 → 14/12. By the same rule (⚠ not in the circular):
    6 tháng cuối năm: 15/6 → 14/12; a month: the 15th of the month before → the 14th.
    The label stays the report period's label ("6 tháng đầu năm 2026").
    """
    if p.kind == "range":
        raise ValueError(f"no inspectorate data period for a custom range ({p.label_vi}); "
                         "use 2026, 2026-H1, 2026-H2, 2026-9M, 2026-Q1..Q4 or 2026-05")
    last_month = p.end.month
    if p.kind in ("year", "nine_months") or (p.kind == "half" and p.start.month == 1):
        start = date(p.start.year - 1, 12, 15)
    else:
        start = _fifteenth_before(p.start)
    return Period(kind=p.kind, start=start, end=date(p.end.year, last_month, 14),
                  label_vi=p.label_vi)


def _fifteenth_before(first_day: date) -> date:
    """The 15th of the month before `first_day`'s month."""
    if first_day.month == 1:
        return date(first_day.year - 1, 12, 15)
    return date(first_day.year, first_day.month - 1, 15)
