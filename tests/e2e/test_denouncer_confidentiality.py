"""A denunciation through the whole system: the denouncer's name, phone and id number appear
nowhere in the events on dvk.events, the four services' logs, or any database file."""

import asyncio
import json
import time
from pathlib import Path

import aio_pika
import pytest

from shared.testing.factories import feedback_payload, update_payload
from shared.testing.system import SystemUnderTest, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker]

NAME, PHONE, NATIONAL_ID = "Hoàng Thị Mỹ Duyên", "0913 468 579", "042196007788"
SECRETS = [NAME, PHONE, "0913468579", "0913.468.579", NATIONAL_ID, "duyen.ht@example.vn"]


def _denunciation() -> dict:
    return feedback_payload(
        kind="to_cao", external_id="TC-E2E-1",
        sender={"name": NAME, "phone": PHONE, "national_id": NATIONAL_ID,
                "email": "duyen.ht@example.vn", "address": "Xóm 7, xã Sơn Kim 1",
                "consent_to_contact": True},
        subject=f"Tố cáo cán bộ (người tố cáo: {NAME})",
        content=f"Tôi là {NAME}, CCCD {NATIONAL_ID}, điện thoại 0913.468.579. Tôi tố cáo "
                "cán bộ phòng Người có công nhận tiền của gia đình chính sách.")


async def _spy(amqp_url: str) -> None:
    """A queue that keeps a copy of every event, as any integrating system may bind one."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("test.spy", durable=False, auto_delete=False)
        await queue.bind(await channel.get_exchange("dvk.events"), routing_key="#")


async def _publish(amqp_url: str, body: dict, routing_key: str, message_id: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("dvk.ingress")
        await exchange.publish(aio_pika.Message(
            json.dumps(body, ensure_ascii=False).encode(), message_id=message_id,
            content_type="application/json", delivery_mode=2), routing_key=routing_key)


async def _drain(queue: aio_pika.abc.AbstractQueue) -> list[bytes]:
    bodies = []
    while (message := await queue.get(fail=False, no_ack=True)) is not None:
        bodies.append(message.body)
    return bodies


def _events_seen(bodies: list[bytes]) -> set[str]:
    return {json.loads(b)["type"] for b in bodies}

# a service still starting answers nothing yet
STARTING = {"interval": 0.3, "tolerate": (Exception,)}


def test_denouncer_identity_appears_nowhere(amqp_url, tmp_path):
    system = SystemUnderTest(amqp_url=amqp_url, data_dir=tmp_path)
    system.migrate()
    asyncio.run(_spy(amqp_url))
    system.start()
    try:
        asyncio.run(_publish(amqp_url, _denunciation(), "feedback.submit.v1", "tc-1"))
        wait_until(lambda: system.get("reporting", "/v1/cases/PAKN-2026-000001").status_code
                   == 200, 60, "the case to reach reporting", **STARTING)
        accepted = update_payload("PAKN-2026-000001", "accepted", unit_code="THANH_TRA",
                                  note=f"Đã thụ lý đơn của {NAME}")
        asyncio.run(_publish(amqp_url, accepted, "feedback.update.v1", "tc-2"))
        wait_until(lambda: system.get("intake", "/v1/cases/PAKN-2026-000001").json()["status"]
                   == "accepted", 60, "the acceptance", **STARTING)
        time.sleep(3)
    finally:
        system.stop()
    bodies = asyncio.run(_collect(amqp_url))
    assert {"intake.feedback_received", "routing.case_assigned",
            "intake.case_status_changed"} <= _events_seen(bodies)
    places = {"events": b"\n".join(bodies), **_logs(tmp_path), **_databases(tmp_path)}
    print(f"checked {len(bodies)} events, {len(places) - 1} logs and database files")
    for where, content in places.items():
        for secret in SECRETS:
            assert secret.encode() not in content, f"{secret!r} found in {where}"


async def _collect(amqp_url: str) -> list[bytes]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        return await _drain(await channel.get_queue("test.spy"))


def _logs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.log")}


def _databases(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()
            if p.suffix in {".db", ".db-wal", ".db-shm"} or p.name.endswith(("-wal", "-shm"))}
