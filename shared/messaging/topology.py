"""Exchanges, queues and bindings: the one place they are named. deploy/rabbitmq mirrors this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INGRESS = "dvk.ingress"
EVENTS = "dvk.events"
DEAD_LETTER = "dvk.dlx"

# The broker's own backstop. The consume guard dead-letters earlier, with the reason in the
# headers, after CONSUMER_MAX_ATTEMPTS; this limit only catches a consumer that crashes the
# process on a message over and over.
DELIVERY_LIMIT = 10
CONSUMER_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class QueueSpec:
    name: str
    service: str
    exchange: str
    bindings: tuple[str, ...]
    purpose: str

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.name}.dlq"


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("intake.ingress", "intake", INGRESS, ("#",),
              "every command integrating systems publish"),
    QueueSpec("intake.assignments", "intake", EVENTS,
              ("routing.case_assigned.v1", "routing.case_reassigned.v1"),
              "which unit holds each case, to check the units' updates"),
    QueueSpec("routing.cases", "routing", EVENTS,
              ("intake.feedback_received.v1", "intake.case_status_changed.v1"),
              "new cases to assign; status updates that move deadlines or units"),
    QueueSpec("notify.cases", "notify", EVENTS,
              ("intake.feedback_received.v1", "intake.case_status_changed.v1",
               "intake.task_progress_reported.v1", "routing.case_assigned.v1",
               "routing.case_reassigned.v1", "routing.deadline_changed.v1"),
              "what reminders, escalations and acknowledgements follow from"),
    QueueSpec("notify.reports", "notify", EVENTS, ("reporting.report_generated.v1",),
              "reports to deliver to the Office"),
    QueueSpec("reporting.events", "reporting", EVENTS,
              ("intake.#", "routing.#", "notify.#", "reporting.#"),
              "every event, for the read model and its rebuild"),
    QueueSpec("reporting.requests", "reporting", EVENTS, ("intake.report_requested.v1",),
              "reports to build on request"),
)


def queue_spec(name: str) -> QueueSpec:
    return next(q for q in QUEUES if q.name == name)


def work_queue_arguments(spec: QueueSpec) -> dict[str, Any]:
    """Without x-queue-type: FastStream adds it from the queue type."""
    return {
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-exchange": DEAD_LETTER,
        "x-dead-letter-routing-key": spec.name,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def declared_arguments(spec: QueueSpec) -> dict[str, Any]:
    return {"x-queue-type": "quorum", **work_queue_arguments(spec)}


DEAD_LETTER_QUEUE_ARGUMENTS: dict[str, Any] = {"x-queue-type": "quorum"}


def exchanges() -> list[tuple[str, str]]:
    return [(INGRESS, "topic"), (EVENTS, "topic"), (DEAD_LETTER, "direct")]
