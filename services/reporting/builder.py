"""Build a report's content (figures, tables, plan progress…) from the read model.

`build_content` reads through one session (one consistent snapshot) and returns the
`ReportContent` the document layer renders. It never writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.plan import PlanCatalogue
from shared.units import UnitCatalogue

from . import domain, figures, movement_figures, queries, tcd_tables
from .content import ReportContent, Scope, UnitRef
from .documents.settings import DocumentSettings
from .gc_pause import gc_paused
from .periods import Period, parse_period, previous_period, tcd_data_period
from .queries import Window

FAMILIES = ("dan_van_kheo", "tiep_cong_dan")
DEPARTMENT = "department"


@dataclass(frozen=True)
class ReportRequest:
    family: str
    period: str
    scope: str = DEPARTMENT
    report_date: date | None = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown report family {self.family!r}; one of "
                             f"{', '.join(FAMILIES)}")
        parse_period(self.period)


@dataclass(frozen=True)
class BuildContext:
    units: UnitCatalogue
    plan: PlanCatalogue
    labels: dict[str, Any]
    document_settings: Callable[[date], DocumentSettings]
    ranking_min_cases: int = 10
    inspection_lead_unit: str = "THANH_TRA"


def make_namer(units: UnitCatalogue, on: date, fallback: dict[str, str]
               ) -> Callable[[str | None], UnitRef]:
    """Unit names as the catalogue had them on `on` (else its latest, else routing's)."""

    @cache
    def name(code: str | None) -> UnitRef:
        if code is None or code == figures.UNASSIGNED:
            return UnitRef(code=figures.UNASSIGNED, name_vi="Chưa phân công đơn vị")
        unit = units.get(code, on=on) or (units.by_code.get(code) or (None,))[-1]
        return UnitRef(code=code, name_vi=unit.name if unit else fallback.get(code, code))

    return name


def data_window(family: str, period: Period) -> Period:
    """The period whose figures a report counts: the inspectorate's data period for the
    citizen-reception report (the 15th to the 14th), the period itself otherwise."""
    if family == "tiep_cong_dan" and period.kind != "range":
        return tcd_data_period(period)
    return period


async def build_content(session: AsyncSession, request: ReportRequest, *,
                        context: BuildContext, now: datetime) -> ReportContent:
    period = parse_period(request.period)
    report_date = request.report_date or domain.local_date(now)
    counted = data_window(request.family, period)
    unit = None if request.scope == DEPARTMENT else request.scope
    if unit is not None and not context.units.knows(unit):
        raise ValueError(f"unknown unit {unit!r} for a unit-scope report")
    window, as_of = Window(counted.start, counted.end, unit), min(counted.end, report_date)
    namer = make_namer(context.units, counted.end, await queries.unit_names(session))
    previous = data_window(request.family, previous_period(period))
    rows = await figures.load_rows(session, window, as_of)
    before = await figures.previous_figures(session, Window(previous.start, previous.end, unit),
                                            previous, context.labels)
    with gc_paused():  # a model per overdue case: many thousands in a large department
        feedback = figures.feedback_figures(rows, period=counted, as_of=as_of, namer=namer,
                                            labels=context.labels, previous=before)
    content = ReportContent(
        family=request.family, period=period, data_period=counted if counted != period else None,
        scope=_scope(unit, namer), report_date=report_date, generated_at=now, feedback=feedback)
    settings = context.document_settings(report_date)
    if request.family == "dan_van_kheo":
        await _movement(session, content, window, as_of, context, namer)
        if unit is None:
            content.ranking = figures.ranking(rows.histogram, namer, context.ranking_min_cases,
                                              [u.unit.code for u in content.feedback.by_unit])
    else:
        await _reception(session, content, window, namer, settings)
    return content


def _scope(unit: str | None, namer: Callable[[str | None], UnitRef]) -> Scope:
    if unit is None:
        return Scope(kind="department", name_vi="Toàn Sở")
    ref = namer(unit)
    return Scope(kind="unit", unit=ref, name_vi=ref.name_vi)


async def _movement(session: AsyncSession, content: ReportContent, window: Window,
                    as_of: date, context: BuildContext, namer: Any) -> None:
    progress = await movement_figures.latest_progress(session, window)
    content.plan_sections = movement_figures.plan_sections(
        progress, plan=context.plan, units=context.units, on=as_of, namer=namer,
        only_unit=window.unit)
    content.models = await movement_figures.models(session, window, namer)
    content.sessions = await movement_figures.sessions(session, window, namer,
                                                       ("doi_thoai", "tiep_cong_dan"))
    content.inspections = await movement_figures.inspections(session, window, namer,
                                                             context.inspection_lead_unit)


async def _reception(session: AsyncSession, content: ReportContent, window: Window,
                     namer: Any, settings: DocumentSettings) -> None:
    content.sessions = await movement_figures.sessions(session, window, namer,
                                                       ("tiep_cong_dan",))
    sessions = await movement_figures.session_rows(session, window)
    letters = await tcd_tables.letter_counts(session, window)
    content.tables = [tcd_tables.reception_table(sessions, namer, settings),
                      *tcd_tables.letter_tables(letters, namer, settings)]
