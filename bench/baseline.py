"""The practical limit of this shape on this machine: raw aio-pika, persistent messages with
publisher confirms through two hops of quorum queues, one plain asyncpg INSERT per hop."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aio_pika
import asyncpg

from bench.profile import CpuMeter, per_item_ms


async def measure_baseline(amqp_url: str, pg_url: str, messages: int, prefetch: int = 64,
                           meter: CpuMeter | None = None) -> dict[str, Any]:
    pool = await asyncpg.create_pool(pg_url, min_size=4, max_size=8)
    await pool.execute("CREATE TABLE IF NOT EXISTS hop (hop int, id text, body text, "
                       "PRIMARY KEY (hop, id))")
    connection = await aio_pika.connect_robust(amqp_url)
    done, finished = 0, asyncio.Event()
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=prefetch)
        names = [f"bench.hop{n}.{uuid.uuid4().hex[:6]}" for n in (1, 2)]
        queues = [await channel.declare_queue(n, durable=True,
                                              arguments={"x-queue-type": "quorum"})
                  for n in names]

        async def hop1(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await pool.execute("INSERT INTO hop VALUES (1, $1, $2)", message.message_id,
                               message.body.decode())
            await channel.default_exchange.publish(aio_pika.Message(
                message.body, message_id=message.message_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=names[1])
            await message.ack()

        async def hop2(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal done
            await pool.execute("INSERT INTO hop VALUES (2, $1, $2)", message.message_id,
                               message.body.decode())
            await message.ack()
            done += 1
            if done == messages:
                finished.set()

        tags = [await queues[0].consume(hop1), await queues[1].consume(hop2)]
        if meter:
            meter.start()
        started = time.perf_counter()
        await _publish(channel, names[0], messages)
        await finished.wait()
        elapsed = time.perf_counter() - started
        cpu = per_item_ms(meter.stop(), messages) if meter else {}
        for queue, tag in zip(queues, tags, strict=True):
            await queue.cancel(tag)
    await pool.close()
    return {"messages": messages, "seconds": elapsed, "msg_per_s": messages / elapsed,
            "cpu_ms_per_msg": cpu}


async def _publish(channel: aio_pika.abc.AbstractChannel, queue: str, messages: int) -> None:
    body = b'{"kind": "kien_nghi", "subject": "benchmark"}'
    for start in range(0, messages, 200):
        await asyncio.gather(*(channel.default_exchange.publish(aio_pika.Message(
            body, message_id=str(uuid.uuid4()), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=queue) for _ in range(start, min(start + 200, messages))))
