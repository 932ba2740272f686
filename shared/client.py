"""What an integrating system or an operator does from outside: publish to dvk.ingress, look."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from shared.messaging.topology import INGRESS
from shared.settings import SERVICES, CommonSettings, load_settings
import contextlib

DEFAULT_ROUTING_KEY = "feedback.submit.v1"


def routing_key_for(document: dict[str, Any]) -> str:
    if {"type", "data"} <= document.keys():
        return f"{document['type']}.v{document.get('schema_version', 1)}"
    return DEFAULT_ROUTING_KEY


async def submit_file(path: Path, *, timeout: float = 30.0) -> dict[str, Any]:
    body = path.read_bytes()
    try:
        routing_key = routing_key_for(json.loads(body))
    except (json.JSONDecodeError, AttributeError):
        routing_key = DEFAULT_ROUTING_KEY  # intake will reject it with the reason
    return await publish_and_wait(body, routing_key=routing_key, timeout=timeout)


async def publish_and_wait(body: bytes, *, routing_key: str, timeout: float,
                           message_id: str | None = None,
                           amqp_url: str | None = None) -> dict[str, Any]:
    """Publishes persistently with confirms and waits for intake's reply on a private queue."""
    message_id = message_id or str(uuid.uuid4())
    connection = await aio_pika.connect(amqp_url or CommonSettings().amqp_url, timeout=10)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        replies = await channel.declare_queue(exclusive=True, auto_delete=True)
        exchange = await channel.get_exchange(INGRESS, ensure=True)
        await exchange.publish(aio_pika.Message(
            body, message_id=message_id, correlation_id=message_id, reply_to=replies.name,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=routing_key)
        try:
            return await asyncio.wait_for(_first_reply(replies), timeout)
        except TimeoutError:
            return {"status": "queued", "message_id": message_id}


async def _first_reply(queue: aio_pika.abc.AbstractQueue) -> dict[str, Any]:
    async with queue.iterator() as messages:
        async for message in messages:
            await message.ack()
            return json.loads(message.body)
    raise RuntimeError("reply queue closed")


STATUS_PATHS = {
    "intake": "/v1/cases/{ref}",
    "routing": "/v1/assignments/{ref}",
    "notify": "/v1/schedules/{ref}",
    "reporting": "/v1/cases/{ref}",
}


async def case_status(ref: str) -> dict[str, Any]:
    host = CommonSettings().http_host
    view: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=5) as client:
        for service in SERVICES:
            port = load_settings(service)[1].http_port
            url = f"http://{host}:{port}" + STATUS_PATHS[service].format(ref=ref)
            try:
                response = await client.get(url)
                view[service] = response.json() if response.status_code == 200 else {
                    "status_code": response.status_code, "detail": response.text[:300]}
            except httpx.HTTPError as exc:
                view[service] = {"error": f"không kết nối được ({type(exc).__name__})"}
    return view


async def publish_many_and_wait(items: list[tuple[str, bytes, str]], *, routing_key: str,
                                timeout: float, on_reply: Any = None,
                                amqp_url: str | None = None) -> dict[str, dict[str, Any]]:
    """Publishes (correlation id, body, message id) items with confirms and collects intake's
    replies by correlation id until all are in or the timeout passes."""
    replies: dict[str, dict[str, Any]] = {}
    connection = await aio_pika.connect(amqp_url or CommonSettings().amqp_url, timeout=10)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        exchange = await channel.get_exchange(INGRESS, ensure=True)
        done = asyncio.Event()

        async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                replies[message.correlation_id or ""] = json.loads(message.body)
                if on_reply is not None:
                    on_reply()
                if len(replies) >= len(items):
                    done.set()

        await queue.consume(collect)
        for start in range(0, len(items), 100):
            await asyncio.gather(*(exchange.publish(aio_pika.Message(
                body, message_id=message_id, correlation_id=corr, reply_to=queue.name,
                content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key=routing_key) for corr, body, message_id in items[start:start + 100]))
        if items:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), timeout)
    return replies
