"""Every message type the system knows, by routing key: the one table contracts are looked up in."""

from __future__ import annotations

from .base import Payload
from .feedback import FeedbackReceived, IntakeRejected, SubmitFeedback
from .notify import CaseEscalated, NotificationFailed, NotificationSent, NotificationsScheduled
from .plan import (
    InspectionRecorded,
    ModelRegistered,
    ModelReviewed,
    RecordInspection,
    RecordSession,
    RegisterModel,
    ReportRequested,
    ReportTaskProgress,
    RequestReport,
    ReviewModel,
    SessionRecorded,
    TaskProgressReported,
)
from .reporting import ReportGenerated
from .routing import CaseAssigned, CaseNeedsTriage, CaseReassigned, DeadlineChanged
from .updates import CaseStatusChanged, UpdateCase

INGRESS_COMMANDS: tuple[type[Payload], ...] = (
    SubmitFeedback, UpdateCase, ReportTaskProgress, RegisterModel, ReviewModel, RecordSession,
    RecordInspection, RequestReport,
)
EVENTS: tuple[type[Payload], ...] = (
    FeedbackReceived, IntakeRejected, CaseStatusChanged, TaskProgressReported, ModelRegistered,
    ModelReviewed, SessionRecorded, InspectionRecorded, ReportRequested,
    CaseAssigned, CaseNeedsTriage, CaseReassigned, DeadlineChanged,
    NotificationsScheduled, NotificationSent, NotificationFailed, CaseEscalated,
    ReportGenerated,
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
