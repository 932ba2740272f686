"""Pure retry policy: deterministic exponential back-off (no jitter) and per-destination health.

A message is never dropped here: TRANSIENT failures are retried forever (the delay is capped),
PERMANENT failures are parked for an operator to fix and replay. A destination that keeps failing
is reported as failing; while it is, only one probe per back-off interval is let through and the
other messages to it wait.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit

from services.notify.channels import DeliveryResult, DeliveryStatus, OutgoingMessage


@dataclass(frozen=True)
class RetryPolicy:
    base_delay: timedelta = timedelta(minutes=1)
    factor: float = 2.0
    max_delay: timedelta = timedelta(hours=1)
    failing_after: int = 5  # consecutive failures before a destination is reported failing


DEFAULT_RETRY = RetryPolicy()


def backoff_delay(attempts: int, policy: RetryPolicy = DEFAULT_RETRY) -> timedelta:
    """Delay after the `attempts`-th failed attempt (1-based): base * factor**(attempts-1),
    capped."""
    if attempts < 1:
        return timedelta(0)
    exponent = min(attempts - 1, 64)  # bounded: the cap applies long before
    seconds = policy.base_delay.total_seconds() * (policy.factor**exponent)
    return timedelta(seconds=min(seconds, policy.max_delay.total_seconds()))


def next_attempt_at(
    attempts: int, now: datetime, policy: RetryPolicy = DEFAULT_RETRY
) -> datetime:
    """When to try again after `attempts` failed attempts, counted from `now`."""
    return now + backoff_delay(attempts, policy)


class RetryAction(str, Enum):
    DONE = "done"
    RETRY = "retry"
    PARK = "park"  # permanent failure: keep the message for an operator, do not retry
    HOLD = "hold"  # it may have been delivered: an operator confirms or resends, never us alone


@dataclass(frozen=True)
class RetryDecision:
    action: RetryAction
    retry_at: datetime | None = None
    reason: str = ""


def decide(
    result: DeliveryResult, attempts: int, now: datetime, policy: RetryPolicy = DEFAULT_RETRY
) -> RetryDecision:
    """What to do with a message after its `attempts`-th delivery attempt gave `result`."""
    if result.status is DeliveryStatus.SENT:
        return RetryDecision(RetryAction.DONE, reason=result.detail)
    if result.status is DeliveryStatus.TRANSIENT:
        return RetryDecision(RetryAction.RETRY, next_attempt_at(attempts, now, policy),
                             result.detail)
    if result.status is DeliveryStatus.UNCERTAIN:
        return RetryDecision(RetryAction.HOLD, reason=result.detail)
    return RetryDecision(RetryAction.PARK, reason=result.detail)


def destination_key(message: OutgoingMessage) -> str:
    """Health is tracked per destination: webhook origin, or e-mail recipient domain."""
    first = message.recipients[0] if message.recipients else ""
    if message.channel == "webhook":
        parts = urlsplit(first)
        return f"webhook:{parts.scheme}://{parts.netloc}".lower()
    return f"email:{first.rpartition('@')[2]}".lower()


@dataclass(frozen=True)
class DestinationHealth:
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    next_probe_at: datetime | None = None
    last_error: str = ""


class ChannelHealth:
    """Counts consecutive failures per destination (in memory; rebuilds itself after restart)."""

    def __init__(self, policy: RetryPolicy = DEFAULT_RETRY) -> None:
        self._policy = policy
        self._state: dict[str, DestinationHealth] = {}

    def status(self, destination: str) -> DestinationHealth:
        return self._state.get(destination, DestinationHealth())

    def is_failing(self, destination: str) -> bool:
        return self.status(destination).failing_since is not None

    def record_success(self, destination: str) -> None:
        self._state.pop(destination, None)

    def record_failure(self, destination: str, now: datetime,
                       detail: str = "") -> DestinationHealth:
        current = self.status(destination)
        count = current.consecutive_failures + 1
        failing = count >= self._policy.failing_after
        updated = replace(
            current,
            consecutive_failures=count,
            failing_since=(current.failing_since or now) if failing else None,
            next_probe_at=next_attempt_at(count, now, self._policy) if failing else None,
            last_error=detail,
        )
        self._state[destination] = updated
        return updated

    def record(self, destination: str, result: DeliveryResult, now: datetime) -> DestinationHealth:
        if result.ok:
            self.record_success(destination)
            return self.status(destination)
        return self.record_failure(destination, now, result.detail)

    def may_attempt(self, destination: str, now: datetime) -> bool:
        """Healthy: always. Failing: only once the probe time has come; the rest waits."""
        health = self.status(destination)
        return health.next_probe_at is None or now >= health.next_probe_at

    def failing(self) -> dict[str, DestinationHealth]:
        return {k: v for k, v in self._state.items() if v.failing_since is not None}
