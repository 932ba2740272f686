"""Helpers for the fault tests: publishing in bulk, reading dead letters, counting rows."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aio_pika

from shared.testing.system import wait_until

FULL = os.environ.get("DVK_FAULTS") == "full"
# DVK_FAULTS=servers: the reduced sizes, with the server restarts (a quicker drill than `full`).
SERVERS = os.environ.get("DVK_FAULTS") in ("full", "servers")


def size(reduced: int, full: int) -> int:
    """How many cases a test sends: the full set (`make faults`) or the reduced CI set."""
    return full if FULL else reduced


def report(what: str, **counts: object) -> None:
    """Each fault test prints what it injected and the counts it checked."""
    figures = ", ".join(f"{k}={v}" for k, v in counts.items())
    print(f"\n[fault] {what}: {figures}")


async def publish(amqp_url: str, messages: Iterable[tuple[bytes, str, str | None]], *,
                  exchange: str = "dvk.ingress", window: int = 200) -> int:
    """Publishes (body, routing_key, type) with confirms, `window` in flight; returns the count."""
    connection = await aio_pika.connect(amqp_url)
    sent = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange)
        batch: list = []
        for body, key, message_type in messages:
            batch.append(target.publish(aio_pika.Message(
                body, message_id=str(uuid.uuid4()), content_type="application/json",
                type=message_type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=key))
            if len(batch) >= window:
                await asyncio.gather(*batch)
                sent, batch = sent + len(batch), []
        await asyncio.gather(*batch)
    return sent + len(batch)


async def dead_letters(amqp_url: str, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message in `<queue>.dlq`, left in place (read, then requeued on close)."""
    connection = await aio_pika.connect(amqp_url)
    found = []
    async with connection:
        channel = await connection.channel()
        dlq = await channel.get_queue(f"{queue}.dlq", ensure=False)
        while (message := await dlq.get(no_ack=False, fail=False)) is not None:
            found.append(message)
    return found


async def queue_depth(amqp_url: str, queues: Iterable[str]) -> int:
    """Messages ready in the queues (not those delivered and not yet acked)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        total = 0
        for name in queues:
            queue = await channel.declare_queue(name, passive=True)
            total += queue.declaration_result.message_count or 0
    return total


async def settled(amqp_url: str, queues: Iterable[str], state: Callable[[], Any], *,
                  timeout: float = 600, interval: float = 2.0) -> Any:
    """The state once the queues are empty and it read the same twice, `interval` apart: what
    is in flight has landed (a fixed sleep is too short for a large run)."""
    queues = list(queues)
    last: Any = object()
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        depth = await queue_depth(amqp_url, queues)
        now = await asyncio.to_thread(state)
        if depth == 0 and now == last:
            return now
        last = now
        await asyncio.sleep(interval)
    raise AssertionError(f"{queues} did not settle within {timeout}s")


def scalar(db: Path, sql: str) -> int:
    with sqlite3.connect(db, timeout=60) as conn:
        return conn.execute(sql).fetchone()[0]


def wait_for(predicate: Callable[[], bool], timeout: float, what: str,
             interval: float = 0.5) -> None:
    """A table not yet migrated, or briefly locked, is a system still starting."""
    wait_until(predicate, timeout, what, interval=interval, tolerate=(sqlite3.OperationalError,))
