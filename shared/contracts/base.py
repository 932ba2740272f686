"""The envelope every message on dvk.ingress and dvk.events travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Payload(BaseModel):
    """Base of every versioned payload; subclasses name their message type and version."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    @classmethod
    def routing_key(cls) -> str:
        return f"{cls.message_type}.v{cls.schema_version}"


P = TypeVar("P")


class Envelope(BaseModel, Generic[P]):
    """What travels on the wire: metadata plus the payload under `data`.

    `event_id` is also the AMQP message_id; `correlation_id` is carried from the first message
    of a case to every message it causes; `causation_id` is the id of the message that caused
    this one.
    """

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    schema_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    correlation_id: str = Field(min_length=1, max_length=200)
    causation_id: str | None = Field(default=None, max_length=200)
    producer: str = Field(min_length=1, max_length=200)
    data: P

    @property
    def routing_key(self) -> str:
        return f"{self.type}.v{self.schema_version}"


def new_event_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


RawEnvelope = Envelope[dict[str, Any]]


_ENVELOPE_TYPES: dict[type, type] = {}


def envelope_type(payload_type: type[Payload]) -> type[Envelope[Any]]:
    """Envelope[payload_type], kept for good: pydantic holds a parametrized generic only weakly,
    so the garbage collector takes it between two events and building it again costs 1–3 ms
    of CPU per event published."""
    found = _ENVELOPE_TYPES.get(payload_type)
    if found is None:
        found = _ENVELOPE_TYPES[payload_type] = Envelope[payload_type]  # type: ignore[valid-type]
    return found


def make_envelope(
    payload: Payload,
    *,
    producer: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Envelope[Any]:
    event_id = event_id or new_event_id()
    return envelope_type(type(payload))(
        event_id=event_id,
        type=payload.message_type,
        schema_version=payload.schema_version,
        occurred_at=occurred_at or utc_now(),
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        producer=producer,
        data=payload,
    )


def caused_by(
    cause: Envelope[Any], payload: Payload, *, producer: str, event_id: str | None = None
) -> Envelope[Any]:
    """An envelope for an event caused by `cause`: same correlation, causation = cause."""
    return make_envelope(
        payload,
        producer=producer,
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
        event_id=event_id,
    )
