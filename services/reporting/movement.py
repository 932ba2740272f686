"""Projections of the movement's records: task progress, models, sessions, inspections.

Each row keeps what its latest event said (by the event's own date or time, then event id), so
the order of arrival does not matter.
"""

from __future__ import annotations

from typing import Any

from shared.contracts.plan import (InspectionRecorded, ModelRegistered, ModelReviewed,
                                   SessionRecorded, TaskProgressReported)

from . import domain
from .orm import DvkModelRow, InspectionRow, MovementSession, TaskProgress
from .periods import parse_period


def project_progress(row: TaskProgress, event: TaskProgressReported, meta: Any) -> None:
    if not domain.is_newer(event.reported_at, meta.event_id, row.reported_at, row.event_id):
        return
    period = parse_period(event.period)
    row.period_start, row.period_end = period.start, period.end
    row.section, row.task_title = event.section, event.task_title
    row.percent_done, row.status = event.percent_done, event.status.value
    row.done_text = event.done_text
    row.evidence = [str(url) for url in event.evidence]
    row.reported_at, row.event_id = event.reported_at, meta.event_id
    row.reported_on = domain.local_date(event.reported_at)


def project_model_registered(row: DvkModelRow, event: ModelRegistered, meta: Any) -> None:
    if not domain.is_newer(event.registered_on, meta.event_id, row.registered_on,
                           row.registration_event_id):
        return
    row.name, row.field, row.kind = event.name, event.field.value, event.kind
    row.unit_code, row.description, row.year = event.unit_code, event.description, event.year
    row.registered_on, row.registration_event_id = event.registered_on, meta.event_id


def project_model_reviewed(row: DvkModelRow, event: ModelReviewed, meta: Any) -> None:
    if not domain.is_newer(event.reviewed_on, meta.event_id, row.reviewed_on,
                           row.review_event_id):
        return
    row.review_result, row.review_level = event.result, event.level
    row.reviewed_on, row.review_note = event.reviewed_on, event.note
    row.review_event_id = meta.event_id


_SESSION_FIELDS = ("session_type", "regularity", "held_on", "chaired_by", "received_by",
                   "unit_code", "participants", "visits", "persons", "cases_first_time",
                   "cases_repeated", "group_delegations", "group_persons")


def project_session(row: MovementSession, event: SessionRecorded, meta: Any) -> None:
    if not domain.is_newer(meta.occurred_at, meta.event_id, row.recorded_at, row.event_id):
        return
    for name in _SESSION_FIELDS:
        setattr(row, name, getattr(event, name))
    row.issues_raised = len(event.issues_raised)
    row.recorded_at, row.event_id = meta.occurred_at, meta.event_id


def project_inspection(row: InspectionRow, event: InspectionRecorded, meta: Any) -> None:
    if not domain.is_newer(meta.occurred_at, meta.event_id, row.recorded_at, row.event_id):
        return
    row.unit_inspected, row.mode = event.unit_inspected, event.mode
    row.started_on, row.ended_on = event.started_on, event.ended_on
    row.findings, row.recommendations = event.findings, list(event.recommendations)
    row.recorded_at, row.event_id = meta.occurred_at, meta.event_id


MOVEMENT_PROJECTIONS: tuple[tuple[Any, Any, Any, Any], ...] = (
    (TaskProgressReported, TaskProgress,
     lambda e, m: {"task_id": e.task_id, "unit_code": e.unit_code, "period": e.period},
     project_progress),
    (ModelRegistered, DvkModelRow, lambda e, m: {"model_id": e.model_id},
     project_model_registered),
    (ModelReviewed, DvkModelRow, lambda e, m: {"model_id": e.model_id}, project_model_reviewed),
    (SessionRecorded, MovementSession, lambda e, m: {"session_id": e.session_id},
     project_session),
    (InspectionRecorded, InspectionRow, lambda e, m: {"inspection_id": e.inspection_id},
     project_inspection),
)
