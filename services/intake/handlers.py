"""intake's entry use case: read what came in, run the command's handler, or keep the refusal.

Every outcome is stored: accepted (a case or record, announced through the outbox), duplicate
(the first reference returned), pending (it refers to something not yet known; kept and applied
when that arrives), or rejected (kept, sealed, with its reasons, and announced)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import delete, or_, select

from shared import metrics
from shared.confidential import Sealer
from shared.contracts.base import Payload, make_envelope, utc_now
from shared.contracts.feedback import IntakeRejected
from shared.logging import get_logger
from shared.plan import PlanCatalogue
from shared.units import UnitCatalogue

from .ingress import (
    AcceptedCommand,
    FieldError,
    Identity,
    IngressMessage,
    Rejection,
    accepted_identity,
    claimed_identity,
    content_digest,
    parse_ingress,
    resend_conflict,
)
from .orm import PendingCommand, RejectedMessage
from .uow import IntakeUnitOfWork

log = get_logger()
PRODUCER = "intake"
# How old a refusal of the same bytes may be for a redelivery without a message id to be taken
# for its first delivery: a redelivery follows a consumer's crash or restart within minutes.
REDELIVERY_WINDOW = timedelta(hours=1)
CONSUMER = "intake.ingress"


class IngressReply(BaseModel):
    """Answer to the sender (AMQP reply_to, HTTP response)."""

    status: Literal["accepted", "duplicate", "pending", "rejected"]
    ref: str | None = None
    rejection_id: str | None = None
    reason: str | None = None
    errors: list[dict[str, str]] = []


@dataclass(frozen=True)
class Deps:
    uow: Callable[[], IntakeUnitOfWork]
    sealer: Sealer
    plan: PlanCatalogue
    units: UnitCatalogue


class CommandRefused(Exception):
    """The command is valid but does not fit what intake knows (state, unit, catalogue)."""

    def __init__(self, reason: str, field: str = "data") -> None:
        super().__init__(reason)
        self.reason, self.field = reason, field


class Park(Exception):
    """The command refers to something not known yet; keep it until that arrives."""

    def __init__(self, subject_key: str, reason: str) -> None:
        super().__init__(reason)
        self.subject_key, self.reason = subject_key, reason


Handler = Callable[[AcceptedCommand, Deps, int | None], Awaitable[IngressReply]]
HANDLERS: dict[str, Handler] = {}


def handles(message_type: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[message_type] = handler
        return handler
    return register


async def accept_ingress(msg: IngressMessage, *, way_in: str, deps: Deps,
                         pending_id: int | None = None) -> IngressReply:
    """`pending_id`: the kept command being re-run; its row goes with the outcome's commit."""
    parsed = parse_ingress(msg)
    if isinstance(parsed, Rejection):
        return await reject(msg, parsed, way_in=way_in, deps=deps, pending_id=pending_id)
    # Before the handler: a command under an accepted key with other content must not reach it
    # (an update reusing a message id with another update_id would be applied, then fail on
    # the processed mark; a changed feedback would be answered "duplicate").
    if conflict := await _resent_otherwise(parsed, deps):
        return await reject(msg, conflict, way_in=way_in, deps=deps, pending_id=pending_id)
    try:
        return await HANDLERS[parsed.command.message_type](parsed, deps, pending_id)
    except CommandRefused as refused:
        rejection = Rejection(reason=refused.reason, errors=(
            FieldError(refused.field, refused.reason),))
        return await reject(msg, rejection, way_in=way_in, deps=deps, pending_id=pending_id)
    except Park as park:
        return await keep_pending(parsed, park, deps=deps)


async def _resent_otherwise(accepted: AcceptedCommand, deps: Deps) -> Rejection | None:
    """A resend whose content differs from what was accepted under its message id or its own
    id: the sender changed something, and answering "duplicate" would drop the change unseen.
    The same content goes on to the handler, which answers "duplicate" with its reference.
    Read in the consumer's shared transaction, so it also sees a command of the same batch.
    Commands accepted before digests were kept are taken as the same."""
    async with deps.uow() as work:
        earlier = await work.accepted.earlier(accepted.event_id,
                                              accepted_identity(accepted).source_key)
    if earlier is None or earlier.digest == content_digest(accepted.command):
        return None
    return resend_conflict(accepted, same_message_id=earlier.message_key == accepted.event_id,
                           ref=earlier.ref)


async def reject(msg: IngressMessage, rejection: Rejection, *, way_in: str, deps: Deps,
                 pending_id: int | None = None) -> IngressReply:
    errors = [e.as_dict() for e in rejection.errors]
    digest = msg.truncated.sha256 if msg.truncated else hashlib.sha256(msg.body).hexdigest()
    identity = claimed_identity(msg)
    async with deps.uow() as work:
        if earlier := await _refused_before(work, msg, digest):
            if pending_id is not None:
                await consume_pending(work, pending_id)
                await work.commit()
            return earlier
        rejection_id = str(uuid.uuid4())
        work.rejected.add(RejectedMessage(
            id=rejection_id, received_at=utc_now(), message_id=msg.message_id,
            routing_key=msg.routing_key, message_type=msg.message_type, way_in=way_in,
            reason=rejection.reason, errors=errors, status="pending", body_sha256=digest,
            body_size=msg.truncated.size if msg.truncated else len(msg.body),
            body_truncated=msg.truncated is not None, identity_key=identity.message_key,
            source_key=identity.source_key,
            sealed_body=deps.sealer.seal(msg.body.decode("utf-8", errors="backslashreplace"))))
        await work.publish(make_envelope(IntakeRejected(
            rejection_id=rejection_id, source_message_id=msg.message_id,
            source_routing_key=msg.routing_key, reason=rejection.reason, errors=errors),
            producer=PRODUCER, correlation_id=msg.correlation_id or msg.message_id,
            causation_id=msg.message_id))
        await consume_pending(work, pending_id)
        await work.commit()
    metrics.case_rejected()
    log.warning("message rejected", rejection_id=rejection_id, reason=rejection.reason,
                errors=errors)
    return IngressReply(status="rejected", rejection_id=rejection_id, reason=rejection.reason,
                        errors=errors)


async def _refused_before(work: IntakeUnitOfWork, msg: IngressMessage,
                         digest: str) -> IngressReply | None:
    if msg.message_id:
        return await _rejected_before(work, msg.message_id, digest)
    if msg.redelivered:
        return await _redelivered_without_id(work, msg.routing_key, digest)
    return None


async def _redelivered_without_id(work: IntakeUnitOfWork, routing_key: str | None,
                                  digest: str) -> IngressReply | None:
    """A message without an id can only be told from a new send of the same bytes by the
    broker's redelivered flag: then a refusal of the same bytes kept recently (the first
    delivery, refused before the ack was lost) is that one. Without the flag, or once
    REDELIVERY_WINDOW has passed, the same bytes again are a new send and kept again."""
    found = await work.session.scalar(select(RejectedMessage).where(
        RejectedMessage.message_id.is_(None), RejectedMessage.body_sha256 == digest,
        RejectedMessage.routing_key == routing_key,
        RejectedMessage.received_at >= utc_now() - REDELIVERY_WINDOW)
        .order_by(RejectedMessage.received_at.desc()).limit(1))
    return None if found is None else _as_reply(found)


async def _rejected_before(work: IntakeUnitOfWork, message_id: str,
                           digest: str) -> IngressReply | None:
    """A redelivered refusal (the same id and bytes) is answered as the first time, not stored
    twice, also once a corrected resend has superseded it. Rows kept before the digest was
    stored match by id alone."""
    found = await work.session.scalar(select(RejectedMessage).where(
        RejectedMessage.message_id == message_id,
        RejectedMessage.status.in_(("pending", "superseded")),
        or_(RejectedMessage.body_sha256 == digest, RejectedMessage.body_sha256.is_(None)))
        .order_by(RejectedMessage.received_at.desc()).limit(1))
    return None if found is None else _as_reply(found)


def _as_reply(found: RejectedMessage) -> IngressReply:
    return IngressReply(status="rejected", rejection_id=found.id, reason=found.reason,
                        errors=found.errors)


async def keep_pending(accepted: AcceptedCommand, park: Park, *, deps: Deps) -> IngressReply:
    async with deps.uow() as work:
        if not await work.pending.has_message(accepted.event_id):
            work.pending.add(PendingCommand(
                subject_key=park.subject_key, received_at=utc_now(),
                message_id=accepted.event_id, correlation_id=accepted.correlation_id,
                message_type=accepted.command.routing_key(),
                sealed_command=deps.sealer.seal(accepted.command.model_dump_json()),
                reason=park.reason))
            await work.commit()
    log.info("command kept until its subject arrives", subject=park.subject_key)
    return IngressReply(status="pending", reason=park.reason)


async def finish_command(work: IntakeUnitOfWork, accepted: AcceptedCommand, event: Payload, *,
                         pending_id: int | None, correlation_id: str | None = None) -> None:
    """The end of every accepted command: its event through the outbox, the message marked
    processed with a digest of what it said, the kept copy (if it was kept) removed, the
    earlier refusals it corrects marked superseded — one commit."""
    await work.publish(make_envelope(event, producer=PRODUCER,
                                     correlation_id=correlation_id or accepted.correlation_id,
                                     causation_id=accepted.event_id))
    await work.mark_processed(accepted.event_id, CONSUMER)
    identity, ref = accepted_identity(accepted), getattr(event, "ref", None)
    work.accepted.add(message_key=accepted.event_id, source_key=identity.source_key,
                      digest=content_digest(accepted.command), ref=ref)
    await consume_pending(work, pending_id)
    superseded = await supersede_refusals(work, accepted, identity, ref=ref)
    await work.commit()
    if superseded:
        log.info("earlier refusals superseded", count=superseded, by=accepted.event_id)


async def supersede_refusals(work: IntakeUnitOfWork, accepted: AcceptedCommand,
                             identity: Identity, *, ref: str | None) -> int:
    """The pending refusals an accepted resend corrects (the same source system, type and
    message id; or the same source system, type and own id of the sender) are resolved: the
    operator has nothing left to do about them. They stay kept, with a reference to it."""
    note = "đã được thay bằng bản gửi lại hợp lệ" + (f" (hồ sơ {ref})" if ref else "")
    return await work.rejected.supersede(
        message_key=identity.message_key or accepted.event_id, source_key=identity.source_key,
        by=accepted.event_id, note=note, at=utc_now())


async def consume_pending(work: IntakeUnitOfWork, pending_id: int | None) -> None:
    if pending_id is not None:
        await work.session.execute(delete(PendingCommand).where(PendingCommand.id == pending_id))


def pending_message(pending: PendingCommand, sealer: Sealer) -> IngressMessage:
    """A kept command, as it came in, to run through the same path again."""
    return IngressMessage(body=sealer.open(pending.sealed_command).encode(),
                          message_id=pending.message_id, routing_key=pending.message_type,
                          message_type=None, correlation_id=pending.correlation_id, keyed=True)


async def drain(subject_key: str, *, deps: Deps) -> int:
    """Runs what waited for a subject, oldest first, each in its own unit of work; a command
    still not applicable stays kept. Returns how many left the pending store."""
    async with deps.uow() as work:
        kept = [(p.id, pending_message(p, deps.sealer))
                for p in await work.pending.for_subject(subject_key)]
    done = 0
    for pending_id, msg in kept:
        reply = await accept_ingress(msg, way_in="pending", deps=deps, pending_id=pending_id)
        done += reply.status != "pending"
    return done
