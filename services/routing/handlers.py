"""routing's use cases: one unit of work per message, events through the outbox."""

from __future__ import annotations

from collections.abc import Callable

from shared.calendar import local_date
from shared.contracts.base import Envelope, caused_by, utc_now
from shared.contracts.feedback import FeedbackKind, FeedbackReceived
from shared.contracts.routing import Assignment as AssignmentContract
from shared.contracts.routing import CaseAssigned, CaseNeedsTriage, CaseReassigned, DeadlineChanged
from shared.contracts.updates import CaseStatusChanged
from shared.errors import PermanentError
from shared import metrics
from shared.logging import get_logger

from .domain import Decision, received_on
from .orm import Assignment, AssignmentAudit
from .reactions import Extension, Reaction, Track
from .uow import RoutingUnitOfWork

log = get_logger()
PRODUCER = "routing"
CONSUMER = "routing.cases"

Decide = Callable[[FeedbackReceived], Decision]


async def assign_case(envelope: Envelope[FeedbackReceived], *,
                      uow: Callable[[], RoutingUnitOfWork], decide: Decide) -> None:
    case = envelope.data
    decision = None
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        if await work.assignments.get(case.ref) is None:
            decision = decide(case)
            work.assignments.add(*_records(case, decision, envelope.correlation_id))
            for event in _events(case, decision):
                await work.publish(caused_by(envelope, event, producer=PRODUCER))
            log.info("case assigned", ref=case.ref, unit=decision.assignment.unit_code,
                     rule=decision.assignment.rule_id, triage=decision.needs_triage)
        await work.commit()
    if decision is not None:
        metrics.case_assigned(triage=decision.needs_triage)


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
        assigned_at=now, correlation_id=correlation_id, received_on=received_on(case),
        complaint_round=case.complaint.round if case.complaint else None, accepted_on=None,
        extensions=[], closed=False, external_body=None, remote_area=False)
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


React = Callable[[Track, CaseStatusChanged], Reaction | None]


async def apply_status_change(envelope: Envelope[CaseStatusChanged], *,
                              uow: Callable[[], RoutingUnitOfWork], react: React,
                              unit_name: Callable[[str], str]) -> None:
    change = envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        assignment = await work.assignments.get(change.ref)
        if assignment is None:
            raise PermanentError(f"status change for {change.ref}, which routing never assigned")
        reaction = react(track_of(assignment), change)
        if reaction is not None:
            for event in _record_reaction(work, assignment, reaction, unit_name):
                await work.publish(caused_by(envelope, event, producer=PRODUCER))
        await work.commit()


def track_of(a: Assignment) -> Track:
    return Track(kind=a.kind, received_on=a.received_on or local_date(a.received_at),
                 complaint_round=a.complaint_round, unit_code=a.unit_code,
                 accepted_on=a.accepted_on, closed=a.closed, remote_area=a.remote_area,
                 extensions=tuple(Extension(**e) for e in a.extensions or []))


def _record_reaction(work: RoutingUnitOfWork, a: Assignment, reaction: Reaction,
                     unit_name: Callable[[str], str]) -> list[CaseReassigned | DeadlineChanged]:
    t = reaction.track
    moved = reaction.new_unit is not None
    previous_unit = a.unit_code
    a.accepted_on, a.closed, a.received_on = t.accepted_on, t.closed, t.received_on
    a.remote_area = t.remote_area
    a.extensions = [{"days": e.days, "especially_complicated": e.especially_complicated}
                    for e in t.extensions]
    a.deadlines = [d.model_dump(mode="json") for d in reaction.deadlines]
    if moved:
        return [_reassign(work, a, reaction, previous_unit, unit_name)]
    return [DeadlineChanged(ref=a.ref, kind=FeedbackKind(a.kind), unit_code=a.unit_code,
                            reason=reaction.reason, deadlines=reaction.deadlines,
                            closed=t.closed)]


def _reassign(work: RoutingUnitOfWork, a: Assignment, reaction: Reaction, previous_unit: str,
              unit_name: Callable[[str], str]) -> CaseReassigned:
    new_unit = reaction.new_unit or a.unit_code
    a.unit_code, a.external_body = new_unit, reaction.external_body
    a.unit_name = unit_name(new_unit)
    a.explanation = reaction.reason
    work.assignments.add_audit(AssignmentAudit(
        ref=a.ref, at=utc_now(), action="transferred", from_unit=previous_unit,
        to_unit=reaction.external_body or new_unit, reason=reaction.reason))
    return CaseReassigned(
        ref=a.ref, kind=FeedbackKind(a.kind), from_unit=previous_unit,
        assignment=AssignmentContract(unit_code=new_unit, unit_name=a.unit_name,
                                      rule_id="chuyen-don", explanation=reaction.reason),
        reason=reaction.reason, outside_competence=reaction.external_body is not None,
        external_body=reaction.external_body, deadlines=reaction.deadlines)
