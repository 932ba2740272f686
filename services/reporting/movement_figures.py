"""The movement's part of a report: plan progress and who has not reported, models, sessions,
inspections. These are hundreds of rows, not millions; they are read as plain rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.plan import PlanCatalogue
from shared.units import UnitCatalogue

from . import domain
from .content import (DialogueSession, DvkModel, Inspection, PlanSection, PlanTask,
                      UnitProgress, UnitRef)
from .orm import DvkModelRow, InspectionRow, MovementSession, TaskProgress
from .queries import Window

Namer = Callable[[str | None], UnitRef]


def _columns(table: Any) -> Any:
    return select(*table.__table__.c)


async def latest_progress(session: AsyncSession, window: Window) -> dict[tuple[str, str], Any]:
    """Per (task, unit): the latest progress report that belongs to the window's period."""
    query = _columns(TaskProgress).where(TaskProgress.period_end >= window.start,
                                         TaskProgress.period_start <= window.end)
    if window.unit is not None:
        query = query.where(TaskProgress.unit_code == window.unit)
    latest: dict[tuple[str, str], Any] = {}
    for row in await session.execute(query):
        if not domain.progress_counts(row.period_start, row.period_end, row.reported_on,
                                      report_start=window.start, report_end=window.end):
            continue
        key = (row.task_id, row.unit_code)
        held = latest.get(key)
        if held is None or (row.reported_at, row.event_id) > (held.reported_at, held.event_id):
            latest[key] = row
    return latest


def plan_sections(progress: dict[tuple[str, str], Any], *, plan: PlanCatalogue,
                  units: UnitCatalogue, on: date, namer: Namer,
                  only_unit: str | None) -> list[PlanSection]:
    sections = []
    for section in plan.sections:
        tasks, missing = [], {}
        for task in section.tasks:
            owed = plan.units_for(task, units=units, on=on)
            if only_unit is not None:
                owed = [u for u in owed if u == only_unit]
            done = sorted((r for (t, _), r in progress.items() if t == task.id),
                          key=lambda r: namer(r.unit_code).name_vi)
            reported = {r.unit_code for r in done}
            missing.update({u: namer(u) for u in owed if u not in reported})
            tasks.append(PlanTask(task_id=task.id, title_vi=task.title,
                                  progress=[_unit_progress(r, namer) for r in done]))
        sections.append(PlanSection(code=section.code, title_vi=section.title, tasks=tasks,
                                    units_not_reported=sorted(missing.values(),
                                                              key=lambda u: u.name_vi)))
    return sections


def _unit_progress(row: Any, namer: Namer) -> UnitProgress:
    return UnitProgress(unit=namer(row.unit_code), status=domain.TASK_STATUS[row.status],
                        progress_pct=row.percent_done, done_vi=row.done_text,
                        reported_on=row.reported_on, evidence=list(row.evidence or []))


_LEVEL_WORDS = {"tieu_bieu": "tiêu biểu", "de_nghi_khen_thuong": "đề nghị khen thưởng"}


async def models(session: AsyncSession, window: Window, namer: Namer) -> list[DvkModel]:
    """Models of the period's year(s) registered by its end, with their review as of then."""
    m = DvkModelRow
    query = _columns(m).where(m.name.is_not(None), m.registered_on <= window.end,
                              m.year.between(window.start.year, window.end.year))
    if window.unit is not None:
        query = query.where(m.unit_code == window.unit)
    found = []
    for row in await session.execute(query):
        review = row.review_result if row.reviewed_on and row.reviewed_on <= window.end else None
        level = ", ".join(x for x in (row.review_level, _LEVEL_WORDS.get(review or "")) if x)
        found.append(DvkModel(
            name_vi=row.name, kind=row.kind, field=row.field, unit=namer(row.unit_code),
            time_vi=f"Năm {row.year}", content_vi=row.description or "",
            results_vi=(row.review_note or "") if review else "",
            status=domain.model_status(row.registered_on, review, window.start),
            recognition_level_vi=level, note_vi=row.model_id))
    return sorted(found, key=lambda x: (x.unit.name_vi, x.name_vi, x.note_vi))


async def sessions(session: AsyncSession, window: Window, namer: Namer,
                   types: tuple[str, ...]) -> list[DialogueSession]:
    s = MovementSession
    query = _columns(s).where(s.held_on.between(window.start, window.end),
                              s.session_type.in_(types)).order_by(s.held_on, s.session_id)
    if window.unit is not None:
        query = query.where(s.unit_code == window.unit)
    return [DialogueSession(
        held_on=r.held_on, unit=namer(r.unit_code),
        kind=domain.session_kind(r.session_type, r.regularity), chaired_by_vi=r.chaired_by,
        turns=r.visits, people=r.participants if r.session_type == "doi_thoai" else r.persons,
        cases=r.cases_first_time + r.cases_repeated, delegations=r.group_delegations,
        issues_raised=r.issues_raised) for r in await session.execute(query)]


async def session_rows(session: AsyncSession, window: Window) -> list[Any]:
    """Citizen-reception sessions of the window, as rows (for 01/TCD)."""
    s = MovementSession
    query = _columns(s).where(s.held_on.between(window.start, window.end),
                              s.session_type == "tiep_cong_dan")
    if window.unit is not None:
        query = query.where(s.unit_code == window.unit)
    return list(await session.execute(query.order_by(s.unit_code, s.session_id)))


async def inspections(session: AsyncSession, window: Window, namer: Namer,
                      lead_unit: str) -> list[Inspection]:
    i = InspectionRow
    query = _columns(i).where(i.started_on <= window.end,
                              or_(i.ended_on.is_(None), i.ended_on >= window.start))
    if window.unit is not None and window.unit != lead_unit:
        query = query.where(i.unit_inspected == window.unit)
    rows = await session.execute(query.order_by(i.started_on, i.inspection_id))
    return [Inspection(
        ref=r.inspection_id, title_vi=f"Thanh tra, kiểm tra tại {namer(r.unit_inspected).name_vi}",
        kind=r.mode, lead_unit=namer(lead_unit), inspected_units=[namer(r.unit_inspected)],
        started_on=r.started_on, ended_on=r.ended_on, conclusion_vi=r.findings,
        recommendations_vi=list(r.recommendations or [])) for r in rows]
