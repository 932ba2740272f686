"""The four services as processes: feedback in, a status update, a report requested on
dvk.ingress; reporting builds it from its own read model and keeps the files."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import aio_pika
import pytest

from shared.testing.factories import feedback_body, movement_payloads, update_payload
from shared.testing.system import SystemUnderTest, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker]


async def _publish(amqp_url: str, routing_key: str, body: bytes) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("dvk.ingress")
        await exchange.publish(aio_pika.Message(
            body, message_id=str(uuid.uuid4()), content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=routing_key)


def _json(system: SystemUnderTest, path: str):
    response = system.get("reporting", path)
    return response.json() if response.status_code == 200 else None


def test_a_requested_report_counts_what_happened(sqlite_system, tmp_path):
    send = lambda key, body: asyncio.run(_publish(sqlite_system.amqp_url, key, body))  # noqa: E731
    for seed in range(3):
        send("feedback.submit.v1", feedback_body(kind="kien_nghi", seed=seed))
    wait_until(lambda: (_json(sqlite_system, "/v1/summary") or {}).get("assigned") == 3, 90,
               "three cases assigned and projected")
    ref = "PAKN-2026-000001"
    unit = _json(sqlite_system, f"/v1/cases/{ref}")["unit_code"]
    for status in ("accepted", "resolved"):
        send("feedback.update.v1", json.dumps(update_payload(
            ref, status, unit_code=unit, resolution={"result": "da_tra_loi"}
            if status == "resolved" else None)).encode())
    wait_until(lambda: (_json(sqlite_system, f"/v1/cases/{ref}") or {}).get("closed_on"), 60,
               "the resolution to reach reporting")
    request = {**movement_payloads()["report.request.v1"], "period": "2026-11"}
    send("report.request.v1", json.dumps(request).encode())

    (report,) = wait_until(lambda: _json(sqlite_system, "/v1/reports"), 120,
                           "the report to be built")
    files = {f["format"]: Path(f["path"]) for f in report["files"]}
    content = json.loads(files["json"].read_text(encoding="utf-8"))
    assert report["status"] == "done" and report["trigger"] == "request"
    assert files["docx"].is_relative_to(tmp_path / "reports") and files["docx"].stat().st_size
    assert content["feedback"]["received_total"] == 3
    assert content["feedback"]["handled"] == 1 and content["feedback"]["open"] == 2
