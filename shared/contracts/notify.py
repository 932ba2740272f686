"""notify's events."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    """notify planned a case's reminders and escalation ladder, or changed how many run."""

    message_type = "notify.notifications_scheduled"

    ref: str
    unit_code: str
    items: list[ScheduledItem]  # the rows this change added; may be empty
    # A snapshot, so the latest announcement (by occurred_at) gives the count whatever order
    # announcements arrive in. Optional: producers before it announced only `items`.
    live_count: int | None = Field(
        default=None, ge=0,
        description="how many reminders and ladder messages the case's running deadlines call "
                    "for after this change (a moved deadline, a step done, the case closed)")


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
