"""Schedule changes shared by the handlers and the periodic planner, inside a unit of work:
rows from planned notifications (with a copy per interested webhook), a case's deadlines applied
to its schedule, and messages to the sender released once they may go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.calendar import default_calendar
from shared.contracts.base import Envelope, make_envelope, utc_now
from shared.contracts.notify import NotificationFailed
from shared.plan import ReportObligation, default_plan

from . import domain
from .orm import CaseRecord
from .repository import CaseSchedule
from .schedule import (
    NotifyPolicy, PlannedNotification, WorkingCalendarPort, load_policy, messages_per_deadline,
)
from .settings import Webhook
from .uow import NotifyUnitOfWork

PRODUCER = "notify"


@dataclass(frozen=True)
class Planning:
    """What planning needs besides the database: the policy, the calendar, the webhooks that
    want copies, and the clock."""

    policy: NotifyPolicy
    calendar: WorkingCalendarPort
    webhooks: tuple[Webhook, ...] = ()
    clock: Callable[[], datetime] = utc_now
    obligations: tuple[ReportObligation, ...] = ()

    @classmethod
    def default(cls) -> Planning:
        return cls(policy=load_policy(), calendar=default_calendar(),
                   obligations=default_plan().report_obligations)


def trace(envelope: Envelope[Any]) -> dict[str, str]:
    """Kept with each row, so that what the dispatcher emits later joins the case's story."""
    return {"_correlation_id": envelope.correlation_id, "_causation_id": envelope.event_id}


def row_values(item: PlannedNotification, *, unit_code: str, now: datetime,
               status: str = "scheduled", due_at: datetime | None = None,
               context: dict[str, Any] | None = None) -> dict[str, Any]:
    return dict(
        idempotency_key=item.idempotency_key, case_ref=item.case_ref, unit_code=unit_code,
        kind=item.kind, audience=item.audience, template=item.template, step=item.step,
        phase=item.phase, due_on=item.due_date, send_at=item.send_at,
        office_hours_only=item.office_hours_only, status=status, attempts=0, last_error=None,
        context=context or {}, created_at=now, channel="email", due_at=due_at or item.send_at,
        not_after=item.not_after, alerted=False)


def with_copies(values: dict[str, Any], webhooks: tuple[Webhook, ...]) -> list[dict[str, Any]]:
    """The e-mail row, and one row per webhook that wants this kind (never sender messages)."""
    copies = [{**values, "idempotency_key": f"{values['idempotency_key']}{domain.SIBLING}"
               f"{hook.name}", "channel": f"webhook:{hook.name}"}
              for hook in webhooks if hook.wants(values["kind"], values["audience"])]
    return [values, *copies]


async def apply_deadlines(work: NotifyUnitOfWork, record: CaseRecord, schedule: CaseSchedule,
                          deadlines: list[domain.Deadline], planning: Planning,
                          context: dict[str, Any],
                          planned: list[PlannedNotification] | None = None
                          ) -> list[PlannedNotification]:
    """Reminders and ladder for the case's running deadlines; returns the new ones."""
    if planned is None:
        planned = domain.plan_deadlines(record.ref, deadlines, policy=planning.policy,
                                        calendar=planning.calendar)
    change = domain.reconcile(schedule.rows, planned)
    await work.schedule.set_status(change.cancel, "cancelled", reason="the deadline changed")
    await work.schedule.set_status(change.revive, "scheduled", only_from=("cancelled",))
    now = planning.clock()
    for item in change.insert:
        schedule.new += with_copies(row_values(item, unit_code=record.unit_code or "", now=now,
                                               context=context), planning.webhooks)
    return change.insert


def live_count(record: CaseRecord, planning: Planning) -> int:
    """How many reminders and ladder messages the case's running deadlines call for (a pure
    function of the deadlines, so the same whatever order the events came in)."""
    return len(record.deadlines or ()) * messages_per_deadline(planning.policy)


def add_ack(schedule: CaseSchedule, item: PlannedNotification | None,
            context: dict[str, Any], now: datetime) -> None:
    """A message to the sender, held until `settle_acks` lets it go."""
    if item is None or schedule.has(item.idempotency_key):
        return
    schedule.new.append(row_values(item, unit_code="", now=now, status="held", context=context))


def sender_facts(record: CaseRecord) -> domain.SenderFacts:
    return domain.SenderFacts(
        case_type=record.kind or "", sender_known=record.sender_known, consent=record.consent,
        has_contact=record.has_contact or bool(record.sealed_contact),
        reached_unit=bool(record.unit_code) and not record.in_triage,
        deadlines_changed_at=record.deadlines_changed_at)


async def settle_acks(work: NotifyUnitOfWork, record: CaseRecord, schedule: CaseSchedule,
                      planning: Planning, cause: Envelope[Any] | None = None) -> None:
    """Release held messages to the sender, or block them with the reason (the handling
    officer then writes). A blocked notice the law requires is announced as failed. Settled in
    `schedule`; `Schedule.write` stores them."""
    now, facts = planning.clock(), sender_facts(record)
    for row in schedule.waiting():
        status, reason = domain.settle(facts, row["context"] or {}, planning.policy)
        if status == "held":
            continue
        row["status"], row["last_error"] = status, reason
        if status == "scheduled":
            row["due_at"] = domain.ack_due_at(row["send_at"], now, planning.policy,
                                              planning.calendar)
            continue
        await work.log.add(idempotency_key=row["idempotency_key"], case_ref=row["case_ref"],
                           kind=row["kind"], audience=row["audience"], channel=row["channel"],
                           outcome="blocked", detail=reason, attempt=0, at=now)
        if row["not_after"] is not None:
            await work.publish(_blocked_event(row, reason or "", cause))


def _blocked_event(row: dict[str, Any], reason: str,
                   cause: Envelope[Any] | None) -> Envelope[Any]:
    payload = NotificationFailed(idempotency_key=row["idempotency_key"], ref=row["case_ref"],
                                 kind=row["kind"], channel=row["channel"], attempts=0,
                                 parked=True,
                                 reason=f"cannot be sent electronically: {reason}; the handling "
                                        "officer must send the written notice in time")
    if cause is None:
        return make_envelope(payload, producer=PRODUCER)
    return make_envelope(payload, producer=PRODUCER, correlation_id=cause.correlation_id,
                         causation_id=cause.event_id)
