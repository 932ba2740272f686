"""RabbitMQ restarted, PostgreSQL stopped for 30 s, while cases flow: every service recovers by
itself, nothing is lost or dead-lettered. Marked `faults`: only `make faults` runs them, as they
disturb every other test on this machine."""

from __future__ import annotations

import asyncio
import subprocess
import time

import asyncpg
import pytest

from shared.testing.factories import feedback_body
from shared.testing.system import SystemUnderTest

from .faults_support import FULL, dead_letters, publish, report, size, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.broker, pytest.mark.postgres, pytest.mark.faults]
SERVICES = ("intake", "routing", "notify", "reporting")
DLQS = ("intake.ingress", "intake.assignments", "routing.cases", "notify.cases",
        "reporting.events")


def _run(*cmd: str) -> None:
    subprocess.run(list(cmd), check=True, capture_output=True, timeout=180)


@pytest.fixture
def system(amqp_url, tmp_path, request):
    """The four services on PostgreSQL (a database each), as processes."""
    base = request.getfixturevalue("postgres_database")
    root, _ = base.rsplit("/", 1)
    names = {s: f"{base.rsplit('/', 1)[1]}_{s}" for s in SERVICES}
    asyncio.run(_admin([f'CREATE DATABASE "{n}"' for n in names.values()]))
    sut = SystemUnderTest(amqp_url=amqp_url, data_dir=tmp_path,
                          database_urls={s: f"{root}/{n}" for s, n in names.items()},
                          extra_env={"DVK_DB_POOL_SIZE": "4", "DVK_DB_MAX_OVERFLOW": "2"})
    sut.migrate()
    sut.start()
    yield sut
    sut.stop()
    asyncio.run(_admin([f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names.values()]))


async def _admin(statements: list[str]) -> None:
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def _count(url: str, sql: str) -> int:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def count(sut: SystemUnderTest, service: str, sql: str) -> int:
    try:
        return asyncio.run(_count(sut.database_urls[service], sql))
    except (OSError, asyncpg.PostgresError):
        return -1


DONE = "SELECT count(*) FROM case_facts WHERE unit_code IS NOT NULL AND reminders_scheduled > 0"


def _flow_and_check(sut: SystemUnderTest, cases: int, fault, what: str) -> None:
    asyncio.run(publish(sut.amqp_url, ((feedback_body(seed=i), "feedback.submit.v1", None)
                                       for i in range(cases))))
    wait_for(lambda: count(sut, "routing", "SELECT count(*) FROM assignments") >= cases * 0.2,
             600, "routing under way")
    at = count(sut, "reporting", DONE)
    fault()
    wait_for(lambda: count(sut, "reporting", DONE) == cases, 900, "every case done")
    time.sleep(3)
    counts = {"cases": count(sut, "intake", "SELECT count(*) FROM cases"),
              "assignments": count(sut, "routing", "SELECT count(*) FROM assignments"),
              "notify_cases": count(sut, "notify", "SELECT count(*) FROM notify_cases"),
              "done_in_reporting": count(sut, "reporting", DONE),
              "received_events": count(sut, "reporting", "SELECT count(*) FROM event_log "
                                       "WHERE type = 'intake.feedback_received'")}
    dead = {q: len(asyncio.run(dead_letters(sut.amqp_url, q))) for q in DLQS}
    report(f"{what} when {at} of {cases} cases were done", **counts, dead_letters=dead)
    assert at < cases
    assert all(v == cases for v in counts.values()), counts
    assert sum(dead.values()) == 0
    for name in sut.procs:
        assert sut.procs[name].poll() is None, f"{name} exited"


def test_rabbitmq_restarted_mid_stream(system):
    def restart() -> None:
        _run("rabbitmqctl", "stop_app")
        time.sleep(5)
        _run("rabbitmqctl", "start_app")

    _flow_and_check(system, size(1000, 10_000), restart,
                    "rabbitmqctl stop_app, 5 s, start_app")


def test_postgres_stopped_for_30_seconds(system):
    def outage() -> None:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "stop", "-m", "fast")
        time.sleep(30)
        _run("pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start")

    _flow_and_check(system, size(1000, 5000 if FULL else 1000), outage,
                    "PostgreSQL stopped for 30 s, then started")
