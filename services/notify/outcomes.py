"""What a delivery attempt leaves behind (pure): the row's new values, the events, the log's
outcome word; and the redaction of a sender's address from anything but the sealed log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from shared.contracts.base import make_envelope
from shared.contracts.notify import CaseEscalated, NotificationFailed, NotificationSent

from . import domain
from .compose import Claim
from .orm import ScheduledNotification
from .retry import RetryAction, RetryDecision

PRODUCER = "notify"
CASE_PHASES = ("before", "after", "ack")
EMAIL_ADDRESS = re.compile(r"[^\s<>@,;]+@[^\s<>@,;]+")


def scrub(claim: Claim, text: str | None) -> str | None:
    """A sender's address never reaches an event, the log line or the schedule's error."""
    if text is None or claim.audience != "sender":
        return text
    return EMAIL_ADDRESS.sub("[địa chỉ người gửi]", text)


def events(claim: Claim, decision: RetryDecision, now: datetime, alert: bool) -> list[Any]:
    """Sent (and, for a ladder step, escalated); failed when parked, held or reported."""
    trace = {"correlation_id": claim.context.get("_correlation_id"),
             "causation_id": claim.context.get("_causation_id")}
    ref = claim.case_ref if claim.phase in CASE_PHASES else None
    if decision.action is RetryAction.DONE:
        found: list[Any] = [NotificationSent(
            idempotency_key=claim.key, ref=ref, unit_code=claim.unit_code or None,
            kind=claim.kind, audience=claim.audience, channel=claim.channel, sent_at=now)]
        if claim.phase == "after" and claim.channel == "email" and claim.due_on:
            found.append(CaseEscalated(ref=claim.case_ref, unit_code=claim.unit_code,
                                        step=claim.step, level=claim.audience,
                                        due_on=claim.due_on, sent_at=now))
    elif decision.action is RetryAction.RETRY and not alert:
        found = []
    else:
        found = [NotificationFailed(
            idempotency_key=claim.key, ref=ref, kind=claim.kind, channel=claim.channel,
            reason=reason(decision), attempts=claim.attempts,
            parked=decision.action is not RetryAction.RETRY)]
    return [make_envelope(e, producer=PRODUCER, **trace) for e in found]


LOGGED = {RetryAction.DONE: "sent", RetryAction.RETRY: "transient",
          RetryAction.PARK: "failed", RetryAction.HOLD: "uncertain"}


def row_values(decision: RetryDecision, now: datetime, alerted: bool) -> dict[str, Any]:
    common = {"claimed_by": None, "lease_until": None, "last_error": decision.reason or None,
              "alerted": alerted}
    if decision.action is RetryAction.DONE:
        return {**common, "status": "sent", "sent_at": now}
    if decision.action is RetryAction.RETRY:
        return {**common, "status": "scheduled", "due_at": decision.retry_at}
    status = "failed" if decision.action is RetryAction.PARK else "uncertain"
    return {**common, "status": status}


def reason(decision: RetryDecision) -> str:
    prefix = {RetryAction.RETRY: "keeps failing, waits and is retried",
              RetryAction.PARK: "parked for an operator",
              RetryAction.HOLD: "delivery unconfirmed, held for an operator"}[decision.action]
    return f"{prefix}: {decision.reason}"[:1000]


def candidate(row: ScheduledNotification) -> domain.Candidate:
    return domain.Candidate(
        key=row.idempotency_key, case_ref=row.case_ref, channel=row.channel, kind=row.kind,
        audience=row.audience, phase=row.phase, step=row.step, due_on=row.due_on,
        due_at=row.due_at, unit_code=row.unit_code, office_hours_only=row.office_hours_only)
