"""notify's events."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict

from .base import Payload


class ScheduledItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    idempotency_key: str
    kind: str
    audience: str
    step: str
    due_on: date | None
    send_at: AwareDatetime


class NotificationsScheduled(Payload):
    """notify planned the reminders and escalation ladder of a case's deadlines."""

    message_type = "notify.notifications_scheduled"

    ref: str
    unit_code: str
    items: list[ScheduledItem]


class NotificationSent(Payload):
    message_type = "notify.notification_sent"

    idempotency_key: str
    ref: str | None
    unit_code: str | None
    kind: str
    audience: str
    channel: str
    sent_at: AwareDatetime


class NotificationFailed(Payload):
    """A send failed for good, or a channel keeps failing; the message waits for an operator."""

    message_type = "notify.notification_failed"

    idempotency_key: str
    ref: str | None
    kind: str
    channel: str
    reason: str
    attempts: int
    parked: bool


class CaseEscalated(Payload):
    """An urging or escalation step after a missed deadline went out."""

    message_type = "notify.case_escalated"

    ref: str
    unit_code: str
    step: str
    level: str
    due_on: date
    sent_at: AwareDatetime
