"""The four services in-process on a real RabbitMQ (a fresh vhost per test)."""

import json
import unicodedata
import uuid

import aio_pika
import httpx
import pytest

from shared.testing.factories import feedback_body, feedback_payload, windows_1258
from shared.testing.inprocess import eventually, running

pytestmark = pytest.mark.broker
ALL = ("intake", "routing", "notify", "reporting")


async def _publish(amqp_url: str, body: bytes, *, routing_key="feedback.submit.v1",
                   message_id: str | None = None, exchange="dvk.ingress",
                   message_type: str | None = None, content_type="application/json",
                   headers: dict | None = None) -> None:
    """Plain aio-pika, as any integrating system would publish."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange)
        await target.publish(aio_pika.Message(
            body, message_id=message_id, content_type=content_type, type=message_type,
            headers=headers, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=routing_key)


async def _get(parts, path: str):
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://{parts.http_host}:{parts.http_port}{path}")
    return response.json() if response.status_code == 200 else None


async def test_same_message_twice_from_raw_aiopika_is_one_case(amqp_url, tmp_path):
    async with running(ALL, amqp_url=amqp_url, data_dir=tmp_path) as parts:
        body, message_id = feedback_body(kind="kien_nghi"), str(uuid.uuid4())
        await _publish(amqp_url, body, message_id=message_id)
        await _publish(amqp_url, body, message_id=message_id)
        await eventually(lambda: _scheduled(parts["reporting"]))
        await _publish(amqp_url, feedback_body(), message_id=str(uuid.uuid4()))  # a marker
        await eventually(lambda: _get(parts["reporting"], "/v1/cases/PAKN-2026-000002"))
        summary = await _get(parts["reporting"], "/v1/summary")
        case = await _get(parts["reporting"], "/v1/cases/PAKN-2026-000001")
        schedule = await _get(parts["notify"], "/v1/schedules/PAKN-2026-000001")
        assignment = await _get(parts["routing"], "/v1/assignments/PAKN-2026-000001")
    assert summary["received"] == 2 and summary["assigned"] >= 1
    assert [h["action"] for h in assignment["history"]] == ["assigned"]
    keys = [(i["kind"], i["step"]) for i in schedule["items"]]
    assert len(keys) == len(set(keys)) and case["reminders_scheduled"] == len(keys)


async def _scheduled(reporting_parts):
    case = await _get(reporting_parts, "/v1/cases/PAKN-2026-000001")
    return case and case["reminders_scheduled"] > 0


async def test_a_legacy_client_in_windows_1258_with_a_long_id_and_a_string_header(amqp_url,
                                                                                   tmp_path):
    """As an older .NET or Java system publishes: its own charset, an id of 250 characters, the
    schema version as a string header, a generic routing key with the type property."""
    payload = feedback_payload(kind="kien_nghi")
    body = windows_1258(json.dumps(payload, ensure_ascii=False))
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        for _ in range(2):
            await _publish(amqp_url, body, routing_key="legacy", message_type="feedback.submit",
                           message_id="urn:hotline:" + "7" * 238, headers={"x-schema-version": "1"},
                           content_type="application/json; charset=windows-1258")
        await _publish(amqp_url, feedback_body(), message_id="marker")  # 000002: the two were one
        await eventually(lambda: _get(parts["intake"], "/v1/cases/PAKN-2026-000002"))
        case = await _get(parts["intake"], "/v1/cases/PAKN-2026-000001")
        rejected = await _get(parts["intake"], "/v1/rejected")
    assert case["subject"] == unicodedata.normalize("NFC", payload["subject"])
    assert case["content"] == unicodedata.normalize("NFC", payload["content"])
    assert rejected == []


async def test_invalid_message_is_kept_and_the_next_one_flows(amqp_url, tmp_path):
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        await _publish(amqp_url, b'{"kind": "to_cao", "content": 42}', message_id="bad-1")
        await _publish(amqp_url, feedback_body(), message_id="good-1")
        await eventually(lambda: _get(parts["intake"], "/v1/cases/PAKN-2026-000001"))
        rejected = await _get(parts["intake"], "/v1/rejected")
    [kept] = rejected
    assert kept["message_id"] == "bad-1"
    assert {"data.content", "data.source_system"} <= {e["field"] for e in kept["errors"]}


async def test_poison_event_is_dead_lettered_with_its_reason(amqp_url, tmp_path):
    async with running(("routing",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        await _publish(amqp_url, b'{"event_id": "x"}', routing_key="intake.feedback_received.v1",
                       message_id="poison-1", exchange="dvk.events",
                       message_type="intake.feedback_received")
        dead = await eventually(lambda: _get_one(amqp_url, "routing.cases.dlq"))
        assert parts["routing"].broker is not None
    assert dead.message_id == "poison-1"
    assert dead.headers["x-dvk-error-type"] == "ValidationError"
    assert "data" in dead.headers["x-dvk-reason"]
    assert dead.headers["x-dvk-original-routing-key"] == "intake.feedback_received.v1"
    assert json.loads(dead.body) == {"event_id": "x"}


async def test_event_of_a_type_nobody_handles_is_dead_lettered(amqp_url, tmp_path):
    async with running(("routing",), amqp_url=amqp_url, data_dir=tmp_path):
        await _publish(amqp_url, b'{"type": "intake.feedback_teleported"}',
                       routing_key="intake.feedback_received.v1", message_id="odd-1",
                       exchange="dvk.events")
        dead = await eventually(lambda: _get_one(amqp_url, "routing.cases.dlq"))
    assert dead.headers["x-dvk-error-type"] == "SubscriberNotFound"


async def _get_one(amqp_url: str, queue_name: str):
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        message = await queue.get(fail=False)
        if message is not None:
            await message.ack()
        return message


async def test_every_command_kind_through_raw_aiopika_is_answered(amqp_url, tmp_path):
    from shared.client import publish_and_wait
    from shared.testing.factories import movement_payloads, progress_payload

    commands = {**movement_payloads(), "task.progress.v1": progress_payload()}
    order = ["movement.model_review.v1", "movement.model_register.v1", "task.progress.v1",
             "movement.session_record.v1", "movement.inspection_record.v1", "report.request.v1"]
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path):
        replies = {key: await publish_and_wait(
            json.dumps(commands[key], ensure_ascii=False).encode(), routing_key=key,
            timeout=20, amqp_url=amqp_url) for key in order}
        again = await publish_and_wait(
            json.dumps(commands["movement.session_record.v1"], ensure_ascii=False).encode(),
            routing_key="movement.session_record.v1", timeout=20, amqp_url=amqp_url)
    assert replies["movement.model_review.v1"]["status"] == "pending"  # before its model
    assert all(replies[k]["status"] == "accepted" for k in order[1:]), replies
    assert again["status"] == "duplicate"
