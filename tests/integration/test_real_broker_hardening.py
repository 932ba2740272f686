"""What integrating systems in other languages send that once stopped or lost messages, on a
real RabbitMQ with intake in-process (a fresh vhost per test). Found by the AMQP probe of
26/11/2026 (Node amqplib and pika clients)."""

import asyncio
import gzip
import json
import re
import time
import uuid

import aio_pika
import httpx
import pytest
from pamqp import constants

from shared.testing.factories import feedback_body, feedback_payload
from shared.testing.inprocess import eventually, running
from shared.testing.raw_amqp import publish_raw, raw_table

pytestmark = pytest.mark.broker
MICROS = int(time.time() * 1_000_000)  # a timestamp in µs: pamqp read it as the year ~58000
ID_1258 = "Hồ sơ-".encode("cp1258", errors="replace") + uuid.uuid4().hex[:8].encode()


async def _get(parts, path: str):
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://{parts.http_host}:{parts.http_port}{path}")
    return response.json() if response.status_code == 200 else None


async def _queue_counts(amqp_url: str, name: str) -> tuple[int, int]:
    """(messages ready, consumers) from a passive declare."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, passive=True)
        result = queue.declaration_result
        return result.message_count, result.consumer_count


async def _ask(amqp_url: str, body: bytes, *, reply_to: str | None = None,
               routing_key: str = "feedback.submit.v1", timeout: float = 20.0,
               **message: object) -> dict:
    """Publishes to dvk.ingress with a reply queue (named `reply_to`, or a server-named one)
    and returns intake's answer and its correlation id."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        replies = await channel.declare_queue(reply_to or "", exclusive=True, auto_delete=True)
        ingress = await channel.get_exchange("dvk.ingress")
        correlation_id = str(uuid.uuid4())
        await ingress.publish(aio_pika.Message(
            body, message_id=str(uuid.uuid4()), correlation_id=correlation_id,
            reply_to=replies.name, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            **message), routing_key=routing_key)
        async with replies.iterator(timeout=timeout) as answers:
            async for answer in answers:
                await answer.ack()
                assert answer.correlation_id == correlation_id
                return json.loads(answer.body)
    raise AssertionError("no reply")


class Reconnects:
    """Counts drops of intake's AMQP connection (each one took every consumer down)."""

    def __init__(self, broker) -> None:
        self.count = 0
        broker._connection.close_callbacks.add(self._on)
        broker._connection.reconnect_callbacks.add(self._on)

    def _on(self, *_: object) -> None:
        self.count += 1


@pytest.mark.parametrize("properties", [
    pytest.param({"message_id": ID_1258}, id="message_id-in-windows-1258"),
    pytest.param({"message_id": str(uuid.uuid4()), "timestamp": MICROS},
                 id="timestamp-in-microseconds"),
    pytest.param({"message_id": ID_1258, "timestamp": MICROS,
                  "headers": raw_table((b"ng\xf5\xf5i-g\xf5i", b"t\x01"))},
                 id="all-and-a-header-name-in-windows-1258"),
])
async def test_unreadable_properties_are_consumed_and_the_next_message_flows(
        amqp_url, tmp_path, properties):
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        drops = Reconnects(parts["intake"].broker)
        body = feedback_body()
        for _ in range(2):  # the same message again: its id reads the same, one case
            await publish_raw(amqp_url, body, exchange="dvk.ingress",
                              routing_key="feedback.submit.v1", content_type="application/json",
                              **properties)
        await publish_raw(amqp_url, b'{"kind": "to_cao"}', exchange="dvk.ingress",
                          routing_key="feedback.submit.v1", **properties)  # invalid: kept
        await publish_raw(amqp_url, feedback_body(), exchange="dvk.ingress",
                          routing_key="feedback.submit.v1", message_id="good-behind")
        assert await eventually(lambda: _get(parts["intake"], "/v1/cases/PAKN-2026-000002"),
                                timeout=20)
        first = await _get(parts["intake"], "/v1/cases/PAKN-2026-000001")
        third = await _get(parts["intake"], "/v1/cases/PAKN-2026-000003")
        rejected = await _get(parts["intake"], "/v1/rejected")
        counts = {q: await _queue_counts(amqp_url, q)
                  for q in ("intake.ingress", "intake.assignments", "intake.ingress.dlq")}
        assert drops.count == 0
    assert first["subject"] == json.loads(body)["subject"] and third is None
    [kept] = rejected
    sent_id = properties["message_id"]
    assert kept["message_id"] == (sent_id if isinstance(sent_id, str)
                                  else sent_id.decode("utf-8", errors="backslashreplace"))
    assert counts == {"intake.ingress": (0, 1), "intake.assignments": (0, 1),
                      "intake.ingress.dlq": (0, 0)}


async def test_a_reply_to_with_a_bar_is_answered_and_the_command_not_dead_lettered(
        amqp_url, tmp_path, monkeypatch):
    # RabbitMQ takes any queue name, as Node's amqplib does; pamqp checks a narrower pattern
    # on the client side, so this test's own declare and consume need it widened.
    monkeypatch.setitem(constants.DOMAIN_REGEX, "queue-name", re.compile(r"^[^\x00]*$"))
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        reply = await _ask(amqp_url, feedback_body(), reply_to="cong-dvc|replies",
                           content_type="application/json")
        marker = await _ask(amqp_url, feedback_body())
        await asyncio.sleep(1)  # a failed reply would be nacked and redelivered by now
        counts = {q: await _queue_counts(amqp_url, q)
                  for q in ("intake.ingress", "intake.ingress.dlq")}
        case = await _get(parts["intake"], "/v1/cases/PAKN-2026-000001")
    assert reply == {"status": "accepted", "ref": "PAKN-2026-000001", "errors": []}
    assert marker["ref"] == "PAKN-2026-000002" and case is not None
    assert counts == {"intake.ingress": (0, 1), "intake.ingress.dlq": (0, 0)}


async def test_an_envelope_of_an_event_with_a_string_version_is_answered_by_intake(amqp_url,
                                                                                   tmp_path):
    """Not dead-lettered by the consume guard's event precheck: intake's to judge and keep."""
    envelope = {"event_id": str(uuid.uuid4()), "type": "intake.feedback_received",
                "schema_version": "1", "occurred_at": "2026-11-26T08:00:00+07:00",
                "correlation_id": "c-1", "producer": "cong-dvc", "data": feedback_payload()}
    submit = {**envelope, "event_id": str(uuid.uuid4()), "type": "feedback.submit"}
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        refused = await _ask(amqp_url, json.dumps(envelope).encode(),
                             routing_key="intake.feedback_received.v1")
        accepted = await _ask(amqp_url, json.dumps(submit).encode())
        rejected = await _get(parts["intake"], "/v1/rejected")
        counts = await _queue_counts(amqp_url, "intake.ingress.dlq")
    assert refused["status"] == "rejected" and refused["errors"][0]["field"] == "type"
    assert "is an event, not an ingress command" in refused["errors"][0]["reason"]
    assert [r["id"] for r in rejected] == [refused["rejection_id"]]
    assert accepted["status"] == "accepted"
    assert counts == (0, 0)


async def test_a_gzip_body_is_read_and_an_unknown_encoding_is_refused_naming_it(amqp_url,
                                                                                tmp_path):
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        accepted = await _ask(amqp_url, gzip.compress(feedback_body()), content_encoding="gzip",
                              content_type="application/json")
        bomb = await _ask(amqp_url, gzip.compress(b" " * (8 * 1024 * 1024)),
                          content_encoding="gzip")
        brotli = await _ask(amqp_url, feedback_body(), content_encoding="br")
        rejected = await _get(parts["intake"], "/v1/rejected")
    assert accepted["status"] == "accepted"
    for refused in (bomb, brotli):
        assert refused["status"] == "rejected"
        assert [e["field"] for e in refused["errors"]] == ["content_encoding"]
    assert "inflates to more than" in bomb["errors"][0]["reason"]
    assert "'br' is not an encoding intake reads" in brotli["errors"][0]["reason"]
    assert {r["id"] for r in rejected} == {bomb["rejection_id"], brotli["rejection_id"]}
