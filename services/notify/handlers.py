"""notify's use cases: one unit of work per message, events through the outbox. Intake's and
routing's events about one case may come in any order; each handler records what it learnt and
lets the schedule follow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.contracts.base import Envelope, caused_by
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.notify import NotificationsScheduled
from shared.contracts.plan import TaskProgressReported
from shared.contracts.routing import CaseAssigned, CaseReassigned, DeadlineChanged
from shared.contracts.updates import CaseStatus, CaseStatusChanged
from shared.logging import get_logger

from . import acks, domain, reports, scheduling
from .orm import CaseRecord
from .repository import CaseSchedule
from .scheduling import PRODUCER, Planning, trace
from .uow import NotifyUnitOfWork

log = get_logger()
CONSUMER = "notify.cases"
Uow = Callable[[], NotifyUnitOfWork]
Plan = Callable[[CaseAssigned], list[Any]]
CASE_PHASES = ("before", "after")


async def schedule_case(envelope: Envelope[CaseAssigned], *, uow: Uow, plan: Plan | None = None,
                        planning: Planning | None = None) -> None:
    """routing.case_assigned: reminders and ladder for each deadline, and the sender told that
    the case reached a unit (unless the Office holds it for triage)."""
    planning, case = planning or Planning.default(), envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        record = await _case(work, case.ref, planning, kind=case.kind, received=case.received_at)
        schedule = await work.schedule.of_case(case.ref)
        fresh: list[Any] = []
        if _newer(record, envelope):
            record.in_triage = case.needs_triage
            fresh = await _route(work, record, schedule, envelope, case.assignment,
                                 case.deadlines, planning, plan(case) if plan else None)
        else:
            _name_unit(record, case.assignment)
        if not record.in_triage:
            acks.forwarded(schedule, record, envelope, planning)
        await scheduling.settle_acks(work, record, schedule, planning, envelope)
        await _finish(work, envelope, record, schedule, fresh, planning)
    log.info("notifications scheduled", ref=case.ref, count=len(fresh))


async def on_case_reassigned(envelope: Envelope[CaseReassigned], *, uow: Uow,
                             planning: Planning) -> None:
    """A transfer: pending messages follow the case to its new unit; deadlines may move."""
    case = envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        record = await _case(work, case.ref, planning, kind=case.kind)
        schedule = await work.schedule.of_case(case.ref)
        fresh: list[Any] = []
        if _newer(record, envelope):
            record.in_triage = False
            fresh = await _route(work, record, schedule, envelope, case.assignment,
                                 case.deadlines, planning)
            acks.forwarded(schedule, record, envelope, planning)
        else:
            _name_unit(record, case.assignment)
        await scheduling.settle_acks(work, record, schedule, planning, envelope)
        await _finish(work, envelope, record, schedule, fresh, planning)


async def on_deadline_changed(envelope: Envelope[DeadlineChanged], *, uow: Uow,
                              planning: Planning) -> None:
    """Moved deadlines move their reminders; a closed case has none left."""
    change = envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        record = await _case(work, change.ref, planning, kind=change.kind)
        schedule = await work.schedule.of_case(change.ref)
        fresh: list[Any] = []
        if _newer(record, envelope) and change.closed:
            record.routed_at = envelope.occurred_at
            await _close(work, record, "the case is closed")
        elif _newer(record, envelope):
            record.closed = False
            fresh = await _apply(work, record, schedule, envelope, change.unit_code,
                                 change.deadlines, planning)
        await scheduling.settle_acks(work, record, schedule, planning, envelope)
        await _finish(work, envelope, record, schedule, fresh, planning)


async def on_status_changed(envelope: Envelope[CaseStatusChanged], *, uow: Uow,
                            planning: Planning) -> None:
    """What the sender should know (accepted, extended, answered), and closing on resolution."""
    change = envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        record = await _case(work, change.ref, planning, kind=change.kind)
        if change.status is CaseStatus.ACCEPTED:
            record.accepted_at = change.occurred_at
            await _steps_done(work, record, planning.policy.steps_done_on_acceptance)
        elif change.status in (CaseStatus.RESOLVED, CaseStatus.REJECTED):
            await _close(work, record, f"the case is {change.status.value}")
        elif change.status is CaseStatus.REOPENED:
            record.closed = False
        schedule = await work.schedule.of_case(change.ref)
        acks.for_status(schedule, record, envelope, planning)
        await scheduling.settle_acks(work, record, schedule, planning, envelope)
        await _finish(work, envelope, record, schedule, [], planning)


async def on_feedback_received(envelope: Envelope[FeedbackReceived], *, uow: Uow,
                               planning: Planning) -> None:
    """What may be known of the sender: consent, and the contact, kept sealed."""
    case = envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        record = await _case(work, case.ref, planning, kind=case.kind, received=case.received_at)
        record.protected = case.sender.protected or case.kind.value == "to_cao"
        record.summary = None if record.protected else case.subject
        record.sender_known, record.consent = True, case.sender.consent_to_contact
        record.has_contact, record.sealed_contact = case.sender.has_contact, case.sealed_contact
        schedule = await work.schedule.of_case(case.ref)
        await scheduling.settle_acks(work, record, schedule, planning, envelope)
        await _finish(work, envelope, record, schedule, [], planning)


async def on_task_progress(envelope: Envelope[TaskProgressReported], *, uow: Uow,
                           planning: Planning) -> None:
    """A unit's progress report for a 6-month or annual period stops that report's reminders."""
    report = envelope.data
    async with uow() as work:
        if not await work.claim(envelope.event_id, CONSUMER):
            return
        for obligation in reports.obligations_for_period(planning.obligations, report.period):
            await work.schedule.cancel_for_case(
                f"{obligation.id}@{report.unit_code}", "the unit has reported",
                phases=("task",))
        await work.commit()


async def _case(work: NotifyUnitOfWork, ref: str, planning: Planning, *, kind: Any,
                received: datetime | None = None) -> CaseRecord:
    now = planning.clock()
    record = await work.cases.lock_or_create(ref, now)
    record.kind = record.kind or str(kind)
    record.received_at = record.received_at or received
    record.updated_at = now
    return record


def _newer(record: CaseRecord, envelope: Envelope[Any]) -> bool:
    """Routing's events apply in the order they happened, whatever order they arrive in."""
    return domain.is_newer(envelope.occurred_at, record.routed_at)


def _name_unit(record: CaseRecord, assignment: Any) -> None:
    """A late assignment changes nothing, but still names the unit a deadline change set."""
    if record.unit_name is None and record.unit_code == assignment.unit_code:
        record.unit_name = assignment.unit_name


async def _route(work: NotifyUnitOfWork, record: CaseRecord, schedule: CaseSchedule,
                 envelope: Envelope[Any], assignment: Any, deadlines: list[Any],
                 planning: Planning, planned: list[Any] | None = None) -> list[Any]:
    record.unit_name = assignment.unit_name
    if record.closed:
        record.unit_code, record.routed_at = assignment.unit_code, envelope.occurred_at
        return []
    return await _apply(work, record, schedule, envelope, assignment.unit_code, deadlines,
                        planning, planned)


async def _apply(work: NotifyUnitOfWork, record: CaseRecord, schedule: CaseSchedule,
                 envelope: Envelope[Any], unit_code: str, deadlines: list[Any],
                 planning: Planning, planned: list[Any] | None = None) -> list[Any]:
    if record.unit_code is not None and unit_code != record.unit_code:
        # Rows that follow the unit exist only once a unit was set (below), so a first
        # assignment has none to move.
        await work.schedule.retarget(record.ref, unit_code)
    record.unit_code, record.routed_at = unit_code, envelope.occurred_at
    done = _done_steps(record, planning)
    running = domain.running_deadlines(domain.deadlines_of(deadlines), done)
    record.deadlines = [{"step": d.step, "due_on": d.due_on.isoformat(), "label": d.label}
                        for d in running]
    record.deadlines_changed_at = envelope.occurred_at
    if planned is not None:
        planned = domain.running_plan(planned, done)
    return await scheduling.apply_deadlines(work, record, schedule, running, planning,
                                            trace(envelope), planned)


def _done_steps(record: CaseRecord, planning: Planning) -> list[str]:
    return planning.policy.steps_done_on_acceptance if record.accepted_at else []


async def _close(work: NotifyUnitOfWork, record: CaseRecord, reason: str) -> None:
    record.closed, record.deadlines = True, []
    await work.schedule.cancel_for_case(record.ref, reason, phases=CASE_PHASES)


async def _steps_done(work: NotifyUnitOfWork, record: CaseRecord, steps: list[str]) -> None:
    record.deadlines = [d for d in record.deadlines if d.get("step") not in steps]
    await work.schedule.cancel_for_case(record.ref, "the step is done", phases=CASE_PHASES,
                                        steps=steps)


async def _finish(work: NotifyUnitOfWork, envelope: Envelope[Any], record: CaseRecord,
                  schedule: CaseSchedule, fresh: list[Any], planning: Planning) -> None:
    """Store the schedule's and the record's changes; announce new rows, and any change in how
    many run (a closed case, a step done)."""
    await work.schedule.write(schedule)
    live = scheduling.live_count(record, planning)
    if fresh or live != record.live_reminders:
        record.live_reminders = live
        await work.publish(caused_by(envelope, NotificationsScheduled(
            ref=record.ref, unit_code=record.unit_code or "",
            items=[domain.as_scheduled_item(p) for p in fresh], live_count=live),
            producer=PRODUCER))
    await work.cases.save(record)
    await work.commit()
