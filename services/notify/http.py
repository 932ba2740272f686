"""notify's HTTP routes for operators and the CLI: a case's schedule, the delivery log, what
waits for an operator, and the destinations that keep failing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query

from .bootstrap import Notify
from .compose import SENDER_LABEL
from .orm import DeliveryLogEntry, ScheduledNotification
from .retry import DestinationHealth

OPERATOR_STATUSES = ("failed", "uncertain", "blocked")


def schedule_item(row: ScheduledNotification) -> dict[str, Any]:
    return {"key": row.idempotency_key, "kind": row.kind, "audience": row.audience,
            "channel": row.channel, "step": row.step, "case_ref": row.case_ref,
            "unit_code": row.unit_code,
            "due_on": row.due_on.isoformat() if row.due_on else None,
            "send_at": row.send_at.isoformat(), "due_at": row.due_at.isoformat(),
            "status": row.status, "attempts": row.attempts, "last_error": row.last_error,
            "sent_at": row.sent_at.isoformat() if row.sent_at else None}


def log_item(entry: DeliveryLogEntry) -> dict[str, Any]:
    recipient = SENDER_LABEL if entry.audience == "sender" and entry.recipient else \
        entry.recipient
    return {"at": entry.at.isoformat(), "key": entry.idempotency_key, "case_ref": entry.case_ref,
            "kind": entry.kind, "audience": entry.audience, "channel": entry.channel,
            "transport": entry.transport, "recipient": recipient, "outcome": entry.outcome,
            "detail": entry.detail, "attempt": entry.attempt, "worker": entry.worker}


def build_http(notify: Notify) -> APIRouter:
    router = APIRouter(prefix="/v1")
    _case_routes(router, notify)
    _operator_routes(router, notify)
    return router


def _case_routes(router: APIRouter, notify: Notify) -> None:
    @router.get("/schedules/{ref}")
    async def get_schedule(ref: str) -> dict[str, object]:
        """items: the case's reminders and ladder (e-mail); then the messages to the sender
        and the copies for integrating systems."""
        async with notify.uow() as work:
            rows = await work.schedule.for_case(ref)
        return {"ref": ref,
                "items": [schedule_item(r) for r in rows
                          if r.phase in ("before", "after") and r.channel == "email"],
                "to_sender": [schedule_item(r) for r in rows if r.audience == "sender"],
                "webhook_copies": [schedule_item(r) for r in rows if r.channel != "email"]}


def _operator_routes(router: APIRouter, notify: Notify) -> None:
    @router.get("/deliveries")
    async def get_deliveries(ref: str | None = None, key: str | None = None,
                             limit: int = Query(100, le=1000)) -> list[dict[str, Any]]:
        async with notify.uow() as work:
            return [log_item(e) for e in await work.log.recent(ref=ref, key=key, limit=limit)]

    @router.get("/notifications")
    async def get_notifications(status: list[str] = Query(list(OPERATOR_STATUSES)),
                                limit: int = Query(200, le=2000)) -> dict[str, Any]:
        async with notify.uow() as work:
            rows = await work.schedule.listing(statuses=tuple(status), limit=limit)
            counts = await work.schedule.count_by_status()
        return {"counts": counts, "items": [schedule_item(r) for r in rows]}

    @router.get("/channels")
    async def get_channels() -> dict[str, Any]:
        """Destinations that keep failing; their messages wait in the schedule."""
        failing = notify.dispatcher.health.failing() if notify.dispatcher else {}
        return {"failing": {name: _health(h) for name, h in failing.items()}}


def _health(state: DestinationHealth) -> dict[str, Any]:
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {"since": iso(state.failing_since), "failures": state.consecutive_failures,
            "next_probe_at": iso(state.next_probe_at), "last_error": state.last_error}
