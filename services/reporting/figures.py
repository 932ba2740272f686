"""Feedback figures of a period, from the grouped rows of queries.py (definitions: domain.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from . import domain, queries
from .content import (Count, FeedbackFigures, MonthlyCount, OverdueCase, PreviousFigures,
                      Ranking, RankingRow, ExcludedUnit, UnitFeedback, UnitRef)
from .periods import Period
from .queries import Window

UNASSIGNED = "CHUA_PHAN_CONG"
Namer = Callable[[str | None], UnitRef]


@dataclass
class CaseRows:
    """What the queries returned for one window."""

    cube: list[Any]
    histogram: list[Any]
    outcomes: list[Any]
    open: list[Any]
    overdue: list[Any]
    escalations: int


async def load_rows(session: AsyncSession, window: Window, as_of: date) -> CaseRows:
    return CaseRows(
        cube=await queries.received_cube(session, window),
        histogram=await queries.closed_histogram(session, window),
        outcomes=await queries.outcomes(session, window),
        open=await queries.open_by_unit(session, window, as_of),
        overdue=await queries.overdue_cases(session, window, as_of),
        escalations=await queries.escalations(session, window))


def counts(totals: Counter[str], labels: dict[str, str]) -> list[Count]:
    """Non-zero counts, in the labels' order, then any unlabelled key in code order."""
    keys = [k for k in labels if totals.get(k)] + sorted(k for k in totals if k not in labels
                                                          and totals[k])
    return [Count(key=k, label_vi=labels.get(k, k), value=totals[k]) for k in keys]


def _sum_by(rows: Iterable[Any], field: str) -> Counter[str]:
    totals: Counter[str] = Counter()
    for row in rows:
        totals[getattr(row, field) or ""] += row.n
    return totals


def months_of(period: Period) -> list[str]:
    months, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def by_month(cube: list[Any], period: Period, kinds: dict[str, str]) -> list[MonthlyCount]:
    per_month: dict[str, Counter[str]] = defaultdict(Counter)
    for row in cube:
        per_month[row.month][row.kind or ""] += row.n
    return [MonthlyCount(month=m, by_kind=counts(per_month[m], kinds)) for m in months_of(period)]


def handled_totals(histogram: list[Any]) -> tuple[int, int, int, int]:
    """(handled, on time, late, handled without a due date)."""
    handled = sum(r.n for r in histogram)
    on_time = sum(r.n for r in histogram if r.on_time is True)
    late = sum(r.n for r in histogram if r.on_time is False)
    return handled, on_time, late, handled - on_time - late


def outcome_counts(rows: list[Any], kind: str, labels: dict[str, str]) -> list[Count]:
    totals: Counter[str] = Counter()
    for row in rows:
        if row.kind == kind:
            key = {"rejected": "khong_thu_ly", "transferred_out": "chuyen_don"}.get(
                row.close_kind, row.result or "khong_ro")
            totals[key] += row.n
    return counts(totals, labels)


def unit_feedback(rows: CaseRows, namer: Namer) -> list[UnitFeedback]:
    units: dict[str, dict[str, int]] = defaultdict(Counter)
    for row in rows.cube:
        units[row.unit_code or UNASSIGNED]["received"] += row.n
    for row in rows.histogram:
        figures = units[row.unit_code or UNASSIGNED]
        figures["handled"] += row.n
        figures["on_time"] += row.n if row.on_time is True else 0
        figures["late"] += row.n if row.on_time is False else 0
    for row in rows.open:
        figures = units[row.unit_code or UNASSIGNED]
        figures["open"] += row.open
        figures["overdue"] += row.overdue
    listed = [UnitFeedback(unit=namer(code), **figures) for code, figures in units.items()]
    return sorted(listed, key=lambda u: (u.unit.code == UNASSIGNED, u.unit.name_vi))


def ranking(histogram: list[Any], namer: Namer, min_cases: int,
            units: Iterable[str] = ()) -> Ranking:
    """Units by on-time rate over the cases they closed with a known due date; `units` with
    none are listed among those left out."""
    scores: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code in units:
        if code != UNASSIGNED:
            scores[code]
    for row in histogram:
        if row.unit_code is not None and row.on_time is not None:
            scores[row.unit_code][0] += row.n
            scores[row.unit_code][1] += row.n if row.on_time else 0
    units = [domain.UnitScore(code, namer(code).name_vi, cases, on_time)
             for code, (cases, on_time) in scores.items()]
    rows, excluded = domain.rank_units(units, min_cases)
    return Ranking(
        min_cases=min_cases,
        rows=[RankingRow(rank=rank, unit=namer(s.code), cases=s.cases, on_time=s.on_time,
                         on_time_rate=s.on_time / s.cases) for rank, s in rows],
        excluded=[ExcludedUnit(unit=namer(s.code), cases=s.cases) for s in excluded])


def overdue_list(rows: list[Any], as_of: date, namer: Namer,
                 kinds: dict[str, str]) -> list[OverdueCase]:
    return [OverdueCase(case_ref=r.ref, kind=Count(key=r.kind or "", label_vi=kinds.get(
        r.kind, r.kind or "—"), value=1), unit=namer(r.unit_code), received_on=r.received_on,
        due_on=r.due_on, days_overdue=(as_of - r.due_on).days) for r in rows]


def histogram_of(rows: list[Any]) -> Counter[int]:
    days: Counter[int] = Counter()
    for row in rows:
        if row.handling_days is not None:
            days[row.handling_days] += row.n
    return days


def feedback_figures(rows: CaseRows, *, period: Period, as_of: date, namer: Namer,
                     labels: dict[str, Any], previous: PreviousFigures | None) -> FeedbackFigures:
    kinds = labels["kind"]
    handled, on_time, late, unknown = handled_totals(rows.histogram)
    days = histogram_of(rows.histogram)
    return FeedbackFigures(
        received_total=sum(r.n for r in rows.cube),
        received_by_kind=counts(_sum_by(rows.cube, "kind"), kinds),
        received_by_channel=counts(_sum_by(rows.cube, "channel"), labels["channel"]),
        by_unit=unit_feedback(rows, namer), by_month=by_month(rows.cube, period, kinds),
        handled=handled, on_time=on_time, late=late, handled_without_deadline=unknown,
        open=sum(r.open for r in rows.open),
        overdue=overdue_list(rows.overdue, as_of, namer, kinds),
        on_time_rate=domain.rate(on_time, on_time + late),
        median_handling_days=domain.median_from_histogram(days),
        p90_handling_days=domain.percentile_from_histogram(days, 90),
        complaints_by_outcome=outcome_counts(rows.outcomes, "khieu_nai",
                                             labels["complaint_outcome"]),
        denunciations_by_outcome=outcome_counts(rows.outcomes, "to_cao",
                                                labels["denunciation_outcome"]),
        escalations=rows.escalations, previous=previous)


async def previous_figures(session: AsyncSession, window: Window, period: Period,
                           labels: dict[str, Any]) -> PreviousFigures:
    cube = await queries.received_cube(session, window)
    _, on_time, late, _ = handled_totals(await queries.closed_histogram(session, window))
    return PreviousFigures(period=period, received_total=sum(r.n for r in cube),
                           received_by_kind=counts(_sum_by(cube, "kind"), labels["kind"]),
                           on_time_rate=domain.rate(on_time, on_time + late))
