"""Helpers for the `dvk ops` tests: run the CLI as an operator would, publish, look at queues."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from typer.testing import CliRunner

from shared.ops.cli import app


class Ops:
    """`dvk ops ...` against the test's vhost; runs in a thread (the CLI has its own loop)."""

    def __init__(self, amqp_url: str, data_dir: Path, intake_url: str = "") -> None:
        self.audit_log = data_dir / "ops-audit.jsonl"
        self.env = {"DVK_AMQP_URL": amqp_url, "DVK_OPS_AUDIT_LOG": str(self.audit_log),
                    "DVK_OPS_OPERATOR": "cv.vanhanh", "DVK_DATA_DIR": str(data_dir)}
        if intake_url:
            self.env["DVK_OPS_INTAKE_URL"] = intake_url

    async def __call__(self, *args: str) -> Any:
        return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=self.env)

    async def json(self, *args: str) -> Any:
        return await self.json_of(*args, "--json")

    async def json_of(self, *args: str) -> Any:
        """A command's JSON output (commands that print JSON without --json, too)."""
        result = await self(*args)
        assert result.exit_code in (0, 1), result.output
        return json.loads(without_service_logs(result.stdout))

    def audit(self) -> list[dict[str, Any]]:
        if not self.audit_log.exists():
            return []
        return [json.loads(line) for line in self.audit_log.read_text().splitlines()]


def without_service_logs(output: str) -> str:
    """The services run in this process and log to the stdout the CLI runner captures."""
    return "\n".join(line for line in output.splitlines()
                     if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[", line))


@pytest.fixture
def ops(amqp_url: str, tmp_path: Path) -> Ops:
    return Ops(amqp_url, tmp_path)


@pytest.fixture
def management_api() -> str:
    """RabbitMQ's management API (`make services` enables the plugin); skipped without it,
    failed when DVK_REQUIRE_SERVICES=1."""
    url = "http://127.0.0.1:15672"
    try:
        with socket.create_connection(("127.0.0.1", 15672), timeout=2):
            return url
    except OSError:
        if os.environ.get("DVK_REQUIRE_SERVICES") == "1":
            pytest.fail("RabbitMQ's management API is required but not reachable on :15672")
        pytest.skip("RabbitMQ's management plugin is off: rabbitmq-plugins enable "
                    "rabbitmq_management")


async def publish(amqp_url: str, body: bytes, *, exchange: str, routing_key: str,
                  message_id: str, message_type: str | None = None) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange)
        await target.publish(aio_pika.Message(
            body, message_id=message_id, content_type="application/json", type=message_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=routing_key)


async def depth(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0


async def drain(amqp_url: str, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Takes every message waiting in a queue (acked)."""
    taken = []
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        while (message := await declared.get(no_ack=True, fail=False)) is not None:
            taken.append(message)
    return taken
