"""The consume guard: binds log context, retries transient faults, dead-letters with a reason.

Placed inside FastStream's acknowledgement middleware, so:
- a transient fault (database down, locked) is retried here with back-off, the message held;
- a permanent fault (invalid payload, unknown version, PermanentError), or any fault on the
  last allowed attempt, is copied to dvk.dlx with the reason in its headers, then acked;
- any other fault is re-raised, so the message is nacked and redelivered (quorum queues count
  the redeliveries in x-delivery-count).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from faststream import BaseMiddleware
from faststream.exceptions import HandlerException, SubscriberNotFound
from pydantic import ValidationError

from shared.contracts.base import utc_now
from shared.contracts.catalogue import BY_TYPE, EVENTS
from shared.db import is_transient
from shared.errors import PermanentError, UnknownSchemaVersion
from shared.logging import get_logger

from .group_commit import BatchAborted
from .topology import CONSUMER_MAX_ATTEMPTS

log = get_logger()

DeadLetter = Callable[[Any, str, dict[str, Any]], Awaitable[None]]

# Fault injection for tests (docs/reliability.md): when set, every delivery whose body contains
# this text fails before its handler runs, as a handler bug would. Off (unset) in production.
FAULT_FAIL_REF_ENV = "DVK_FAULT_FAIL_REF"
_EVENT_VERSIONS: dict[str, set[int]] = {}
for _model in EVENTS:
    _EVENT_VERSIONS.setdefault(_model.message_type, set()).add(_model.schema_version)


class InjectedFault(RuntimeError):
    """Raised by the consume guard for a message that DVK_FAULT_FAIL_REF names."""


def check_schema_version(body: bytes) -> None:
    """An event whose type this system knows but whose schema_version it does not is a
    permanent fault: handling it as the known version could silently misread it. Not applied
    to subscribers marked `reads_any_body` (intake's ingress), which answer and keep what they
    cannot read. A missing or null version is left to the contract parser, which names it."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return  # the contract parser reports invalid JSON with its own reason
    if not isinstance(doc, dict):
        return
    message_type, version = doc.get("type"), doc.get("schema_version")
    known = _EVENT_VERSIONS.get(message_type) if isinstance(message_type, str) else None
    if known is None or version is None:
        return
    reads = f"this consumer reads version {', '.join(str(v) for v in sorted(known))}"
    if isinstance(version, bool) or not isinstance(version, int | float):
        raise UnknownSchemaVersion(
            f"schema_version of {message_type} must be a whole number, not "
            f"{_json_kind(version)} ({version!r}); {reads}")
    if (message_type, version) in BY_TYPE:
        return
    raise UnknownSchemaVersion(f"unknown schema version {version!r} of {message_type} ({reads})")


def _json_kind(value: Any) -> str:
    kinds = {str: "a string", bool: "a boolean", list: "an array", dict: "an object"}
    return kinds.get(type(value), type(value).__name__)


READS_ANY_BODY = "_dvk_reads_any_body"


def reads_any_body(subscriber: Any) -> Any:
    """Marks a subscriber whose handler reads every body itself and answers what it cannot read
    (intake's `intake.ingress`: refusals are kept for replay and the sender is told which field
    is wrong). The guard's event precheck (schema version) then does not apply to it: an
    integrating system's command shaped like an envelope is intake's to judge, not the guard's
    to dead-letter. Returns the subscriber."""
    if getattr(subscriber, "queue", None) is None:
        raise TypeError("reads_any_body marks a subscriber (what router.subscriber(...) "
                        "returns), not a handler")
    setattr(subscriber, READS_ANY_BODY, True)
    return subscriber


def is_permanent(exc: BaseException) -> bool:
    """A fault that the same message would meet again: JSON nested deeper than the parser goes
    (RecursionError) is one, whether in the decoder or a validator."""
    return isinstance(exc, (PermanentError, ValidationError, json.JSONDecodeError,
                            UnicodeDecodeError, RecursionError, SubscriberNotFound))


def describe(exc: BaseException) -> str:
    """A reason for the headers: names fields and causes, never the offending values."""
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


def delivery_count(raw: Any) -> int:
    headers = getattr(raw, "headers", None) or {}
    try:
        return int(headers.get("x-delivery-count", 0))
    except (TypeError, ValueError):
        return 0


class ConsumeGuard:
    """Middleware factory: `RabbitBroker(middlewares=[ConsumeGuard(...)])`."""

    def __init__(self, *, dead_letter: DeadLetter, max_attempts: int = CONSUMER_MAX_ATTEMPTS,
                 max_backoff: float = 10.0) -> None:
        self.dead_letter = dead_letter
        self.max_attempts = max_attempts
        self.max_backoff = max_backoff
        ref = os.environ.get(FAULT_FAIL_REF_ENV, "")
        self.fail_ref = ref.encode() if ref else None

    def precheck(self, raw: Any, *, events: bool = True) -> None:
        """`events=False` for a subscriber marked `reads_any_body`: only the fault injection."""
        body = getattr(raw, "body", b"") or b""
        if self.fail_ref is not None and self.fail_ref in body:
            raise InjectedFault(f"injected fault: body contains {FAULT_FAIL_REF_ENV}")
        if events:
            check_schema_version(body)

    def __call__(self, msg: Any, /, *, context: Any) -> _Guard:
        return _Guard(msg, context=context, guard=self)


class _Guard(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: Any, guard: ConsumeGuard) -> None:
        super().__init__(msg, context=context)
        self.guard = guard

    async def on_receive(self) -> None:
        raw = self.msg
        structlog.contextvars.bind_contextvars(
            event_id=getattr(raw, "message_id", None),
            correlation_id=getattr(raw, "correlation_id", None),
            message_type=getattr(raw, "type", None),
        )

    async def consume_scope(self, call_next: Any, msg: Any) -> Any:
        handler = self.context.get("handler_")
        self.guard.precheck(self.msg, events=not getattr(handler, READS_ANY_BODY, False))
        delay = 0.5
        while True:
            try:
                return await call_next(msg)
            except BatchAborted:
                continue  # another message's failure undid this one's transaction: run it again
            except Exception as exc:
                if not is_transient(exc):
                    raise
                log.warning("transient fault, retrying", error=type(exc).__name__,
                            retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.guard.max_backoff)

    async def after_processed(self, exc_type: Any = None, exc_val: Any = None,
                              exc_tb: Any = None) -> bool:
        try:
            return await self._settle(exc_val)
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "correlation_id", "message_type")

    async def _settle(self, exc: BaseException | None) -> bool:
        if exc is None or isinstance(exc, (HandlerException, asyncio.CancelledError)):
            return False
        attempts = delivery_count(self.msg) + 1
        reason = describe(exc)
        if not is_permanent(exc) and attempts < self.guard.max_attempts:
            log.warning("handler failed, message will be redelivered", reason=reason,
                        attempt=attempts)
            return False
        queue = _queue_name(self.context)
        await self.guard.dead_letter(self.msg, queue, {
            "x-dvk-reason": reason,
            "x-dvk-error-type": type(exc).__name__,
            "x-dvk-attempts": attempts,
            "x-dvk-failed-at": utc_now().isoformat(),
        })
        log.error("message dead-lettered", queue=queue, reason=reason, attempt=attempts)
        return True


def _queue_name(context: Any) -> str:
    handler = context.get("handler_")
    queue = getattr(handler, "queue", None)
    return getattr(queue, "name", None) or "unknown"
