"""Every message type the system knows, by routing key: the one table contracts are looked up in."""

from __future__ import annotations

from .base import Payload
from .feedback import FeedbackReceived, IntakeRejected, SubmitFeedback
from .notify import NotificationsScheduled
from .routing import CaseAssigned, CaseNeedsTriage

INGRESS_COMMANDS: tuple[type[Payload], ...] = (SubmitFeedback,)
EVENTS: tuple[type[Payload], ...] = (
    FeedbackReceived,
    IntakeRejected,
    CaseAssigned,
    CaseNeedsTriage,
    NotificationsScheduled,
)

BY_TYPE: dict[tuple[str, int], type[Payload]] = {
    (m.message_type, m.schema_version): m for m in (*INGRESS_COMMANDS, *EVENTS)
}


class UnknownMessageType(LookupError):
    pass


def model_for(message_type: str, schema_version: int) -> type[Payload]:
    try:
        return BY_TYPE[(message_type, schema_version)]
    except KeyError:
        known = ", ".join(sorted(f"{t}.v{v}" for t, v in BY_TYPE))
        raise UnknownMessageType(
            f"unknown message type {message_type!r} version {schema_version} (known: {known})"
        ) from None
