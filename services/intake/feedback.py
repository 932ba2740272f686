"""Use case: a new piece of feedback becomes a case (feedback.submit.v1)."""

from __future__ import annotations

import json

from shared import metrics
from shared.confidential import Sealer
from shared.contracts.base import utc_now
from shared.contracts.feedback import FeedbackReceived, SubmitFeedback
from shared.logging import get_logger

from . import domain
from .handlers import Deps, IngressReply, finish_command, handles
from .ingress import AcceptedCommand
from .orm import Case, TimelineEntry

log = get_logger()


@handles(SubmitFeedback.message_type)
async def receive_feedback(accepted: AcceptedCommand, deps: Deps,
                           pending_id: int | None = None) -> IngressReply:
    cmd = accepted.command
    assert isinstance(cmd, SubmitFeedback)
    async with deps.uow() as work:
        existing = await work.cases.find_duplicate(accepted.event_id, cmd.source_system,
                                                   cmd.external_id)
        if existing is not None:
            log.info("duplicate feedback", ref=existing.ref)
            return IngressReply(status="duplicate", ref=existing.ref)
        number = await work.cases.next_number(domain.reference_year(cmd.received_at))
        ref = domain.case_reference(cmd.received_at, number)
        case, event = _new_case(cmd, accepted, ref=ref, sealer=deps.sealer)
        work.cases.add(case)
        work.timeline.add(_received_entry(cmd, ref))
        await finish_command(work, accepted, event, pending_id=pending_id)
    metrics.case_received(kind=cmd.kind.value, channel=cmd.channel.value)
    log.info("feedback accepted", ref=ref, kind=cmd.kind.value)
    return IngressReply(status="accepted", ref=ref)


def _new_case(cmd: SubmitFeedback, accepted: AcceptedCommand, *, ref: str,
              sealer: Sealer) -> tuple[Case, FeedbackReceived]:
    contact = domain.contact_for_notify(cmd)
    sealed_contact = sealer.seal(json.dumps(contact, ensure_ascii=False)) if contact else None
    # For a protected case the event's texts are redacted: the case stores those, never the clear.
    event = domain.received_event(cmd, ref=ref, sealed_contact=sealed_contact)
    case = Case(
        ref=ref, message_id=accepted.event_id, correlation_id=accepted.correlation_id,
        source_system=cmd.source_system, external_id=cmd.external_id, kind=cmd.kind.value,
        channel=cmd.channel.value, status="received", protected=cmd.protected,
        received_at=cmd.received_at, accepted_at=utc_now(), subject=event.subject,
        content=event.content,
        details=event.model_dump(mode="json", include={"category_hints", "locality",
                                                         "complaint", "letter", "attachments"}),
        sealed_sender=sealer.seal(cmd.sender.model_dump_json()),
        sealed_original=sealer.seal(cmd.model_dump_json()) if cmd.protected else None,
        holder_unit=None, accepted=False, extensions=0, external=False)
    return case, event


def _received_entry(cmd: SubmitFeedback, ref: str) -> TimelineEntry:
    return TimelineEntry(ref=ref, at=cmd.received_at, recorded_at=utc_now(),
                         actor=cmd.source_system, action="received", status="received",
                         source_system=None, update_id=None,
                         details={"channel": cmd.channel.value})
