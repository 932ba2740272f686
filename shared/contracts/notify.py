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
