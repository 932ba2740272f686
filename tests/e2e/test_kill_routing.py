"""The four services as OS processes on a real RabbitMQ: 1,000 cases, routing SIGKILLed midway."""

import asyncio
import sqlite3
import time
import uuid

import aio_pika
import pytest

from shared.testing.factories import feedback_body
from shared.testing.system import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker]
CASES = 1000


async def _publish_all(amqp_url: str, bodies: list[bytes]) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("dvk.ingress")
        for chunk in range(0, len(bodies), 100):
            await asyncio.gather(*(exchange.publish(aio_pika.Message(
                body, message_id=str(uuid.uuid4()), content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key="feedback.submit.v1")
                for body in bodies[chunk:chunk + 100]))


def _scalar(db, sql: str) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql).fetchone()[0]


def test_routing_killed_mid_stream_loses_and_duplicates_nothing(sqlite_system, tmp_path):
    routing_db, reporting_db = tmp_path / "routing.db", tmp_path / "reporting.db"
    bodies = [feedback_body(seed=i) for i in range(CASES)]
    asyncio.run(_publish_all(sqlite_system.amqp_url, bodies))
    wait_until(lambda: _scalar(routing_db, "SELECT count(*) FROM assignments") >= 150, 120,
               "routing to be under way")
    sqlite_system.kill("routing")
    killed_at = _scalar(routing_db, "SELECT count(*) FROM assignments")
    print(f"SIGKILL routing after {killed_at} of {CASES} assignments")
    sqlite_system.start(["routing"])
    wait_until(lambda: _scalar(reporting_db, "SELECT count(*) FROM case_facts "
                                             "WHERE unit_code IS NOT NULL") == CASES, 300,
               "every case to be assigned and projected")
    time.sleep(2)  # anything duplicated would arrive now
    assert killed_at < CASES
    assert _scalar(routing_db, "SELECT count(*) FROM assignments") == CASES
    assert _scalar(routing_db, "SELECT count(*) FROM assignment_audit") == CASES
    assert _scalar(reporting_db, "SELECT count(*) FROM case_facts "
                                 "WHERE received_at IS NOT NULL") == CASES
    assigned_events = "SELECT count(*) FROM event_log WHERE type = 'routing.case_assigned'"
    assert _scalar(reporting_db, assigned_events) == CASES
    assert _scalar(reporting_db, "SELECT count(DISTINCT json_extract(body, '$.data.ref')) "
                                 "FROM event_log WHERE type = 'routing.case_assigned'") == CASES
