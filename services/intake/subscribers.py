"""intake's AMQP entry points: commands on dvk.ingress, validated by intake itself; and which
unit holds each case, from routing."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitMessage, RabbitRouter

from shared.contracts.base import Envelope
from shared.contracts.routing import CaseAssigned, CaseReassigned
from shared.messaging.broker import of_type, work_queue
from shared.messaging.topology import queue_spec

from . import handlers, updates
from .bootstrap import Intake
from .ingress import IngressMessage, as_utf8


def build_router(intake: Intake) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(
        work_queue(queue_spec("intake.ingress")), title="intake.ingress", decoder=raw_body,
        description="Commands from integrating systems on dvk.ingress (feedback.submit.v1, "
                    "feedback.update.v1, task.progress.v1, movement.*.v1, report.request.v1). "
                    "Invalid ones are kept in the rejected store and announced as "
                    "intake.rejected.v1. See components.x-dvk-contracts for the schemas.")
    async def on_ingress(body: bytes, message: RabbitMessage) -> dict[str, Any]:
        reply = await handlers.accept_ingress(as_ingress(message), way_in="amqp",
                                              deps=intake.consumer_deps)
        return reply.model_dump(exclude_none=True)

    assignments = router.subscriber(work_queue(queue_spec("intake.assignments")),
                                    title="intake.assignments")

    @assignments(filter=of_type(CaseAssigned.message_type))
    async def on_case_assigned(envelope: Envelope[CaseAssigned]) -> None:
        await updates.record_holder(envelope, deps=intake.consumer_deps)

    @assignments(filter=of_type(CaseReassigned.message_type))
    async def on_case_reassigned(envelope: Envelope[CaseReassigned]) -> None:
        await updates.record_holder(envelope, deps=intake.consumer_deps)

    return router


async def raw_body(message: Any) -> bytes:
    """intake validates the bytes itself, so that bad input is rejected with a reason, not lost."""
    return bytes(message.body)


def as_ingress(message: RabbitMessage) -> IngressMessage:
    raw = message.raw_message
    return IngressMessage(
        body=as_utf8(bytes(message.body), raw.content_type), message_id=raw.message_id,
        routing_key=raw.routing_key,
        message_type=raw.type, correlation_id=raw.correlation_id,
        headers=dict(raw.headers or {}),
    )
