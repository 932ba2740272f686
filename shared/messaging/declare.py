"""Declares the whole topology, idempotently, with aio-pika; any service may do it at start-up."""

from __future__ import annotations

import asyncio

import aio_pika
from aio_pika.abc import AbstractChannel

from shared.logging import get_logger

from .topology import (
    DEAD_LETTER,
    DEAD_LETTER_QUEUE_ARGUMENTS,
    QUEUES,
    declared_arguments,
    exchanges,
)

log = get_logger()


async def declare_topology(channel: AbstractChannel) -> None:
    declared = {}
    for name, kind in exchanges():
        declared[name] = await channel.declare_exchange(name, kind, durable=True)
    for spec in QUEUES:
        queue = await channel.declare_queue(spec.name, durable=True,
                                            arguments=declared_arguments(spec))
        for key in spec.bindings:
            await queue.bind(declared[spec.exchange], routing_key=key)
        dlq = await channel.declare_queue(spec.dead_letter_queue, durable=True,
                                          arguments=DEAD_LETTER_QUEUE_ARGUMENTS)
        await dlq.bind(declared[DEAD_LETTER], routing_key=spec.name)


async def wait_and_declare(amqp_url: str, *, attempts: int | None = None,
                           declare: bool = True) -> None:
    """Waits for RabbitMQ (logging while it waits), then declares the topology unless told not
    to (DVK_DECLARE_TOPOLOGY=false: the broker's definitions file declares it)."""
    tried = 0
    while True:
        try:
            connection = await aio_pika.connect(amqp_url, timeout=10)
        except (TimeoutError, OSError, aio_pika.exceptions.AMQPError) as exc:
            tried += 1
            if attempts is not None and tried >= attempts:
                raise
            log.warning("rabbitmq unreachable, waiting", error=type(exc).__name__)
            await asyncio.sleep(min(2.0 * tried, 10.0))
            continue
        async with connection:
            if declare:
                await declare_topology(await connection.channel())
        return
