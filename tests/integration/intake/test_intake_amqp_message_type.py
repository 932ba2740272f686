"""On a real RabbitMQ (the in-memory broker delivers by queue name, so a routing key on
dvk.ingress cannot be shown without one): a type property naming another dvk message type than
the routing key is refused naming `type` and kept; a type property that is a class name, as
Java and .NET clients set it, is no conflict."""

import json
import uuid

import aio_pika
import httpx
import pytest

from shared.testing.factories import feedback_body
from shared.testing.inprocess import running

pytestmark = pytest.mark.broker


async def _ask(amqp_url: str, body: bytes, *, routing_key: str, message_type: str) -> dict:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        replies = await channel.declare_queue("", exclusive=True, auto_delete=True)
        ingress = await channel.get_exchange("dvk.ingress")
        await ingress.publish(aio_pika.Message(
            body, message_id=str(uuid.uuid4()), type=message_type, reply_to=replies.name,
            content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=routing_key)
        async with replies.iterator(timeout=20) as answers:
            async for answer in answers:
                await answer.ack()
                return json.loads(answer.body)
    raise AssertionError("no reply")


async def test_a_conflicting_type_property_is_refused_and_a_class_name_is_not(amqp_url,
                                                                               tmp_path):
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path) as parts:
        conflicting = await _ask(amqp_url, feedback_body(), routing_key="feedback.update.v1",
                                 message_type="feedback.submit.v1")
        class_name = await _ask(amqp_url, feedback_body(), routing_key="feedback.submit.v1",
                                message_type="vn.hatinh.dvc.integration.FeedbackMessage")
        intake = parts["intake"]
        async with httpx.AsyncClient() as client:
            rejected = (await client.get(
                f"http://{intake.http_host}:{intake.http_port}/v1/rejected")).json()
    assert conflicting["status"] == "rejected"
    [error] = conflicting["errors"]
    assert error["field"] == "type"
    assert error["reason"].startswith(
        "type 'feedback.submit.v1' but routing key 'feedback.update.v1'")
    assert [(r["id"], r["routing_key"]) for r in rejected] == [
        (conflicting["rejection_id"], "feedback.update.v1")]
    assert class_name["status"] == "accepted" and class_name["ref"] == "PAKN-2026-000001"
