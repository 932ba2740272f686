"""Two replicas of every service, as processes, on PostgreSQL and RabbitMQ: 5,000 cases, each
processed exactly once (competing consumers on the quorum queues, outbox relays sharing rows
with FOR UPDATE SKIP LOCKED, inboxes). DVK_REPLICA_CASES changes the number of cases."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator

import aio_pika
import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.ops.management import ManagementClient
from shared.ops.queues import queue_rows
from shared.settings import SERVICES
from shared.testing.factories import feedback_body
from shared.testing.system import SystemUnderTest, service_of, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.postgres, pytest.mark.slow]
CASES = int(os.environ.get("DVK_REPLICA_CASES", "5000"))
REPLICAS = 2
# Each message in flight holds a database connection: 8 processes x (prefetch per queue + relay)
# must stay under PostgreSQL's max_connections (100 by default), with room for other clients.
PREFETCH = "3"
# The queue each service's cases arrive on, as FastStream's metrics name it (exchange.key).
MAIN_HANDLER = {"intake": "dvk.ingress.feedback.submit.v1",
                "routing": "dvk.events.intake.feedback_received.v1",
                "notify": "dvk.events.routing.case_assigned.v1",
                "reporting": "dvk.events.routing.case_assigned.v1"}


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_url(server) + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def databases(postgres_database: str) -> Iterator[dict[str, str]]:
    """One PostgreSQL database per service (the fixture's own one for intake)."""
    base = postgres_database.rsplit("/", 1)[0]
    urls = {"intake": postgres_database}
    for name in SERVICES[1:]:
        urls[name] = f"{postgres_database}_{name}"
        asyncio.run(_admin(base, f'CREATE DATABASE "{urls[name].rsplit("/", 1)[1]}"'))
    yield urls
    for name in SERVICES[1:]:
        database = urls[name].rsplit("/", 1)[1]
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


@pytest.fixture
def system(amqp_url, tmp_path, databases):
    sut = SystemUnderTest(amqp_url=amqp_url, data_dir=tmp_path, database_urls=databases,
                          replicas=dict.fromkeys(SERVICES, REPLICAS),
                          extra_env={"DVK_LOG_LEVEL": "WARNING", "DVK_PREFETCH": PREFETCH})
    sut.migrate()
    sut.start()
    yield sut
    sut.stop()


async def _publish_all(amqp_url: str, count: int) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("dvk.ingress")
        for start in range(0, count, 200):
            await asyncio.gather(*(exchange.publish(aio_pika.Message(
                feedback_body(seed=i), message_id=str(uuid.uuid4()),
                content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key="feedback.submit.v1") for i in range(start, min(start + 200, count))))


async def _scalar(url: str, sql: str) -> int:
    for attempt in range(30):  # other tests share the server's connections
        try:
            conn = await asyncpg.connect(_asyncpg_url(url))
            break
        except asyncpg.TooManyConnectionsError:
            await asyncio.sleep(1 + attempt)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


def _count(url: str, sql: str) -> int:
    return asyncio.run(_scalar(url, sql))


def _processed(system: SystemUnderTest, instance: str) -> dict[tuple[str, str], float]:
    """FastStream's processed-message counter of one instance, by (handler, status)."""
    text = system.get(instance, "/metrics").text
    found: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "faststream_received_processed_messages_total":
                key = (sample.labels["handler"], sample.labels["status"])
                found[key] = found.get(key, 0.0) + sample.value
    return found


def test_two_replicas_of_every_service_process_each_case_exactly_once(system, databases):
    started = time.monotonic()
    asyncio.run(_publish_all(system.amqp_url, CASES))
    published = time.monotonic()
    assigned = ("SELECT count(*) FROM case_facts WHERE unit_code IS NOT NULL "
                "AND received_at IS NOT NULL")
    wait_until(lambda: _count(databases["reporting"], assigned) == CASES
               and _count(databases["notify"], "SELECT count(*) FROM notify_cases "
                                               "WHERE unit_code IS NOT NULL") == CASES,
               900, "every case to reach reporting and notify", interval=1)
    done = time.monotonic()
    time.sleep(3)  # anything delivered twice would arrive now
    print(f"\n{CASES} cases, {REPLICAS} replicas each: published in {published - started:.1f}s, "
          f"all processed {done - started:.1f}s after the first publish")
    _assert_effects_once(databases)
    _assert_each_message_handled_once(system)
    _assert_queues_drained(system)


def _assert_effects_once(databases: dict[str, str]) -> None:
    intake, routing, reporting = databases["intake"], databases["routing"], databases["reporting"]
    assert _count(intake, "SELECT count(*) FROM cases") == CASES
    assert _count(intake, "SELECT count(DISTINCT ref) FROM cases") == CASES
    assert _count(routing, "SELECT count(*) FROM assignments") == CASES
    assert _count(routing, "SELECT count(*) FROM assignment_audit") == CASES
    assert _count(routing, "SELECT count(*) FROM inbox") == CASES
    for event_type in ("intake.feedback_received", "routing.case_assigned"):
        assert _count(reporting, f"SELECT count(*) FROM event_log "
                                 f"WHERE type = '{event_type}'") == CASES
    for service in ("intake", "routing"):
        assert _count(databases[service], "SELECT count(*) FROM outbox "
                                          "WHERE published_at IS NULL") == 0


def _assert_each_message_handled_once(system: SystemUnderTest) -> None:
    for service in SERVICES:
        per_replica = {i: _processed(system, i) for i in system.instances([service])}
        acked = {i: counts.get((MAIN_HANDLER[service], "acked"), 0.0)
                 for i, counts in per_replica.items()}
        retried = {i: {k: v for k, v in counts.items() if k[1] != "acked"}
                   for i, counts in per_replica.items()}
        print(f"{service}: handled per replica {acked}; not acked at first {retried}")
        assert sum(acked.values()) == CASES, (service, acked)
        assert all(count > 0 for count in acked.values()), f"a {service} replica idled"
        assert {service_of(i) for i in per_replica} == {service}


def _assert_queues_drained(system: SystemUnderTest) -> None:
    from urllib.parse import unquote, urlsplit

    vhost = unquote(urlsplit(system.amqp_url).path[1:])
    # notify's dispatcher keeps sending the reminders already due, so reporting.events gets a
    # trickle of notification events for minutes: each queue must be seen empty at some point
    # (nothing stuck), and no queue may hold a dead letter.
    with ManagementClient("http://127.0.0.1:15672", "guest", "guest") as api:
        deadline = time.monotonic() + 60
        seen_empty: set[str] = set()
        while True:  # the management statistics lag by up to 5 seconds
            rows = queue_rows(api.queues(vhost))
            seen_empty |= {r.name for r in rows if not r.messages}
            dead = [(r.name, r.dead_letters) for r in rows if r.dead_letters]
            stuck = [(r.name, r.messages) for r in rows if r.name not in seen_empty]
            if dead or not stuck or time.monotonic() > deadline:
                break
            time.sleep(1)
    assert dead == [] and stuck == []
