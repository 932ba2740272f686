"""intake's AMQP entry points: commands on dvk.ingress, validated by intake itself; and which
unit holds each case, from routing."""

from __future__ import annotations

import codecs
import zlib
from typing import Any

from faststream.rabbit import RabbitMessage, RabbitRouter
from faststream.rabbit.annotations import RabbitBroker

from shared.contracts.base import Envelope
from shared.contracts.routing import CaseAssigned, CaseReassigned
from shared.logging import get_logger
from shared.messaging.broker import of_type, work_queue
from shared.messaging.guard import reads_any_body
from shared.messaging.topology import queue_spec

from . import handlers, updates
from .bootstrap import Intake
from .handlers import IngressReply
from .ingress import FieldError, IngressMessage, Rejection, as_utf8, bounded_body
from .settings import DEFAULT_MAX_BODY_BYTES

log = get_logger()

REPLY_TIMEOUT_S = 10.0
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_IDENTITY = {"", "identity", "none", "7bit", "8bit", "binary"}


def build_router(intake: Intake) -> RabbitRouter:
    router = RabbitRouter()

    # no_reply: the answer is sent by `send_reply`, never by FastStream, whose reply would read
    # a "|" in reply_to as queue|exchange and fail the delivery of a command already committed.
    ingress = reads_any_body(router.subscriber(
        work_queue(queue_spec("intake.ingress")), title="intake.ingress", decoder=raw_body,
        no_reply=True,
        description="Commands from integrating systems on dvk.ingress (feedback.submit.v1, "
                    "feedback.update.v1, task.progress.v1, movement.*.v1, report.request.v1). "
                    "Invalid ones are kept in the rejected store and announced as "
                    "intake.rejected.v1. See components.x-dvk-contracts for the schemas."))

    @ingress
    async def on_ingress(body: bytes, message: RabbitMessage,
                         broker: RabbitBroker) -> dict[str, Any]:
        """Returns the answer too, for in-memory tests' `request` (no_reply: never sent)."""
        limit = intake.max_body_bytes
        try:
            ingress_message = as_ingress(message, limit=limit)
        except UnreadableEncoding as exc:  # kept as sent: the compressed bytes
            reply = await handlers.reject(as_ingress(message, limit=limit, inflate=False),
                                          unreadable_encoding(exc), way_in="amqp",
                                          deps=intake.consumer_deps)
        else:
            reply = await handlers.accept_ingress(ingress_message, way_in="amqp",
                                                  deps=intake.consumer_deps)
        await send_reply(broker, message, reply)
        return reply.model_dump(exclude_none=True)

    assignments = router.subscriber(work_queue(queue_spec("intake.assignments")),
                                    title="intake.assignments")

    @assignments(filter=of_type(CaseAssigned.message_type))
    async def on_case_assigned(envelope: Envelope[CaseAssigned]) -> None:
        await updates.record_holder(envelope, deps=intake.consumer_deps)

    @assignments(filter=of_type(CaseReassigned.message_type))
    async def on_case_reassigned(envelope: Envelope[CaseReassigned]) -> None:
        await updates.record_holder(envelope, deps=intake.consumer_deps)

    return router


async def raw_body(message: Any) -> bytes:
    """intake validates the bytes itself, so that bad input is rejected with a reason, not lost."""
    return bytes(message.body)


async def send_reply(broker: Any, message: RabbitMessage, reply: IngressReply) -> None:
    """The answer to the sender's reply_to, taken as a queue name as AMQP means it: published to
    the default exchange with reply_to as the routing key (a "|" in it is part of the name),
    carrying the sender's correlation_id, or its message_id when it set none. The outcome is
    already committed, so a reply that cannot be sent is logged and dropped: it never fails or
    redelivers the command (a resend is answered again: duplicate, or the kept rejection)."""
    reply_to = message.reply_to
    if not reply_to:
        return
    try:
        await broker.publish(
            reply.model_dump_json(exclude_none=True).encode(), exchange=None,
            routing_key=reply_to, correlation_id=_answered_id(message),
            content_type="application/json", mandatory=False, persist=False,
            timeout=REPLY_TIMEOUT_S)
    except Exception as exc:
        log.warning("reply not sent", reply_to=reply_to, status=reply.status,
                    error=f"{type(exc).__name__}: {exc}"[:300])


def _answered_id(message: RabbitMessage) -> str | None:
    """The id the sender can match the answer by, read from the AMQP properties as sent:
    FastStream fills an absent correlation_id with a fresh uuid the sender never saw."""
    raw = message.raw_message
    return raw.correlation_id or raw.message_id or None


class UnreadableEncoding(ValueError):
    """The body's content_encoding is not one intake reads, or the body does not decode in it."""


def unreadable_encoding(exc: UnreadableEncoding) -> Rejection:
    return Rejection(reason="không đọc được nội dung theo content_encoding — body cannot be "
                            "read in its content_encoding",
                     errors=(FieldError("content_encoding", str(exc)),))


def as_ingress(message: RabbitMessage, *, limit: int = DEFAULT_MAX_BODY_BYTES,
               inflate: bool = True) -> IngressMessage:
    """The delivery as intake reads it. A body over `limit` bytes as sent is cut to its first
    `limit` bytes (and refused naming `body`); a compressed one is inflated up to `limit`.
    Raises UnreadableEncoding (only when `inflate`) for a body intake cannot decompress."""
    raw = message.raw_message
    body, truncated = bounded_body(bytes(message.body), limit)
    content_type = raw.content_type
    if inflate and truncated is None:
        body, content_type = decoded_body(body, raw.content_encoding, content_type, limit=limit)
    return IngressMessage(
        body=as_utf8(body, content_type), message_id=raw.message_id,
        routing_key=raw.routing_key,
        message_type=raw.type, correlation_id=raw.correlation_id,
        headers=dict(raw.headers or {}), truncated=truncated,
        redelivered=bool(raw.redelivered),
    )


def decoded_body(body: bytes, content_encoding: str | None, content_type: str | None, *,
                 limit: int = DEFAULT_MAX_BODY_BYTES) -> tuple[bytes, str | None]:
    """(body, content type) as intake reads them. gzip and deflate bodies are inflated, at most
    to `limit` bytes (intake's body limit). A charset name in content_encoding (Spring AMQP
    sets "UTF-8" there) stands as the content type's charset when that names none. Raises
    UnreadableEncoding."""
    name = (content_encoding or "").strip().lower()
    if name in _IDENTITY:
        return body, content_type
    if name in ("gzip", "x-gzip"):
        return _inflate(body, _GZIP_WBITS, name, limit), content_type
    if name == "deflate":  # zlib-wrapped as the standard says; some send it raw
        try:
            return _inflate(body, zlib.MAX_WBITS, name, limit), content_type
        except UnreadableEncoding as wrapped:
            try:
                return _inflate(body, -zlib.MAX_WBITS, name, limit), content_type
            except UnreadableEncoding:
                raise wrapped from None
    try:
        codecs.lookup(name)
    except LookupError:
        raise UnreadableEncoding(
            f"{content_encoding!r} is not an encoding intake reads: send the body as is, "
            "gzip or deflate") from None
    if "charset=" not in (content_type or "").lower():
        content_type = f"{content_type or 'application/json'}; charset={name}"
    return body, content_type


def _inflate(data: bytes, wbits: int, name: str, limit: int) -> bytes:
    """Bounded: never holds more than `limit` + 1 bytes of output (decompression bombs)."""
    out = bytearray()
    while True:
        inflater = zlib.decompressobj(wbits)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
        except zlib.error as exc:
            raise UnreadableEncoding(f"the body is not valid {name} ({exc})") from None
        if len(out) > limit or inflater.unconsumed_tail:
            raise UnreadableEncoding(
                f"the {name} body inflates to more than {limit} bytes, the most intake reads "
                "(DVK_INTAKE_MAX_BODY_BYTES)")
        if not inflater.eof:
            raise UnreadableEncoding(f"the {name} body is truncated")
        data = inflater.unused_data
        # gzip allows several members one after another; zero bytes after the last are padding
        if wbits != _GZIP_WBITS or not data.strip(b"\0"):
            return bytes(out)
