"""intake's use cases. Each runs in one unit of work and publishes through the outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel

from shared.confidential import Sealer, redact_identity
from shared.contracts.base import make_envelope, utc_now
from shared.contracts.feedback import IntakeRejected, SubmitFeedback
from shared.logging import get_logger

from . import domain
from .orm import Case, RejectedMessage
from .uow import IntakeUnitOfWork

log = get_logger()
PRODUCER = "intake"
CONSUMER = "intake.ingress"

UowFactory = Callable[[], IntakeUnitOfWork]


class IngressReply(BaseModel):
    """Answer to the sender (AMQP reply_to, HTTP response)."""

    status: Literal["accepted", "duplicate", "rejected"]
    ref: str | None = None
    rejection_id: str | None = None
    reason: str | None = None
    errors: list[dict[str, str]] = []


async def accept_ingress(msg: domain.IngressMessage, *, way_in: str, uow: UowFactory,
                         sealer: Sealer) -> IngressReply:
    parsed = domain.parse_ingress(msg)
    if isinstance(parsed, domain.Rejection):
        return await reject(msg, parsed, way_in=way_in, uow=uow, sealer=sealer)
    if isinstance(parsed.command, SubmitFeedback):
        return await receive_feedback(parsed, uow=uow, sealer=sealer)
    raise NotImplementedError(f"no handler for {type(parsed.command).__name__}")


async def receive_feedback(accepted: domain.AcceptedCommand, *, uow: UowFactory,
                           sealer: Sealer) -> IngressReply:
    cmd = accepted.command
    assert isinstance(cmd, SubmitFeedback)
    async with uow() as work:
        existing = (await work.cases.get_by_message_id(accepted.event_id)
                    or await work.cases.get_by_source(cmd.source_system, cmd.external_id))
        if existing is not None:
            log.info("duplicate feedback", ref=existing.ref)
            return IngressReply(status="duplicate", ref=existing.ref)
        number = await work.cases.next_number(domain.reference_year(cmd.received_at))
        ref = domain.case_reference(cmd.received_at, number)
        case, event = _new_case(cmd, accepted, ref=ref, sealer=sealer)
        work.cases.add(case)
        await work.publish(make_envelope(event, producer=PRODUCER,
                                         correlation_id=accepted.correlation_id,
                                         causation_id=accepted.event_id))
        await work.mark_processed(accepted.event_id, CONSUMER)
        await work.commit()
    log.info("feedback accepted", ref=ref, kind=cmd.kind.value)
    return IngressReply(status="accepted", ref=ref)


def _new_case(cmd: SubmitFeedback, accepted: domain.AcceptedCommand, *, ref: str,
              sealer: Sealer) -> tuple[Case, object]:
    identifiers = domain.sender_identifiers(cmd) if cmd.protected else []
    subject = redact_identity(cmd.subject, identifiers)
    content = redact_identity(cmd.content, identifiers)
    contact = domain.contact_for_notify(cmd)
    sealed_contact = sealer.seal(json.dumps(contact, ensure_ascii=False)) if contact else None
    event = domain.received_event(cmd, ref=ref, subject=subject, content=content,
                                  sealed_contact=sealed_contact)
    case = Case(
        ref=ref, message_id=accepted.event_id, source_system=cmd.source_system,
        external_id=cmd.external_id, kind=cmd.kind.value, channel=cmd.channel.value,
        status="received", protected=cmd.protected, received_at=cmd.received_at,
        accepted_at=utc_now(), subject=subject, content=content,
        details=event.model_dump(mode="json", include={"category_hints", "locality",
                                                         "complaint", "letter", "attachments"}),
        sealed_sender=sealer.seal(cmd.sender.model_dump_json()),
        sealed_original=sealer.seal(cmd.model_dump_json()) if cmd.protected else None,
    )
    return case, event


async def reject(msg: domain.IngressMessage, rejection: domain.Rejection, *, way_in: str,
                 uow: UowFactory, sealer: Sealer) -> IngressReply:
    rejection_id = str(uuid.uuid4())
    errors = [e.as_dict() for e in rejection.errors]
    async with uow() as work:
        work.rejected.add(RejectedMessage(
            id=rejection_id, received_at=utc_now(), message_id=msg.message_id,
            routing_key=msg.routing_key, message_type=msg.message_type, way_in=way_in,
            reason=rejection.reason, errors=errors,
            sealed_body=sealer.seal(msg.body.decode("utf-8", errors="backslashreplace")),
        ))
        event = IntakeRejected(rejection_id=rejection_id, source_message_id=msg.message_id,
                               source_routing_key=msg.routing_key, reason=rejection.reason,
                               errors=errors)
        await work.publish(make_envelope(event, producer=PRODUCER,
                                         correlation_id=msg.correlation_id or msg.message_id,
                                         causation_id=msg.message_id))
        await work.commit()
    log.warning("message rejected", rejection_id=rejection_id, reason=rejection.reason,
                errors=errors)
    return IngressReply(status="rejected", rejection_id=rejection_id, reason=rejection.reason,
                        errors=errors)
