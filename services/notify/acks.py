"""Messages to the person who wrote in: which event calls for which message, with what data.
They are planned held; `scheduling.settle_acks` lets them go once the sender's consent and
contact are known and the case has reached a unit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.contracts.base import Envelope
from shared.contracts.updates import CaseStatus, CaseStatusChanged

from . import domain, scheduling
from .orm import CaseRecord
from .repository import CaseSchedule
from .scheduling import Planning, trace

STATUS_EVENTS = {CaseStatus.ACCEPTED: "accepted", CaseStatus.EXTENDED: "extended",
                 CaseStatus.RESOLVED: "answered"}


def local_day(moment: datetime, planning: Planning) -> date:
    return moment.astimezone(planning.policy.tz).date()


def forwarded(schedule: CaseSchedule, record: CaseRecord, envelope: Envelope[Any],
              planning: Planning) -> None:
    """One per case: the case has reached the unit that handles it."""
    now = planning.clock()
    received = local_day(record.received_at or envelope.occurred_at, planning)
    item = domain.plan_ack(record.ref, record.kind or "", "forwarded", received,
                           policy=planning.policy, calendar=planning.calendar, now=now)
    context = {"forwarded_on": local_day(envelope.occurred_at, planning).isoformat(),
               **trace(envelope)}
    scheduling.add_ack(schedule, item, context, now)


def for_status(schedule: CaseSchedule, record: CaseRecord,
               envelope: Envelope[CaseStatusChanged], planning: Planning) -> None:
    """accepted (for tố cáo: the denouncer's notice, Luật Tố cáo 2018 Điều 29), extended,
    answered."""
    change, now = envelope.data, planning.clock()
    event = STATUS_EVENTS.get(change.status)
    if event is None:
        return
    detail = change.extension.decision_number if change.extension else ""
    item = domain.plan_ack(record.ref, record.kind or "", event,
                           local_day(change.occurred_at, planning), detail=detail,
                           policy=planning.policy, calendar=planning.calendar, now=now)
    scheduling.add_ack(schedule, item, {**status_context(change), **trace(envelope)}, now)


def status_context(change: CaseStatusChanged) -> dict[str, Any]:
    at = change.occurred_at.isoformat()
    if change.status is CaseStatus.ACCEPTED:
        return {"case": {"accepted_at": at}}
    if change.status is CaseStatus.EXTENDED and change.extension:
        return {"extension": {"reason": change.extension.reason,
                              "decision_ref": change.extension.decision_number},
                "wait_for_deadlines_after": at}
    if change.status is CaseStatus.RESOLVED and change.resolution:
        resolution = change.resolution
        answered = resolution.document_date.isoformat() if resolution.document_date else at
        return {"answer": {"answered_at": answered, "summary": resolution.summary,
                           "document_ref": resolution.document_number}}
    return {}
