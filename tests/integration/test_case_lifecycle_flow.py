"""A case's life across intake and routing on a real broker: accepted, extended, transferred."""

import json

import aio_pika
import httpx
import pytest

from shared.testing.factories import feedback_payload, update_payload
from shared.testing.inprocess import eventually, running

pytestmark = pytest.mark.broker
REF = "PAKN-2026-000001"


async def _publish(amqp_url: str, payload: dict, routing_key: str) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("dvk.ingress")
        await exchange.publish(aio_pika.Message(json.dumps(payload, ensure_ascii=False).encode(),
                                                content_type="application/json"),
                               routing_key=routing_key)


async def _json(parts, path: str):
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://{parts.http_host}:{parts.http_port}{path}")
    return response.json() if response.status_code == 200 else None


async def test_status_updates_move_deadlines_and_units(amqp_url, tmp_path):
    complaint = feedback_payload(kind="khieu_nai", subject="Khiếu nại quyết định thu hồi trợ cấp",
                                 content="Khiếu nại quyết định thu hồi trợ cấp xã hội hằng tháng.")
    async with running(("intake", "routing"), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        await _publish(amqp_url, complaint, "feedback.submit.v1")
        first = await eventually(lambda: _json(parts["routing"], f"/v1/assignments/{REF}"))
        unit = first["unit_code"]
        await eventually(lambda: _holder_is(parts["intake"], unit))
        await _publish(amqp_url, update_payload(REF, "accepted", unit_code=unit),
                       "feedback.update.v1")
        accepted = await eventually(lambda: _step_counted_from_acceptance(parts["routing"]))
        await _publish(amqp_url, update_payload(REF, "transferred", unit_code=unit),
                       "feedback.update.v1")
        moved = await eventually(lambda: _unit_is(parts["routing"], "NGUOI_CO_CONG"))
        await eventually(lambda: _holder_is(parts["intake"], "NGUOI_CO_CONG"))
    assert accepted and [h["action"] for h in moved["history"]] == ["assigned", "transferred"]


async def _holder_is(intake_parts, unit: str):
    case = await _json(intake_parts, f"/v1/cases/{REF}")
    return case and case["holder_unit"] == unit and case


async def _unit_is(routing_parts, unit: str):
    assignment = await _json(routing_parts, f"/v1/assignments/{REF}")
    return assignment and assignment["unit_code"] == unit and assignment


async def _step_counted_from_acceptance(routing_parts):
    assignment = await _json(routing_parts, f"/v1/assignments/{REF}")
    steps = {d["step"]: d for d in assignment["deadlines"]}
    resolve = steps.get("giai_quyet")
    return resolve and not resolve["provisional"] and resolve
