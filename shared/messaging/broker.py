"""The broker every service uses: confirms on, persistent publishing, the consume guard."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker, RabbitQueue
from faststream.rabbit.schemas.queue import QueueType

from shared import metrics

from . import lenient_decoding
from .guard import ConsumeGuard
from .topology import DEAD_LETTER, QueueSpec, work_queue_arguments


def make_broker(amqp_url: str, *, prefetch: int = 64, middlewares: Sequence[Any] = (),
                **kwargs: Any) -> RabbitBroker:
    """`middlewares` go outside the consume guard (e.g. FastStream's Prometheus middleware)."""
    # A message whose AMQP properties pamqp cannot read (a non-UTF-8 message_id, a timestamp in
    # microseconds) would otherwise close the whole connection, again at every redelivery.
    lenient_decoding.install()
    broker: RabbitBroker  # the guard's dead-lettering publishes through the broker it is in

    async def dead_letter(raw: Any, queue: str, reason_headers: dict[str, Any]) -> None:
        await _dead_letter(broker, raw, queue, reason_headers)

    broker = RabbitBroker(
        amqp_url,
        default_channel=Channel(prefetch_count=prefetch, publisher_confirms=True),
        middlewares=(*middlewares, ConsumeGuard(dead_letter=dead_letter)),
        logger=None,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        graceful_timeout=30.0,
        **kwargs,
    )
    return broker


async def _dead_letter(broker: RabbitBroker, raw: Any, queue: str,
                       reason_headers: dict[str, Any]) -> None:
    """A copy to dvk.dlx (routed to `<queue>.dlq`) with the reason and the origin."""
    await broker.publish(
        raw.body,
        exchange=DEAD_LETTER,
        routing_key=queue,
        message_id=raw.message_id,
        correlation_id=raw.correlation_id,
        content_type=raw.content_type or "application/json",
        message_type=raw.type,
        headers={
            **(raw.headers or {}),
            **reason_headers,
            "x-dvk-original-exchange": raw.exchange or "",
            "x-dvk-original-routing-key": raw.routing_key or "",
            "x-dvk-queue": queue,
        },
        persist=True,
        mandatory=False,
    )
    metrics.message_dead_lettered(queue)


def work_queue(spec: QueueSpec) -> RabbitQueue:
    return RabbitQueue(spec.name, queue_type=QueueType.QUORUM, durable=True,
                       arguments=work_queue_arguments(spec))  # type: ignore[arg-type]


def nack_on_error(broker: RabbitBroker) -> None:
    """Subscribers made on a RabbitRouter do not inherit the broker's ack policy: FastStream
    gives them REJECT_ON_ERROR, so the first failure of any kind (a unique-key race between two
    replicas, say) was rejected and dead-lettered by the broker, without the consume guard's
    reason and without a redelivery. Call after including the routers."""
    for subscriber in broker.subscribers:
        subscriber.ack_policy = AckPolicy.NACK_ON_ERROR


def use_declared_queues(broker: RabbitBroker) -> None:
    """With DVK_DECLARE_TOPOLOGY=false the broker's definitions own the topology: subscribers
    only look their queue up (a passive declare), which needs no configure permission."""
    for subscriber in broker.subscribers:
        queue = getattr(subscriber, "queue", None)
        if queue is not None:
            queue.declare = False


def outbox_publisher(broker: RabbitBroker) -> Any:
    async def publish(row: Any) -> None:
        await broker.publish(
            row.body.encode(),
            exchange=row.exchange,
            routing_key=row.routing_key,
            message_id=row.event_id,
            correlation_id=row.correlation_id,
            content_type="application/json",
            message_type=row.message_type,
            persist=True,
            mandatory=False,
        )

    return publish


def of_type(message_type: str) -> Any:
    """A subscriber filter: the event type from the AMQP type property (set by the outbox
    relay), or from the envelope when a publisher left the property empty. A coroutine
    function: FastStream runs a plain function in a thread pool, a thread hop for every
    handler tried on every message."""

    async def matches(message: Any) -> bool:
        declared = getattr(message.raw_message, "type", None)
        if declared:
            return declared == message_type
        try:
            return json.loads(message.body).get("type") == message_type
        except (ValueError, AttributeError):
            return False

    return matches
