"""What an operator does with messages that wait for a person: resend a parked or uncertain
one, or confirm that an uncertain one did arrive (after checking the relay's log for its
Message-ID). Each leaves a line in the delivery log; a confirmation also emits the sent event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from shared.contracts.base import make_envelope
from shared.contracts.notify import NotificationSent

from .uow import NotifyUnitOfWork

RETRYABLE = ("failed", "uncertain")


class OperationRefused(ValueError):
    pass


async def retry(key: str, *, uow: Callable[[], NotifyUnitOfWork], now: datetime,
                operator: str = "operator") -> str:
    """failed or uncertain → scheduled now (an uncertain mail goes again with the same
    Message-ID, so a mail client shows it once)."""
    async with uow() as work:
        row = await work.schedule.get(key, lock=True)
        if row is None or row.status not in RETRYABLE:
            raise OperationRefused(_refusal(key, row, RETRYABLE))
        before = row.status
        row.status, row.due_at, row.claimed_by, row.lease_until = "scheduled", now, None, None
        row.alerted = False
        await _log(work, row, "retry", f"{operator}: {before} → scheduled", now)
        await work.commit()
    return before


async def confirm(key: str, *, uow: Callable[[], NotifyUnitOfWork], now: datetime,
                  operator: str = "operator") -> None:
    """uncertain → sent: the relay's log shows the Message-ID was accepted."""
    async with uow() as work:
        row = await work.schedule.get(key, lock=True)
        if row is None or row.status != "uncertain":
            raise OperationRefused(_refusal(key, row, ("uncertain",)))
        row.status, row.sent_at, row.claimed_by, row.lease_until = "sent", now, None, None
        await _log(work, row, "confirmed", f"{operator}: delivery confirmed at the relay", now)
        context = row.context or {}
        await work.publish(make_envelope(NotificationSent(
            idempotency_key=row.idempotency_key, ref=row.case_ref, unit_code=row.unit_code or None,
            kind=row.kind, audience=row.audience, channel=row.channel, sent_at=now),
            producer="notify", correlation_id=context.get("_correlation_id"),
            causation_id=context.get("_causation_id")))
        await work.commit()


def _refusal(key: str, row, allowed: tuple[str, ...]) -> str:
    if row is None:
        return f"no notification with key {key}"
    return f"{key} is {row.status}; only {' or '.join(allowed)} can be changed this way"


async def _log(work: NotifyUnitOfWork, row, outcome: str, detail: str, now: datetime
               ) -> None:
    await work.log.add(idempotency_key=row.idempotency_key, case_ref=row.case_ref,
                       kind=row.kind, audience=row.audience, channel=row.channel,
                       outcome=outcome, detail=detail, attempt=row.attempts, worker="cli", at=now)
