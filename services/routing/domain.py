"""routing's decision for one case: the unit (rules) and the deadlines (policies, calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.calendar import WorkingCalendar, local_date
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.routing import Assignment, StepDeadline

from . import deadlines
from .deadline_policies import DeadlinePolicies
from .rules import RoutingDecision, RoutingInput, RuleBook
from shared.units import UnitCatalogue



@dataclass(frozen=True)
class Decision:
    assignment: Assignment
    deadlines: list[StepDeadline]
    needs_triage: bool


def routing_input(case: FeedbackReceived) -> RoutingInput:
    return RoutingInput(
        kind=case.kind.value, subject=case.subject, content=case.content,
        category_hints=tuple(case.category_hints), channel=case.channel.value,
        district=case.locality.district, commune=case.locality.commune,
        decision_issuer_unit=case.complaint.decision_issuer if case.complaint else None,
        complaint_round=case.complaint.round if case.complaint else None)


def received_on(case: FeedbackReceived) -> date:
    """The law counts in local days: the day of receipt as seen in Hà Tĩnh."""
    return local_date(case.received_at)


def assignment_of(decision: RoutingDecision) -> Assignment:
    return Assignment(unit_code=decision.unit_code, unit_name=decision.unit_name,
                      rule_id=decision.rule_id, explanation=decision.explanation,
                      matched_keywords=list(decision.matched_keywords))


def contract_deadline(d: deadlines.StepDeadline) -> StepDeadline:
    return StepDeadline(step=d.step, label=d.step_label_vi, due_on=d.due_on, days=d.days,
                        day_unit=d.unit.value, counted_from=d.start_on,
                        legal_basis=d.legal_basis, provisional=d.provisional,
                        unconfirmed=d.unconfirmed)


def decide(case: FeedbackReceived, *, rulebook: RuleBook, units: UnitCatalogue,
           policies: DeadlinePolicies, calendar: WorkingCalendar) -> Decision:
    on = received_on(case)
    routed = rulebook.route(routing_input(case), units=units, on=on)
    request = deadlines.DeadlineRequest(
        kind=case.kind.value, received_on=on,
        complaint_round=case.complaint.round if case.complaint else None)
    steps = deadlines.compute_deadlines(request, policies=policies, calendar=calendar)
    return Decision(assignment=assignment_of(routed),
                    deadlines=[contract_deadline(s) for s in steps],
                    needs_triage=routed.needs_triage)
