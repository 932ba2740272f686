"""reporting in-process on a real RabbitMQ: a report request builds the files and announces them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import aio_pika
import httpx
import pytest

from shared.contracts.base import make_envelope
from shared.contracts.plan import ReportRequested
from shared.testing.factories import received_event
from shared.testing.inprocess import eventually, running

pytestmark = pytest.mark.broker


async def publish(channel: aio_pika.abc.AbstractChannel, envelope) -> None:
    exchange = await channel.get_exchange("dvk.events")
    await exchange.publish(aio_pika.Message(
        envelope.model_dump_json().encode(), message_id=envelope.event_id, type=envelope.type,
        content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
        routing_key=envelope.routing_key)


async def get(parts, path: str):
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://{parts.http_host}:{parts.http_port}{path}")
    return response.json() if response.status_code == 200 else None


async def next_message(queue: aio_pika.abc.AbstractQueue) -> aio_pika.abc.AbstractIncomingMessage:
    async def poll():
        return await queue.get(fail=False, no_ack=True)
    return await eventually(poll, timeout=60)


def request(scope: str = "department") -> ReportRequested:
    return ReportRequested(family="dan_van_kheo", period="2026-11", scope=scope,
                           requested_by="Văn phòng Sở")


async def test_a_request_builds_once_and_announces_its_files(amqp_url, tmp_path):
    async with running(("reporting",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        reporting = parts["reporting"]
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            generated = await channel.declare_queue(exclusive=True)
            await generated.bind("dvk.events", "reporting.report_generated.v1")
            for i in range(3):
                await publish(channel, make_envelope(received_event(f"PAKN-2026-00010{i}"),
                                                     producer="intake"))
            await eventually(lambda: _received(reporting, 3))
            figures = await get(reporting, "/v1/figures?period=2026-11")
            tcd = await get(reporting, "/v1/figures?period=2026-11&family=tiep_cong_dan")
            refused = await _status(reporting, "/v1/figures?period=2026-13")
            asked = make_envelope(request(), producer="intake")
            await publish(channel, asked)
            await publish(channel, asked)  # redelivered: built once
            message = await next_message(generated)
            reports = await eventually(lambda: get(reporting, "/v1/reports"))
    assert figures["feedback"]["received_total"] == 3 and figures["plan_sections"]
    assert tcd["data_period"]["end"] == "2026-11-14" and tcd["feedback"]["received_total"] == 0
    assert refused == 422
    event = json.loads(message.body)
    assert event["causation_id"] == asked.event_id
    assert event["correlation_id"] == asked.correlation_id
    assert [r["report_id"] for r in reports] == [event["data"]["report_id"]]
    content = check_files(event["data"]["files"], tmp_path / "reports")
    assert content["feedback"]["received_total"] == 3


def check_files(files: list[dict], folder: Path) -> dict:
    """Every announced file is where it says, with its checksum; returns the JSON content."""
    assert {f["format"] for f in files} == {"docx", "xlsx", "json", "png"}
    for file in files:
        path = Path(file["path"])
        assert path.is_relative_to(folder)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == file["sha256"]
    return json.loads(next(Path(f["path"]) for f in files if f["format"] == "json")
                      .read_text(encoding="utf-8"))


async def _status(parts, path: str) -> int:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"http://{parts.http_host}:{parts.http_port}{path}")
                ).status_code


async def _received(parts, n: int) -> bool:
    summary = await get(parts, "/v1/summary")
    return bool(summary) and summary["received"] == n


async def test_a_request_for_an_unknown_unit_is_dead_lettered_with_its_reason(amqp_url,
                                                                             tmp_path):
    async with running(("reporting",), amqp_url=amqp_url, data_dir=tmp_path):
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await publish(channel, make_envelope(request(scope="KHONG_CO"), producer="intake"))
            dlq = await channel.get_queue("reporting.requests.dlq")
            message = await next_message(dlq)
    assert "unknown unit" in message.headers["x-dvk-reason"]
    assert not (tmp_path / "reports").exists()
