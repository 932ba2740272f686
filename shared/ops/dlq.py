"""Dead-letter queues over AMQP: look without taking, replay to where a message came from, or
discard with a reason. A replay is published with confirms before its dead-letter copy is acked;
whatever is not selected goes back to its queue untouched when the channel closes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from shared.contracts.base import utc_now

from .audit import AuditLog
from .deadletters import DeadLetter, Selection, from_message, replay_headers

Held = list[tuple[AbstractIncomingMessage, DeadLetter]]


class NothingSelected(ValueError):
    """An edited replay must name exactly one dead letter."""


@dataclass(frozen=True)
class Outcome:
    letter: DeadLetter
    done: bool
    detail: str


class DeadLetterStore:
    def __init__(self, amqp_url: str, *, audit: AuditLog) -> None:
        self._amqp_url = amqp_url
        self._audit = audit

    async def peek(self, dead_letter_queues: Sequence[str]) -> list[DeadLetter]:
        async with self._holding(dead_letter_queues) as (_, held):
            return [letter for _, letter in held]

    async def replay(self, dead_letter_queues: Sequence[str], selection: Selection, *,
                     edited_body: bytes | None = None) -> list[Outcome]:
        async with self._holding(dead_letter_queues) as (channel, held):
            chosen = [(m, letter) for m, letter in held if selection.matches(letter)]
            if edited_body is not None and len(chosen) != 1:
                raise NothingSelected(f"an edited replay needs exactly one dead letter, "
                                      f"{len(chosen)} match")
            return [await self._replay_one(channel, message, letter, edited_body)
                    for message, letter in chosen]

    async def discard(self, dead_letter_queues: Sequence[str], selection: Selection, *,
                      reason: str) -> list[Outcome]:
        if not reason.strip():
            raise ValueError("a discard needs a reason")
        async with self._holding(dead_letter_queues) as (_, held):
            outcomes = []
            for message, letter in held:
                if selection.matches(letter):
                    self._audit.record("discard", reason=reason, **_audit_fields(letter))
                    await message.ack()
                    outcomes.append(Outcome(letter, True, "đã hủy"))
            return outcomes

    async def _replay_one(self, channel: AbstractChannel, message: AbstractIncomingMessage,
                          letter: DeadLetter, edited_body: bytes | None) -> Outcome:
        if not letter.original_exchange and not letter.original_routing_key:
            return Outcome(letter, False, "không rõ nơi gửi ban đầu; không gửi lại")
        exchange = (await channel.get_exchange(letter.original_exchange, ensure=True)
                    if letter.original_exchange else channel.default_exchange)
        edited = edited_body is not None
        await exchange.publish(_message(letter, edited_body, edited=edited),
                               routing_key=letter.original_routing_key, mandatory=False)
        self._audit.record("replay-edited" if edited else "replay",
                           target=f"{letter.original_exchange or '(default)'} "
                                  f"{letter.original_routing_key}", **_audit_fields(letter))
        await message.ack()  # only once the broker confirmed the replay
        return Outcome(letter, True, f"đã gửi lại tới {letter.original_exchange or '(default)'}"
                                     f" với khóa {letter.original_routing_key}")

    @asynccontextmanager
    async def _holding(self, dead_letter_queues: Sequence[str]
                       ) -> AsyncIterator[tuple[AbstractChannel, Held]]:
        connection = await aio_pika.connect(self._amqp_url, timeout=10)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            held: Held = []
            for name in dead_letter_queues:
                held += await _take_all(channel, name)
            yield channel, held
            await channel.close()  # what was not acked returns to its queue


async def _take_all(channel: AbstractChannel, name: str) -> Held:
    queue = await channel.declare_queue(name, passive=True)
    waiting = queue.declaration_result.message_count or 0
    held: Held = []
    for _ in range(waiting):
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        held.append((message, from_message(message, name)))
    return held


def _message(letter: DeadLetter, edited_body: bytes | None, *, edited: bool) -> aio_pika.Message:
    properties: dict[str, Any] = {k: v for k, v in letter.properties.items() if v is not None}
    properties.setdefault("delivery_mode", aio_pika.DeliveryMode.PERSISTENT)
    return aio_pika.Message(edited_body if edited_body is not None else letter.body,
                            headers=replay_headers(letter, edited=edited, now=utc_now()),
                            **properties)


def _audit_fields(letter: DeadLetter) -> dict[str, Any]:
    return {"queue": letter.queue, "dead_letter_id": letter.id,
            "message_id": letter.message_id, "message_type": letter.message_type,
            "dead_letter_reason": letter.reason, "error_type": letter.error_type}
