"""`dvk ops queues` on a real broker's management API: the probe's exit code follows the
consumers and the dead letters (the API's statistics lag a few seconds, hence the polling)."""

from __future__ import annotations

from contextlib import asynccontextmanager

import aio_pika
import pytest

from shared.messaging.declare import wait_and_declare
from shared.messaging.topology import QUEUES
from shared.testing.inprocess import eventually

from .conftest import publish

pytestmark = pytest.mark.broker


async def _hold(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    """Neither acks nor rejects: the message stays unacked on the consumer."""


@asynccontextmanager
async def consuming_every_work_queue(amqp_url: str):
    """A consumer on each work queue, as the running services would have (it acks nothing)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for spec in QUEUES:
            queue = await channel.declare_queue(spec.name, passive=True)
            await queue.consume(_hold)
        yield


async def test_probe_fails_without_consumers_passes_with_them_fails_on_dead_letters(
        amqp_url, ops, management_api):
    await wait_and_declare(amqp_url, attempts=1)
    nobody = await eventually(lambda: _exit_code_is(ops, 1), timeout=30, interval=1)
    async with consuming_every_work_queue(amqp_url):
        healthy = await eventually(lambda: _exit_code_is(ops, 0), timeout=30, interval=1)
        await publish(amqp_url, b'{"event_id": "x"}', exchange="dvk.dlx",
                      routing_key="routing.cases", message_id="poison-1")
        poisoned = await eventually(lambda: _exit_code_is(ops, 1), timeout=30, interval=1)
        watched = await ops("queues", "--watch", "--interval", "0.1", "--iterations", "2")
        as_json = await ops.json("queues")
    assert all(f"{spec.name} không có consumer" in nobody.output for spec in QUEUES)
    assert "không có thư chết" in healthy.output
    assert "routing.cases.dlq có 1 thư chết" in poisoned.output
    rows = {row["name"]: row for row in as_json["queues"]}
    assert rows["routing.cases"]["dead_letters"] == 1 and rows["routing.cases"]["consumers"] == 1
    assert len(as_json["problems"]) == 1
    # two refreshes (click drops the clear-screen codes when the output is not a terminal)
    assert watched.exit_code == 1 and watched.output.count("vhost dvk-test-") == 2


async def _exit_code_is(ops, code: int):
    result = await ops("queues")
    return result if result.exit_code == code else None


async def test_probe_reports_an_unreachable_management_api(amqp_url, tmp_path, ops):
    ops.env["DVK_OPS_MANAGEMENT_URL"] = "http://127.0.0.1:9"
    result = await ops("queues")
    assert result.exit_code == 3
    assert "Không đọc được" in result.output
