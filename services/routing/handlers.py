"""routing's use cases: one unit of work per message, events through the outbox."""

from __future__ import annotations

from collections.abc import Callable

from shared.contracts.base import Envelope, caused_by, utc_now
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.routing import CaseAssigned, CaseNeedsTriage
from shared.logging import get_logger

from .domain import Decision
from .orm import Assignment, AssignmentAudit
from .uow import RoutingUnitOfWork

log = get_logger()
PRODUCER = "routing"
CONSUMER = "routing.cases"

Decide = Callable[[FeedbackReceived], Decision]


async def assign_case(envelope: Envelope[FeedbackReceived], *,
                      uow: Callable[[], RoutingUnitOfWork], decide: Decide) -> None:
    case = envelope.data
    async with uow() as work:
        if await work.already_processed(envelope.event_id, CONSUMER):
            return
        if await work.assignments.get(case.ref) is None:
            decision = decide(case)
            work.assignments.add(*_records(case, decision, envelope.correlation_id))
            for event in _events(case, decision):
                await work.publish(caused_by(envelope, event, producer=PRODUCER))
            log.info("case assigned", ref=case.ref, unit=decision.assignment.unit_code,
                     rule=decision.assignment.rule_id, triage=decision.needs_triage)
        await work.mark_processed(envelope.event_id, CONSUMER)
        await work.commit()


def _records(case: FeedbackReceived, decision: Decision, correlation_id: str
             ) -> tuple[Assignment, AssignmentAudit]:
    a = decision.assignment
    now = utc_now()
    assignment = Assignment(
        ref=case.ref, kind=case.kind.value, received_at=case.received_at,
        unit_code=a.unit_code, unit_name=a.unit_name, rule_id=a.rule_id,
        explanation=a.explanation, matched_keywords=a.matched_keywords,
        needs_triage=decision.needs_triage,
        deadlines=[d.model_dump(mode="json") for d in decision.deadlines],
        assigned_at=now, correlation_id=correlation_id)
    audit = AssignmentAudit(ref=case.ref, at=now, action="assigned", from_unit=None,
                            to_unit=a.unit_code, reason=a.explanation)
    return assignment, audit


def _events(case: FeedbackReceived, decision: Decision) -> list[CaseAssigned | CaseNeedsTriage]:
    events: list[CaseAssigned | CaseNeedsTriage] = [CaseAssigned(
        ref=case.ref, kind=case.kind, received_at=case.received_at,
        assignment=decision.assignment, deadlines=decision.deadlines,
        needs_triage=decision.needs_triage)]
    if decision.needs_triage:
        events.append(CaseNeedsTriage(ref=case.ref, kind=case.kind,
                                      reason=decision.assignment.explanation,
                                      held_by=decision.assignment.unit_code))
    return events
