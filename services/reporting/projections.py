"""Pure projections: each known event updates one read-model row; the order of arrival does
not matter (fields keep the latest event by time and id, or the earliest date, or a count).

A projection names its row by table and primary key; the handler fetches or creates the row and
calls `apply(row, event, meta)`. Case projections end with `derive`, which recomputes the
derived columns from the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.contracts.base import Payload
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.notify import CaseEscalated, NotificationsScheduled
from shared.contracts.routing import (Assignment, CaseAssigned, CaseNeedsTriage, CaseReassigned,
                                      DeadlineChanged, StepDeadline)
from shared.contracts.updates import CaseStatusChanged

from . import domain
from .movement import MOVEMENT_PROJECTIONS
from .orm import Base, CaseEscalation, CaseFact


@dataclass(frozen=True)
class EventMeta:
    event_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class Projection:
    model: type[Payload]
    table: type[Base]
    key: Callable[[Any, EventMeta], dict[str, Any]]
    apply: Callable[[Any, Any, EventMeta], None]


def _case_key(event: Any, meta: EventMeta) -> dict[str, Any]:
    return {"ref": event.ref}


def project_received(fact: CaseFact, event: FeedbackReceived, meta: EventMeta) -> None:
    fact.kind = event.kind.value
    fact.channel = event.channel.value
    fact.district = event.locality.district
    fact.received_at = event.received_at
    fact.received_on = domain.local_date(event.received_at)
    fact.received_month = f"{fact.received_on:%Y-%m}"
    fact.complaint_round = event.complaint.round if event.complaint else None
    letter = event.letter
    if letter is not None:
        fact.letter_eligible = letter.eligible
        fact.letter_within_competence = letter.within_competence
        fact.letter_action = letter.action
        fact.letter_replied = bool(letter.reply_document)
        if letter.action is not None:
            _first_action(fact, fact.received_on)
    derive(fact)


def _deadlines(fact: CaseFact, meta: EventMeta, deadlines: list[StepDeadline]) -> None:
    """Deadlines from the latest routing event that set them (assignment, transfer, change)."""
    if domain.is_newer(meta.occurred_at, meta.event_id, fact.deadlines_at,
                       fact.deadlines_event_id):
        fact.deadlines_at, fact.deadlines_event_id = meta.occurred_at, meta.event_id
        fact.due_dates = {d.step: d.due_on.isoformat() for d in deadlines}
        fact.due_on = domain.resolve_due(fact.due_dates)


def _assignment(fact: CaseFact, event: Any, meta: EventMeta, assignment: Assignment) -> None:
    """The unit from the latest assignment or transfer; deadlines as they say."""
    fact.kind = fact.kind or event.kind.value
    if domain.is_newer(meta.occurred_at, meta.event_id, fact.assigned_at,
                       fact.assignment_event_id):
        fact.assigned_at, fact.assignment_event_id = meta.occurred_at, meta.event_id
        fact.unit_code, fact.unit_name = assignment.unit_code, assignment.unit_name
    _deadlines(fact, meta, event.deadlines)
    derive(fact)


def project_assigned(fact: CaseFact, event: CaseAssigned, meta: EventMeta) -> None:
    fact.needs_triage = bool(fact.needs_triage) or event.needs_triage
    _assignment(fact, event, meta, event.assignment)


def project_reassigned(fact: CaseFact, event: CaseReassigned, meta: EventMeta) -> None:
    _assignment(fact, event, meta, event.assignment)


def project_deadline_changed(fact: CaseFact, event: DeadlineChanged, meta: EventMeta) -> None:
    """Deadlines only: the unit changes by assignment or transfer (its unit_code is the
    holder's, already known from those)."""
    fact.kind = fact.kind or event.kind.value
    _deadlines(fact, meta, event.deadlines)
    derive(fact)


def project_triage(fact: CaseFact, event: CaseNeedsTriage, meta: EventMeta) -> None:
    """The Office holds the case until an assignment names a unit."""
    fact.kind = fact.kind or event.kind.value
    fact.needs_triage = True
    if fact.assigned_at is None:
        fact.unit_code = event.held_by


def project_status(fact: CaseFact, event: CaseStatusChanged, meta: EventMeta) -> None:
    status = event.status.value
    if status in domain.PROCESSING_STATUSES:
        _first_action(fact, domain.local_date(event.occurred_at))
    key = domain.status_key(status, meta.event_id)
    if domain.is_newer(event.occurred_at, key, fact.status_at, fact.status_event_id):
        external = bool(event.transfer and event.transfer.to_external_body)
        fact.status, fact.status_at, fact.status_event_id = status, event.occurred_at, key
        fact.status_closes = domain.closing_kind(status, external_transfer=external)
        resolution = event.resolution
        fact.status_result = resolution.result if resolution else None
        fact.status_decided = bool(resolution and resolution.document_number)
    fact.kind = fact.kind or event.kind
    derive(fact)


def _first_action(fact: CaseFact, day: Any) -> None:
    if fact.first_action_on is None or day < fact.first_action_on:
        fact.first_action_on = day


def project_scheduled(fact: CaseFact, event: NotificationsScheduled, meta: EventMeta) -> None:
    """The count from notify's latest announcement: re-plans, closures and steps done change
    it, and neither order nor duplicates do."""
    if event.live_count is None:
        _legacy_scheduled(fact, event)
    elif domain.is_newer(meta.occurred_at, meta.event_id, fact.reminders_at,
                         fact.reminders_event_id):
        fact.reminders_at, fact.reminders_event_id = meta.occurred_at, meta.event_id
        fact.reminders_scheduled = event.live_count


def _legacy_scheduled(fact: CaseFact, event: NotificationsScheduled) -> None:
    """An announcement from before live_count carries only the rows it added: they add up,
    until an announcement with the count arrives."""
    if fact.reminders_event_id is None:
        fact.reminders_scheduled = (fact.reminders_scheduled or 0) + len(event.items)


def project_escalated(row: CaseEscalation, event: CaseEscalated, meta: EventMeta) -> None:
    row.ref, row.unit_code, row.level = event.ref, event.unit_code, event.level
    row.sent_on = domain.local_date(event.sent_at)


def derive(fact: CaseFact) -> None:
    """Recompute the derived columns: what the reports count, from what the events said."""
    closing = fact.status_closes
    fact.close_kind = closing
    fact.closed_on = domain.local_date(fact.status_at) if closing and fact.status_at else None
    fact.result = fact.status_result if closing else None
    firsts = [d for d in (fact.first_action_on, fact.closed_on) if d is not None]
    fact.processed_on = min(firsts) if firsts else None
    both = fact.closed_on is not None and fact.due_on is not None
    fact.on_time = fact.closed_on <= fact.due_on if both else None
    received = fact.received_on is not None and fact.closed_on is not None
    fact.handling_days = max(0, (fact.closed_on - fact.received_on).days) if received else None
    fact.competent = domain.competent(fact.letter_within_competence, fact.letter_action, closing)
    fact.outside_action = domain.outside_action(fact.competent, fact.letter_action, closing)


def _case(model: type[Payload], apply: Callable[..., None]) -> Projection:
    return Projection(model, CaseFact, _case_key, apply)


PROJECTIONS: dict[tuple[str, int], Projection] = {
    (m.model.message_type, m.model.schema_version): m for m in (
        _case(FeedbackReceived, project_received),
        _case(CaseAssigned, project_assigned),
        _case(CaseReassigned, project_reassigned),
        _case(DeadlineChanged, project_deadline_changed),
        _case(CaseNeedsTriage, project_triage),
        _case(CaseStatusChanged, project_status),
        _case(NotificationsScheduled, project_scheduled),
        Projection(CaseEscalated, CaseEscalation, lambda e, m: {"event_id": m.event_id},
                   project_escalated),
        *(Projection(model, table, key, apply)
          for model, table, key, apply in MOVEMENT_PROJECTIONS),
    )
}
