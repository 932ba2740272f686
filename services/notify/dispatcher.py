"""The dispatcher: claims due rows, sends them, records the outcome and its events.

Exactly once, as far as a destination lets it be (docs/notify.md, "Delivery"):
1. claim: due rows become `claimed` by this worker with a lease (PostgreSQL: FOR UPDATE SKIP
   LOCKED, so replicas never claim the same row); commit.
2. send: the adapter awaits the commit point just before the message may be accepted (SMTP: the
   end-of-data dot); the row becomes `in_doubt`, fenced on the worker, and is committed.
3. finish: outcome, delivery log and events (outbox) in one commit.
A crash before 2 leaves `claimed`: after the lease it is sent again (nothing was accepted).
A crash after 2 leaves `in_doubt`: e-mail is held as `uncertain` for an operator (never resent
silently); a webhook is resent (receivers dedupe on the key); the file outbox checks the file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from shared import metrics
from shared.logging import get_logger
from shared.units import UnitCatalogue

from . import domain, outcomes
from .channels import DeliveryResult, Sender
from .compose import Claim, ComposeError, Composed, Composer
from .orm import ScheduledNotification
from .planner import PeriodicPlanner
from .retry import ChannelHealth, RetryAction, RetryDecision, RetryPolicy, decide, destination_key
from .schedule import NotifyPolicy, WorkingCalendarPort
from .uow import NotifyUnitOfWork

log = get_logger()
PRODUCER = "notify"
DIGESTED = "in the unit's daily digest"


class LeaseLost(Exception):
    """Another dispatcher took the row over: do not pass the point of no return."""


class Dispatcher:
    def __init__(self, *, uow: Callable[[], NotifyUnitOfWork], skip_locked: bool,
                 composer: Composer, transports: dict[str, Sender], policy: NotifyPolicy,
                 calendar: WorkingCalendarPort, units: UnitCatalogue, worker_id: str,
                 clock: Callable[[], datetime], planner: PeriodicPlanner | None = None,
                 retry: RetryPolicy = RetryPolicy(), batch_size: int = 50,
                 lease: timedelta = timedelta(minutes=5), poll_seconds: float = 5.0,
                 min_gap_seconds: float = 0.2, in_doubt_email: str = "hold",
                 read_uow: Callable[[], NotifyUnitOfWork] | None = None) -> None:
        self._uow, self._skip_locked, self._composer = uow, skip_locked, composer
        self._read_uow = read_uow or uow
        self._transports, self._policy, self._calendar = transports, policy, calendar
        self._units, self.worker_id, self._clock = units, worker_id, clock
        self._planner, self._retry, self._batch = planner, retry, batch_size
        self._lease, self._poll, self._in_doubt_email = lease, poll_seconds, in_doubt_email
        self._min_gap = min_gap_seconds
        self.health = ChannelHealth(retry)
        self._stopping = False
        self._wakeup = asyncio.Event()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    def wake(self) -> None:
        """Something may have fallen due (an acknowledgement was scheduled): tick within
        `min_gap_seconds` rather than at the next poll."""
        self._wakeup.set()

    async def run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                handled = await self.tick()
                failures = 0
            except Exception as exc:  # the database or a catalogue may be away for a while
                failures += 1
                log.warning("dispatcher tick failed, will retry", error=repr(exc)[:300])
                await self._sleep(min(0.5 * 2**failures, 30.0))
                continue
            if handled < self._batch:
                await self._sleep(self._poll)

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout=seconds)
        except TimeoutError:
            pass
        else:  # a stream of commits gathers into one small batch, not one tick per commit
            await asyncio.sleep(self._min_gap)
        self._wakeup.clear()

    async def tick(self) -> int:
        """Plan what the calendar brings, recover expired leases, claim a batch and send it."""
        now = self._clock()
        if self._planner is not None:
            await self._planner.plan(now)
        await self.recover(now)
        claims = await self.claim(now)
        for index, claim in enumerate(claims):
            if self._stopping:
                await self._release_all(claims[index:])
                break
            await self.deliver(claim)
        return len(claims)

    # --- 1. claim ---------------------------------------------------------------------

    async def claim(self, now: datetime) -> list[Claim]:
        async with self._uow() as work:
            rows = await work.schedule.due(
                now, office_open=domain.office_open(now, self._policy, self._calendar),
                limit=self._batch, skip_locked=self._skip_locked)
            if not rows:
                return []
            decided = domain.triage([outcomes.candidate(r) for r in rows], now, self._policy,
                                    self._calendar, partial(self._prefers_digest, now))
            claims = await self._apply_triage(work, rows, decided, now)
            await work.commit()
        return claims

    async def _apply_triage(self, work: NotifyUnitOfWork, rows: list[ScheduledNotification],
                            decided: domain.Triage, now: datetime) -> list[Claim]:
        settled = {**decided.skip, **dict.fromkeys(decided.digested, DIGESTED)}
        claims = []
        for row in rows:
            key = row.idempotency_key
            if key in settled:
                row.status = "digested" if settled[key] == DIGESTED else "skipped"
                row.last_error = settled[key]
                await self._log(work, Claim.of(row), row.status, row.last_error, now)
            elif key in decided.send:
                row.status, row.claimed_by = "claimed", self.worker_id
                row.lease_until, row.attempts = now + self._lease, row.attempts + 1
                claims.append(Claim.of(row))
        return claims

    def _prefers_digest(self, now: datetime, unit_code: str) -> bool:
        unit = self._units.get(unit_code, on=now.astimezone(self._policy.tz).date())
        return bool(unit and unit.prefers_digest)

    # --- 2. send ----------------------------------------------------------------------

    async def deliver(self, claim: Claim) -> None:
        now = self._clock()
        composed = await self._compose(claim, now)
        if composed is None:
            return
        destination = destination_key(composed.message)
        if not self.health.may_attempt(destination, now):
            await self._release(claim, self.health.status(destination).next_probe_at)
            return
        sender = self._transports.get(claim.channel)
        if sender is None:
            result = DeliveryResult.permanent(f"no transport for channel {claim.channel}")
            await self.finish(claim, composed, result, "-")
            return
        try:
            result = await sender.send(composed.message,
                                       commit_point=partial(self._pass_point, claim))
        except LeaseLost:
            log.warning("lease lost before sending; another dispatcher has the row",
                        key=claim.key)
            return
        except Exception as exc:  # adapters report failures as results; this is unexpected
            result = _unexpected("send", exc)
        self._record_health(destination, result, now)
        await self.finish(claim, composed, result, getattr(sender, "name", claim.channel))

    async def _compose(self, claim: Claim, now: datetime) -> Composed | None:
        """The message, or None when it cannot be built (the row is then parked)."""
        try:
            async with self._read_uow() as work:
                return await self._composer.compose(work, claim, now)
        except ComposeError as exc:
            result = DeliveryResult.permanent(str(exc))
        except Exception as exc:  # a bug or a bad catalogue: park it, never loop on it
            result = _unexpected("compose", exc)
        await self.finish(claim, None, result, "-")
        return None

    async def _pass_point(self, claim: Claim) -> None:
        async with self._uow() as work:
            if not await work.schedule.fence(claim.key, self.worker_id, ("claimed",),
                                             status="in_doubt"):
                raise LeaseLost(claim.key)
            await work.commit()

    def _record_health(self, destination: str, result: DeliveryResult, now: datetime) -> None:
        before = self.health.is_failing(destination)
        state = self.health.record(destination, result, now)
        if state.failing_since is not None and not before:
            log.warning("destination keeps failing; its messages wait", destination=destination,
                        failures=state.consecutive_failures, error=state.last_error[:300])

    # --- 3. finish --------------------------------------------------------------------

    async def finish(self, claim: Claim, composed: Composed | None, result: DeliveryResult,
                     transport: str) -> None:
        now = self._clock()
        result = DeliveryResult(result.status, outcomes.scrub(claim, result.detail) or "")
        decision = decide(result, claim.attempts, now, self._retry)
        alert = self._alert(claim, decision, now)
        async with self._uow() as work:
            recorded = await work.schedule.fence(
                claim.key, self.worker_id, ("claimed", "in_doubt", "uncertain"),
                **outcomes.row_values(decision, now, alert or claim.alerted))
            if not recorded:
                log.warning("outcome after the lease was taken over", key=claim.key)
            recipient = composed.logged_recipient if composed else None
            await self._log(work, claim, outcomes.LOGGED[decision.action], result.detail, now,
                            transport=transport, recipient=recipient)
            for event in outcomes.events(claim, decision, now, alert) if recorded else []:
                await work.publish(event)
            await work.commit()
        count = metrics.notification_sent if decision.action is RetryAction.DONE else \
            metrics.notification_failed
        count(channel=claim.channel)
        if decision.action is RetryAction.DONE and claim.kind == "urging":
            metrics.case_overdue(kind=claim.step)  # the first step after a missed deadline
        log.info("notification", key=claim.key, kind=claim.kind, channel=claim.channel,
                 outcome=outcomes.LOGGED[decision.action], attempt=claim.attempts)

    def _alert(self, claim: Claim, decision: RetryDecision, now: datetime) -> bool:
        """A retried message is reported once: when it has failed `failing_after` times, or
        when a legal time limit (`not_after`) has passed while it waits."""
        if decision.action is not RetryAction.RETRY or claim.alerted:
            return False
        late = claim.not_after is not None and now >= claim.not_after
        return late or claim.attempts >= self._retry.failing_after

    # --- recovery and release -----------------------------------------------------------

    async def recover(self, now: datetime) -> int:
        """Rows whose lease expired: their dispatcher died (or hung) mid-send."""
        async with self._uow() as work:
            rows = await work.schedule.expired_leases(now, limit=self._batch,
                                                      skip_locked=self._skip_locked)
            for row in rows:
                await self._recover_row(work, row, now)
            await work.commit()
        return len(rows)

    async def _recover_row(self, work: NotifyUnitOfWork, row: ScheduledNotification,
                           now: datetime) -> None:
        claim = Claim.of(row)
        hold = row.status == "in_doubt" and row.channel == "email" and \
            self._in_doubt_email == "hold"
        if hold:
            row.status = "uncertain"
            row.last_error = ("in doubt after a crash: the relay may have accepted it; check its "
                              "log for the Message-ID, then `dvk notify confirm` or `retry`")
            decision = RetryDecision(RetryAction.HOLD, reason=row.last_error)
            for event in outcomes.events(claim, decision, now, alert=True):
                await work.publish(event)
        else:
            was = row.status
            row.status, row.due_at, row.claimed_by, row.lease_until = "scheduled", now, None, None
            row.last_error = f"recovered ({was}, lease expired): sent again"
        await self._log(work, claim, row.status if hold else "recovered", row.last_error, now)
        log.warning("recovered an expired lease", key=row.idempotency_key, status=row.status)

    async def _release(self, claim: Claim, until: datetime | None) -> None:
        async with self._uow() as work:
            await work.schedule.fence(claim.key, self.worker_id, ("claimed",),
                                      status="scheduled", due_at=until or self._clock(),
                                      claimed_by=None, lease_until=None,
                                      attempts=claim.attempts - 1)
            await work.commit()

    async def _release_all(self, claims: list[Claim]) -> None:
        for claim in claims:
            await self._release(claim, None)

    async def _log(self, work: NotifyUnitOfWork, claim: Claim, outcome: str,
                   detail: str | None, now: datetime, *, transport: str | None = None,
                   recipient: str | None = None) -> None:
        await work.log.add(idempotency_key=claim.key, case_ref=claim.case_ref, kind=claim.kind,
                           audience=claim.audience, channel=claim.channel, transport=transport,
                           recipient=recipient, outcome=outcome, detail=(detail or "")[:2000],
                           attempt=claim.attempts, worker=self.worker_id, at=now)


def _unexpected(stage: str, exc: Exception) -> DeliveryResult:
    """Parked, not retried: after an unknown error the message may or may not have gone."""
    log.error("unexpected error in delivery", stage=stage, error_type=type(exc).__name__)
    return DeliveryResult.permanent(f"unexpected {type(exc).__name__} while trying to {stage}")
