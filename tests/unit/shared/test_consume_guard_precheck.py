"""The guard's schema-version precheck: what it says, and that it leaves intake's ingress alone."""

import json
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker

from shared.errors import UnknownSchemaVersion
from shared.messaging.guard import (FAULT_FAIL_REF_ENV, ConsumeGuard, check_schema_version,
                                    reads_any_body)

EVENT = "intake.feedback_received"  # an event type this system knows, at version 1


class DeadLetters:
    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, raw: Any, queue: str, headers: dict[str, Any]) -> None:
        self.items.append((queue, headers))


def _body(version: Any, message_type: str = EVENT) -> bytes:
    return json.dumps({"event_id": "e-1", "type": message_type, "schema_version": version,
                       "data": {}}).encode()


@pytest.mark.parametrize(("version", "says"), [
    ("1", "schema_version of intake.feedback_received must be a whole number, not a string "
          "('1'); this consumer reads version 1"),
    (True, "not a boolean (True)"),
    ([1], "not an array ([1])"),
    (2, "unknown schema version 2 of intake.feedback_received (this consumer reads version 1)"),
    (1.5, "unknown schema version 1.5"),
])
def test_the_reason_says_what_is_wrong_with_the_version(version, says):
    with pytest.raises(UnknownSchemaVersion) as caught:
        check_schema_version(_body(version))
    assert says in str(caught.value)


@pytest.mark.parametrize("body", [_body(1), _body(None), _body("1", "feedback.submit"),
                                  b'{"type": "intake.feedback_received"}', b"[" * 100_000,
                                  b"not json", b"[1]"])
def test_left_to_the_contract_parser(body):
    check_schema_version(body)  # a known version, a missing one, a command, not an envelope


async def test_an_event_subscriber_dead_letters_a_string_version_with_a_clear_reason():
    dead = DeadLetters()
    broker = RabbitBroker(middlewares=(ConsumeGuard(dead_letter=dead),), logger=None)

    @broker.subscriber("routing.cases")
    async def handle(body: dict) -> None: ...

    async with TestRabbitBroker(broker) as br:
        await br.publish(_body("1"), queue="routing.cases")
    [(queue, headers)] = dead.items
    assert queue == "routing.cases" and headers["x-dvk-error-type"] == "UnknownSchemaVersion"
    assert "must be a whole number, not a string ('1')" in headers["x-dvk-reason"]


async def test_an_event_nested_deeper_than_the_parser_goes_is_dead_lettered_at_once():
    dead, attempts = DeadLetters(), []
    broker = RabbitBroker(middlewares=(ConsumeGuard(dead_letter=dead),), logger=None)

    @broker.subscriber("reporting.events")
    async def handle(body: dict) -> None:
        attempts.append(body)

    async with TestRabbitBroker(broker) as br:
        await br.publish(b"[" * 100_000, queue="reporting.events")
    [(queue, headers)] = dead.items
    assert queue == "reporting.events" and headers["x-dvk-error-type"] == "RecursionError"
    assert attempts == []


async def test_a_subscriber_that_reads_any_body_gets_it_to_answer():
    dead, seen = DeadLetters(), []
    broker = RabbitBroker(middlewares=(ConsumeGuard(dead_letter=dead),), logger=None)

    ingress = reads_any_body(broker.subscriber("intake.ingress"))

    @ingress
    async def handle(body: dict) -> None:
        seen.append(body)

    async with TestRabbitBroker(broker) as br:
        for version in ("1", 2):
            await br.publish(_body(version), queue="intake.ingress")
    assert dead.items == [] and len(seen) == 2


def test_only_a_subscriber_can_be_marked():
    broker = RabbitBroker(logger=None)

    @broker.subscriber("q")
    async def handle(body: bytes) -> None: ...

    with pytest.raises(TypeError, match="not a handler"):
        reads_any_body(handle)


async def test_fault_injection_still_applies_to_it(monkeypatch):
    monkeypatch.setenv(FAULT_FAIL_REF_ENV, "PAKN-2026-099999")
    dead = DeadLetters()
    broker = RabbitBroker(middlewares=(ConsumeGuard(dead_letter=dead, max_attempts=1),),
                          logger=None)
    ingress = reads_any_body(broker.subscriber("intake.ingress"))

    @ingress
    async def handle(body: bytes) -> None: ...

    async with TestRabbitBroker(broker) as br:
        await br.publish(b'{"ref": "PAKN-2026-099999"}', queue="intake.ingress")
    assert dead.items[0][1]["x-dvk-error-type"] == "InjectedFault"
