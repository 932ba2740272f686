"""Fixtures for real RabbitMQ and PostgreSQL. Without them the tests that need them are skipped,
unless DVK_REQUIRE_SERVICES=1 (CI), where a missing service fails the run."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from shared.testing.system import SystemUnderTest

RABBIT_HOST = os.environ.get("DVK_TEST_RABBIT_HOST", "127.0.0.1")
PG_ADMIN_URL = os.environ.get("DVK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE = os.environ.get("DVK_REQUIRE_SERVICES") == "1"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _need(service: str, ok: bool) -> None:
    if ok:
        return
    if REQUIRE:
        pytest.fail(f"{service} is required (DVK_REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{service} not reachable; run `make services` or start it")


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def amqp_url() -> Iterator[str]:
    """A fresh RabbitMQ virtual host per test: no queue or message leaks between tests."""
    _need("RabbitMQ", _reachable(RABBIT_HOST, 5672))
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is needed to create a test virtual host")
    vhost = f"dvk-test-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"amqp://guest:guest@{RABBIT_HOST}:5672/{quote(vhost, safe='')}"
    _rabbitmqctl("delete_vhost", vhost)


def _pg_reachable() -> bool:
    from sqlalchemy.engine import make_url

    url = make_url(PG_ADMIN_URL)
    return _reachable(url.host or "127.0.0.1", url.port or 5432)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database per test; yields its SQLAlchemy asyncpg URL."""
    _need("PostgreSQL", _pg_reachable())
    name = f"dvk_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    yield f"{base}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """Store tests run on both databases."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    else:
        yield request.getfixturevalue("postgres_database")


@pytest.fixture
def sqlite_system(amqp_url, tmp_path):
    """The four services as processes on SQLite in tmp_path, migrated and started."""
    sut = SystemUnderTest(amqp_url=amqp_url, data_dir=tmp_path)
    sut.migrate()
    sut.start()
    yield sut
    sut.stop()
