"""Pure projections: each known event updates a case's facts; order of arrival does not matter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.contracts.base import Payload
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.notify import NotificationsScheduled
from shared.contracts.routing import CaseAssigned

from .orm import CaseFact


def project_received(fact: CaseFact, event: FeedbackReceived) -> None:
    fact.kind = event.kind.value
    fact.channel = event.channel.value
    fact.district = event.locality.district
    fact.received_at = event.received_at


def project_assigned(fact: CaseFact, event: CaseAssigned) -> None:
    fact.kind = event.kind.value
    fact.unit_code = event.assignment.unit_code
    fact.unit_name = event.assignment.unit_name
    fact.needs_triage = event.needs_triage
    fact.due_dates = {d.step: d.due_on.isoformat() for d in event.deadlines}


def project_scheduled(fact: CaseFact, event: NotificationsScheduled) -> None:
    fact.reminders_scheduled = (fact.reminders_scheduled or 0) + len(event.items)


PROJECTIONS: dict[tuple[str, int], tuple[type[Payload], Callable[[CaseFact, Any], None]]] = {
    (FeedbackReceived.message_type, 1): (FeedbackReceived, project_received),
    (CaseAssigned.message_type, 1): (CaseAssigned, project_assigned),
    (NotificationsScheduled.message_type, 1): (NotificationsScheduled, project_scheduled),
}
