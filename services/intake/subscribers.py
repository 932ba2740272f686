"""intake's AMQP entry point: every command on dvk.ingress, validated by intake itself."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitMessage, RabbitRouter

from shared.messaging.broker import work_queue
from shared.messaging.topology import queue_spec

from . import handlers
from .bootstrap import Intake
from .domain import IngressMessage

INGRESS_QUEUE = queue_spec("intake.ingress")


def build_router(intake: Intake) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(
        work_queue(INGRESS_QUEUE),
        title="intake.ingress",
        decoder=raw_body,
        description="Commands from integrating systems on dvk.ingress (feedback.submit.v1, ...). "
                    "Invalid ones are kept in the rejected store and announced as intake.rejected.",
    )
    async def on_ingress(body: bytes, message: RabbitMessage) -> dict[str, Any]:
        reply = await handlers.accept_ingress(
            as_ingress(message), way_in="amqp", uow=intake.uow, sealer=intake.sealer)
        return reply.model_dump(exclude_none=True)

    return router


async def raw_body(message: Any) -> bytes:
    """intake validates the bytes itself, so that bad input is rejected with a reason, not lost."""
    return bytes(message.body)


def as_ingress(message: RabbitMessage) -> IngressMessage:
    raw = message.raw_message
    return IngressMessage(
        body=bytes(message.body), message_id=raw.message_id, routing_key=raw.routing_key,
        message_type=raw.type, correlation_id=raw.correlation_id,
        headers=dict(raw.headers or {}),
    )
