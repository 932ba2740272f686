"""notify's events."""

from __future__ import annotations

from pydantic import AwareDatetime

from .base import Payload


class ReminderScheduled(Payload):
    message_type = "notify.reminder_scheduled"

    ref: str
    unit_code: str
    kind: str
    step: str
    send_at: AwareDatetime
    idempotency_key: str
