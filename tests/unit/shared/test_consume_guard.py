"""The consume guard, through FastStream's in-memory broker."""

import asyncio
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from sqlalchemy.exc import OperationalError

from shared.errors import PermanentError
from shared.messaging.group_commit import BatchAborted
from shared.messaging.guard import ConsumeGuard


class DeadLetters:
    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, raw: Any, queue: str, headers: dict[str, Any]) -> None:
        self.items.append((queue, headers))


def _broker(dead: DeadLetters, **kw: Any) -> RabbitBroker:
    return RabbitBroker(middlewares=(ConsumeGuard(dead_letter=dead, max_backoff=0.01, **kw),),
                        logger=None)


async def test_invalid_payload_is_dead_lettered_with_the_field_named():
    dead = DeadLetters()
    broker = _broker(dead)

    @broker.subscriber("q")
    async def handle(body: dict[str, int]) -> None: ...

    async with TestRabbitBroker(broker) as br:
        await br.publish({"count": "many"}, queue="q")
    [(queue, headers)] = dead.items
    assert queue == "q"
    assert headers["x-dvk-error-type"] == "ValidationError"
    assert "count" in headers["x-dvk-reason"]
    assert "many" not in headers["x-dvk-reason"]


async def test_permanent_error_is_dead_lettered_at_once():
    dead = DeadLetters()
    broker = _broker(dead)

    @broker.subscriber("q")
    async def handle(body: dict) -> None:
        raise PermanentError("case PAKN-2026-000001 cannot be assigned: unit retired")

    async with TestRabbitBroker(broker) as br:
        await br.publish({}, queue="q")
    assert dead.items[0][1]["x-dvk-attempts"] == 1
    assert "unit retired" in dead.items[0][1]["x-dvk-reason"]


async def test_transient_fault_is_retried_until_it_passes():
    dead = DeadLetters()
    broker = _broker(dead)
    calls: list[int] = []

    @broker.subscriber("q")
    async def handle(body: dict) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError())

    async with TestRabbitBroker(broker) as br:
        await br.publish({}, queue="q")
    assert len(calls) == 3
    assert dead.items == []


async def test_message_undone_by_another_in_its_transaction_is_run_again_at_once():
    dead = DeadLetters()
    broker = RabbitBroker(middlewares=(ConsumeGuard(dead_letter=dead, max_backoff=60.0),),
                          logger=None)
    calls: list[int] = []

    @broker.subscriber("q")
    async def handle(body: dict) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise BatchAborted("another message of the same transaction failed")

    async with TestRabbitBroker(broker) as br:
        await asyncio.wait_for(br.publish({}, queue="q"), timeout=2)  # no back-off
    assert len(calls) == 3
    assert dead.items == []


async def test_unexpected_error_is_redelivered_until_the_last_attempt():
    dead = DeadLetters()
    broker = _broker(dead, max_attempts=5)

    @broker.subscriber("q")
    async def handle(body: dict) -> None:
        raise RuntimeError("boom")

    async with TestRabbitBroker(broker) as br:
        with pytest.raises(RuntimeError):  # attempt 1 of 5: nacked for redelivery
            await br.publish({}, queue="q")
        assert dead.items == []
        await br.publish({}, queue="q", headers={"x-delivery-count": 4})  # attempt 5 of 5
    [(_, headers)] = dead.items
    assert headers["x-dvk-attempts"] == 5 and headers["x-dvk-reason"] == "RuntimeError: boom"
