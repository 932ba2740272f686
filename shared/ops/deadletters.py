"""Dead letters as operators see them: read from a `<queue>.dlq` message, grouped by queue and
reason, and turned back into the message to replay. Pure: no broker here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Headers the consume guard or the broker added when the message died; a replay drops them
# (x-delivery-count included, or the guard would count the old attempts against the replay).
DEATH_HEADERS = frozenset({
    "x-dvk-reason", "x-dvk-error-type", "x-dvk-attempts", "x-dvk-failed-at",
    "x-dvk-original-exchange", "x-dvk-original-routing-key", "x-dvk-queue",
    "x-death", "x-first-death-reason", "x-first-death-queue", "x-first-death-exchange",
    "x-last-death-reason", "x-last-death-queue", "x-last-death-exchange", "x-delivery-count",
})
# Properties a replay keeps. user_id is not kept: RabbitMQ checks it against the publisher.
REPLAYED_PROPERTIES = ("content_type", "content_encoding", "delivery_mode", "priority",
                       "correlation_id", "reply_to", "expiration", "message_id", "timestamp",
                       "type", "app_id")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _short_hash(*parts: Any, size: int = 12) -> str:
    digest = hashlib.sha256("\x00".join(_text(p) for p in parts).encode())
    return digest.hexdigest()[:size]


@dataclass(frozen=True)
class DeadLetter:
    id: str
    queue: str
    reason: str
    error_type: str
    attempts: int | None
    failed_at: datetime | None
    original_exchange: str
    original_routing_key: str
    message_id: str
    message_type: str
    headers: dict[str, Any]
    properties: dict[str, Any]
    body: bytes

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dlq"

    @property
    def group_id(self) -> str:
        return group_id(self.queue, self.reason)


def group_id(queue: str, reason: str) -> str:
    return "g" + _short_hash(queue, reason, size=8)


def from_message(message: Any, dead_letter_queue: str) -> DeadLetter:
    """`message`: anything with aio-pika's IncomingMessage attributes (body, headers, ...)."""
    headers = dict(message.headers or {})
    death = _latest_death(headers)
    queue = _text(headers.get("x-dvk-queue")) or dead_letter_queue.removesuffix(".dlq")
    failed_at = _parse_time(headers.get("x-dvk-failed-at")) or _parse_time(death.get("time"))
    properties = {name: getattr(message, name, None) for name in REPLAYED_PROPERTIES}
    body = bytes(message.body)
    return DeadLetter(
        id=_short_hash(queue, message.message_id, failed_at, hashlib.sha256(body).hexdigest()),
        queue=queue, reason=_reason(headers, death), error_type=_error_type(headers, death),
        attempts=_int(headers.get("x-dvk-attempts")) or _int(death.get("count")),
        failed_at=failed_at, original_exchange=_original_exchange(headers, death),
        original_routing_key=_original_routing_key(headers, death),
        message_id=_text(message.message_id), message_type=_text(message.type),
        headers=headers, properties=properties, body=body)


def _latest_death(headers: dict[str, Any]) -> dict[str, Any]:
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        return {_text(k): v for k, v in deaths[0].items()}  # the most recent death is first
    return {}


def _reason(headers: dict[str, Any], death: dict[str, Any]) -> str:
    if headers.get("x-dvk-reason"):
        return _text(headers["x-dvk-reason"])
    broker_reason = _text(death.get("reason") or headers.get("x-first-death-reason"))
    return f"RabbitMQ: {broker_reason}" if broker_reason else "(không rõ lý do)"


def _error_type(headers: dict[str, Any], death: dict[str, Any]) -> str:
    if headers.get("x-dvk-error-type"):
        return _text(headers["x-dvk-error-type"])
    return "broker" if death or headers.get("x-first-death-reason") else "unknown"


def _original_exchange(headers: dict[str, Any], death: dict[str, Any]) -> str:
    if "x-dvk-original-exchange" in headers:
        return _text(headers["x-dvk-original-exchange"])
    return _text(death.get("exchange") or headers.get("x-first-death-exchange"))


def _original_routing_key(headers: dict[str, Any], death: dict[str, Any]) -> str:
    if "x-dvk-original-routing-key" in headers:
        return _text(headers["x-dvk-original-routing-key"])
    keys = death.get("routing-keys") or []
    return _text(keys[0]) if keys else ""


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return datetime.fromisoformat(_text(value)) if value else None
    except ValueError:
        return None


@dataclass
class Group:
    id: str
    queue: str
    reason: str
    error_type: str
    letters: list[DeadLetter] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.letters)


def group(letters: Iterable[DeadLetter]) -> list[Group]:
    """By queue, then by reason; the largest groups of a queue first."""
    groups: dict[str, Group] = {}
    for letter in letters:
        found = groups.setdefault(letter.group_id, Group(
            letter.group_id, letter.queue, letter.reason, letter.error_type))
        found.letters.append(letter)
    return sorted(groups.values(), key=lambda g: (g.queue, -g.count, g.reason))


def replay_headers(letter: DeadLetter, *, edited: bool, now: datetime) -> dict[str, Any]:
    kept = {k: v for k, v in letter.headers.items() if k not in DEATH_HEADERS}
    kept["x-dvk-replay-of"] = letter.id
    kept["x-dvk-replayed-at"] = now.isoformat()
    if edited:
        kept["x-dvk-edited"] = True
    return kept


class Selection:
    """Which dead letters an operator means: ids (or unique prefixes), groups, or all."""

    def __init__(self, *, ids: Iterable[str] = (), groups: Iterable[str] = (),
                 everything: bool = False) -> None:
        self.ids = tuple(ids)
        self.groups = frozenset(groups)
        self.everything = everything

    def __bool__(self) -> bool:
        return bool(self.ids or self.groups or self.everything)

    def matches(self, letter: DeadLetter) -> bool:
        return (self.everything or letter.group_id in self.groups
                or any(letter.id.startswith(i) for i in self.ids))
