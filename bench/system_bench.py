"""The system as four processes: N cases to dvk.ingress until every one is assigned by routing,
scheduled by notify and projected by reporting; throughput, latency, peak memory."""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import statistics
import time
import uuid
from pathlib import Path

import aio_pika
import asyncpg

from bench.profile import CpuMeter, fixed, per_item_ms, server_groups
from shared.contracts.base import utc_now
from shared.settings import SERVICES
from shared.testing.factories import feedback_body
from shared.testing.system import SystemUnderTest

DONE = ("SELECT count(*) FROM case_facts WHERE unit_code IS NOT NULL "
        "AND reminders_scheduled > 0")


async def count_done(sut: SystemUnderTest) -> int:
    url = sut.database_urls.get("reporting")
    if url is None:
        with sqlite3.connect(sut.data_dir / "reporting.db", timeout=60) as conn:
            return conn.execute(DONE).fetchone()[0]
    for _ in range(30):  # PostgreSQL is shared: wait for a free connection slot
        try:
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
            break
        except asyncpg.TooManyConnectionsError:
            await asyncio.sleep(1)
    try:
        return await conn.fetchval(DONE)
    finally:
        await conn.close()


async def throughput(sut: SystemUnderTest, cases: int, timeout: float = 1800,
                     meter: CpuMeter | None = None) -> dict:
    """Every case published at once; cases/s from the first publish until the last is done."""
    if meter:
        meter.start()
    started = time.perf_counter()
    await _publish(sut.amqp_url, [(fresh_case(seed=i), None) for i in range(cases)])
    while await count_done(sut) < cases:
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"only {await count_done(sut)} of {cases} done")
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - started
    cpu = per_item_ms(meter.stop(), cases) if meter else {}
    return {"cases": cases, "seconds": round(elapsed, 2), "cases_per_s": cases / elapsed,
            "cpu_ms_per_case": cpu}


async def wait_until_idle(sut: SystemUnderTest, *, window: float = 2.0, busy_share: float = 0.02,
                          limit: float = 600.0) -> float:
    """Waits until the services have finished what an earlier run left them (on SQLite notify
    sends the burst's acknowledgements after it), so that the latency run measures a steady
    load and not that backlog: idle is a window in which the four services together used
    less than `busy_share` of one core. Returns the seconds waited."""
    services = {name: fixed(proc.pid) for name, proc in sut.procs.items()}
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        meter = CpuMeter(services).start()
        await asyncio.sleep(window)
        if sum(meter.stop().values()) < busy_share * window:
            break
    return round(time.perf_counter() - started, 1)


def cpu_meter(sut: SystemUnderTest) -> CpuMeter:
    """The four services, this process (the publisher), RabbitMQ and PostgreSQL."""
    services = {name: fixed(proc.pid) for name, proc in sut.procs.items()}
    return CpuMeter({**services, "bench": fixed(os.getpid()), **server_groups()})


HOPS = ("intake.feedback_received.v1", "routing.case_assigned.v1",
        "notify.notifications_scheduled.v1")


async def latency(sut: SystemUnderTest, rate: float, cases: int) -> dict:
    """A steady offered load of `rate` cases/s; a case's latency runs from its publish to
    notify's `notifications_scheduled` for it (after routing's assignment), seen by a tap queue
    by correlation id. Reporting's projection is counted in the throughput run. The tap also
    sees intake's and routing's events, which splits the slowest cases' time by hop."""
    sent: dict[str, float] = {}
    seen: dict[str, dict[str, float]] = {hop: {} for hop in HOPS}
    connection = await aio_pika.connect(sut.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        tap = await channel.declare_queue(exclusive=True)
        for hop in HOPS:
            await tap.bind("dvk.events", hop)

        async def on_event(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            if message.correlation_id in sent and message.routing_key in seen:
                seen[message.routing_key].setdefault(message.correlation_id, time.perf_counter())
            await message.ack()

        await tap.consume(on_event)
        exchange = await channel.get_exchange("dvk.ingress")
        started = time.perf_counter()
        publishing: set[asyncio.Future] = set()  # the loop holds tasks only weakly
        for i in range(cases):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            cid = str(uuid.uuid4())
            sent[cid] = time.perf_counter()
            publish = asyncio.ensure_future(exchange.publish(
                _message(fresh_case(seed=10**6 + i), cid), routing_key="feedback.submit.v1"))
            publishing.add(publish)
            publish.add_done_callback(publishing.discard)
        done = seen[HOPS[-1]]
        deadline = time.perf_counter() + 120
        while len(done) < cases and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
    waits = sorted(done[c] - sent[c] for c in done)
    q = statistics.quantiles(waits, n=100) if len(waits) > 1 else waits * 99
    return {"offered_per_s": round(rate, 1), "cases": cases, "completed": len(waits),
            "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000,
            "slowest_by_hop_ms": slowest_by_hop(sent, seen)}


def slowest_by_hop(sent: dict[str, float], seen: dict[str, dict[str, float]],
                   count: int = 5) -> list[list[float]]:
    """The slowest cases' milliseconds from publish to intake's event, then to routing's,
    then to notify's: which service the tail waits on."""
    done = seen[HOPS[-1]]
    slowest = sorted(done, key=lambda c: done[c] - sent[c], reverse=True)[:count]
    rows = []
    for cid in slowest:
        marks = [sent[cid], *(seen[hop].get(cid, float("nan")) for hop in HOPS)]
        rows.append([round((b - a) * 1000, 1) for a, b in itertools.pairwise(marks)])
    return rows


def fresh_case(seed: int) -> bytes:
    """A case received now, as in steady operation: no reminder falls due during the run (a
    fixed past date would make the run also send every reminder due since, more each day)."""
    return feedback_body(seed=seed, received_at=utc_now().isoformat())


def memory(sut: SystemUnderTest) -> dict[str, float | None]:
    return {name: sut.peak_rss_mb(name) for name in SERVICES}


def _message(body: bytes, correlation_id: str) -> aio_pika.Message:
    return aio_pika.Message(body, message_id=str(uuid.uuid4()), correlation_id=correlation_id,
                            content_type="application/json",
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT)


async def _publish(amqp_url: str, items: list[tuple[bytes, str | None]]) -> None:
    await publish_confirmed(amqp_url, "dvk.ingress", "feedback.submit.v1",
                            [_message(body, cid or str(uuid.uuid4())) for body, cid in items])


async def publish_confirmed(amqp_url: str, exchange_name: str, routing_key: str,
                            messages: list[aio_pika.Message], window: int = 200) -> None:
    """Publishes with confirms, `window` messages awaited at a time."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name)
        for start in range(0, len(messages), window):
            await asyncio.gather(*(exchange.publish(message, routing_key=routing_key)
                                   for message in messages[start:start + window]))


def start_system(amqp_url: str, data_dir: Path, database_urls: dict[str, str]) -> SystemUnderTest:
    sut = SystemUnderTest(amqp_url=amqp_url, data_dir=data_dir, database_urls=database_urls,
                          extra_env={"DVK_LOG_LEVEL": "WARNING", "DVK_DB_POOL_SIZE": "5",
                                     "DVK_DB_MAX_OVERFLOW": "3"})
    sut.migrate()
    sut.start()
    return sut
