"""The project's own stack in the baseline's shape: two hops of quorum queues, one row per hop,
through what every service uses and no domain work. Each hop is a FastStream subscriber with
the consume guard and the Prometheus middleware, the envelope parsed by pydantic, a unit of
work (inbox claim, a Core INSERT, the next event through the outbox) in a group commit, and the
outbox relay publishing with confirms. What one hop of a service costs before its own logic:
the floor under the system's figures, measured in the same run as the baseline."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aio_pika
from faststream.rabbit import RabbitRouter
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from bench.profile import CpuMeter, per_item_ms
from bench.system_bench import publish_confirmed
from shared.contracts.base import Envelope, Payload, make_envelope
from shared.db import create_engine, session_factory
from shared.messaging.broker import work_queue
from shared.messaging.declare import wait_and_declare
from shared.messaging.tables import define_inbox, define_outbox
from shared.messaging.topology import EVENTS, QueueSpec, declared_arguments
from shared.messaging.uow import SqlUnitOfWork, UnitsOfWork
from shared.runtime import assemble, serve

metadata = MetaData()
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)
rows = Table("floor_rows", metadata,
             Column("hop", Integer, primary_key=True),
             Column("event_id", String(200), primary_key=True),
             Column("body", Text, nullable=False))
_ROW_INSERT = insert(rows)


class FloorSent(Payload):
    message_type = "bench.floor_sent"
    seq: int
    text: str


class FloorPassed(Payload):
    message_type = "bench.floor_passed"
    seq: int
    text: str


FIRST = QueueSpec("bench.floor.first", "bench", EVENTS, (FloorSent.routing_key(),),
                  "the first hop")
SECOND = QueueSpec("bench.floor.second", "bench", EVENTS, (FloorPassed.routing_key(),),
                   "the second hop")


@dataclass
class Floor(UnitsOfWork[SqlUnitOfWork]):
    uow_class = SqlUnitOfWork
    outbox_table = outbox
    inbox_table = inbox

    sessions: async_sessionmaker
    expected: int
    on_commit: Any = None
    done: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    def passed(self) -> None:
        self.done += 1
        if self.done >= self.expected:
            self.finished.set()


def build_router(floor: Floor) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(work_queue(FIRST), title=FIRST.name)
    async def first(envelope: Envelope[FloorSent]) -> None:
        await _hop(floor, FIRST, 1, envelope, then=FloorPassed(seq=envelope.data.seq,
                                                              text=envelope.data.text))

    @router.subscriber(work_queue(SECOND), title=SECOND.name)
    async def second(envelope: Envelope[FloorPassed]) -> None:
        if await _hop(floor, SECOND, 2, envelope):
            floor.passed()

    return router


async def _hop(floor: Floor, queue: QueueSpec, hop: int, envelope: Envelope[Any],
               then: Payload | None = None) -> bool:
    """One hop's unit of work: claim, the row, the next event if any. False for a redelivery."""
    async with floor.consumer_uow() as work:
        if not await work.claim(envelope.event_id, queue.name):
            return False
        await work.session.execute(_ROW_INSERT, {"hop": hop, "event_id": envelope.event_id,
                                                 "body": envelope.data.text})
        if then is not None:
            await work.publish(make_envelope(then, producer="bench",
                                             correlation_id=envelope.correlation_id,
                                             causation_id=envelope.event_id))
        await work.commit()
    return True


async def measure_floor(amqp_url: str, database_url: str, messages: int, *, http_port: int,
                        meter: CpuMeter | None = None) -> dict[str, Any]:
    """Messages/s from the first publish until the second hop has committed the last one."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    floor = Floor(sessions=session_factory(engine), expected=messages)
    common = SimpleNamespace(prefetch=64, declare_topology=True, http_host="127.0.0.1")
    own = SimpleNamespace(amqp_url=amqp_url, http_port=http_port)
    parts = assemble(name="bench", common=common, own=own, engine=engine,
                     sessions=floor.sessions, outbox=outbox, routers=[build_router(floor)])
    floor.on_commit = parts.relay.wake
    await _declare(amqp_url)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(parts, stop))
    try:
        await _started(parts)
        if meter:
            meter.start()
        started = time.perf_counter()
        await publish_confirmed(amqp_url, EVENTS, FIRST.bindings[0],
                                [_message(seq) for seq in range(messages)])
        await asyncio.wait_for(floor.finished.wait(), timeout=1800)
        elapsed = time.perf_counter() - started
        cpu = per_item_ms(meter.stop(), messages) if meter else {}
    finally:
        stop.set()
        await serving
    return {"messages": messages, "seconds": round(elapsed, 2), "msg_per_s": messages / elapsed,
            "cpu_ms_per_msg": cpu}


async def _declare(amqp_url: str) -> None:
    """The project's topology (its exchanges), then the two hops' queues bound to dvk.events."""
    await wait_and_declare(amqp_url, attempts=5)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        events = await channel.get_exchange(EVENTS)
        for spec in (FIRST, SECOND):
            queue = await channel.declare_queue(spec.name, durable=True,
                                                arguments=declared_arguments(spec))
            for key in spec.bindings:
                await queue.bind(events, routing_key=key)


async def _started(parts: Any, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not parts.broker.running:
        if time.perf_counter() > deadline:
            raise TimeoutError("the floor's broker did not start")
        await asyncio.sleep(0.05)


def _message(seq: int) -> aio_pika.Message:
    envelope = make_envelope(FloorSent(seq=seq, text="kiến nghị, benchmark"), producer="bench",
                             correlation_id=str(uuid.uuid4()))
    return aio_pika.Message(envelope.model_dump_json().encode(), message_id=envelope.event_id,
                            correlation_id=envelope.correlation_id, type=envelope.type,
                            content_type="application/json",
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
