"""routing's events: who is responsible for a case, and by when."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from .base import Payload
from .feedback import FeedbackKind


class StepDeadline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: str
    label: str
    due_on: date
    days: int
    day_unit: Literal["calendar", "working"]
    counted_from: date
    legal_basis: str
    provisional: bool = Field(
        default=False, description="Counted from an assumed acceptance date until one is known")
    unconfirmed: bool = Field(default=False, description="The limit is a setting not yet "
                              "confirmed against the official text")


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: str
    unit_name: str
    rule_id: str
    explanation: str
    matched_keywords: list[str] = Field(default_factory=list)


class CaseAssigned(Payload):
    message_type = "routing.case_assigned"

    ref: str
    kind: FeedbackKind
    received_at: AwareDatetime
    assignment: Assignment
    deadlines: list[StepDeadline]
    needs_triage: bool = False


class CaseNeedsTriage(Payload):
    """No rule matched: the Office must triage by hand. The case is held by the Office meanwhile."""

    message_type = "routing.case_needs_triage"

    ref: str
    kind: FeedbackKind
    reason: str
    held_by: str


class CaseReassigned(Payload):
    """The responsible unit changed: a transfer (chuyển đơn) or a manual reassignment."""

    message_type = "routing.case_reassigned"

    ref: str
    kind: FeedbackKind
    from_unit: str
    assignment: Assignment
    reason: str
    outside_competence: bool = False
    external_body: str | None = None
    deadlines: list[StepDeadline]


class DeadlineChanged(Payload):
    """A deadline moved: an extension (gia hạn), an acceptance date known, a pause."""

    message_type = "routing.deadline_changed"

    ref: str
    kind: FeedbackKind
    unit_code: str
    reason: str
    deadlines: list[StepDeadline]
    closed: bool = Field(default=False, description="The case is resolved or rejected: no "
                         "deadline runs any more")
