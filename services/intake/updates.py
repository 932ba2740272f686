"""Use cases: a unit's status update on a case (feedback.update.v1), and which unit holds a case
(routing's assignments), which is what updates are checked against."""

from __future__ import annotations

import json
from typing import Any

from shared.calendar import local_date
from shared.confidential import Sealer, redact_identity
from shared.contracts.base import Envelope, utc_now
from shared.contracts.routing import CaseAssigned, CaseReassigned
from shared.contracts.updates import CaseStatus, CaseStatusChanged, UpdateCase, UpdateDetails
from shared.errors import PermanentError
from shared.logging import get_logger

from . import lifecycle
from .handlers import (
    CommandRefused,
    Deps,
    IngressReply,
    Park,
    drain,
    finish_command,
    handles,
)
from .ingress import AcceptedCommand
from .orm import Case, TimelineEntry
from .uow import IntakeUnitOfWork

log = get_logger()
ASSIGNMENTS = "intake.assignments"
DETAILS = frozenset(UpdateDetails.model_fields)  # what an update says besides its status


def case_key(ref: str) -> str:
    return f"case:{ref}"


@handles(UpdateCase.message_type)
async def update_case(accepted: AcceptedCommand, deps: Deps,
                      pending_id: int | None = None) -> IngressReply:
    cmd = accepted.command
    assert isinstance(cmd, UpdateCase)
    async with deps.uow() as work:
        if await work.timeline.has_update(cmd.source_system, cmd.update_id):
            return IngressReply(status="duplicate", ref=cmd.ref)
        case = await work.cases.get(cmd.ref, for_update=True)
        if case is None and await work.cases.was_issued(cmd.ref):
            raise CommandRefused(f"không có hồ sơ {cmd.ref}", "data.ref")
        if case is None or case.holder_unit is None:
            raise Park(case_key(cmd.ref), "hồ sơ chưa tiếp nhận hoặc chưa giao đơn vị xử lý")
        previous = _apply(case, cmd, deps)
        cmd = protect_update(case, cmd, deps.sealer)
        work.timeline.add(_update_entry(cmd))
        await finish_command(work, accepted, _changed_event(case, cmd, previous),
                             pending_id=pending_id, correlation_id=case.correlation_id)
    log.info("case updated", ref=cmd.ref, status=cmd.status.value, unit=cmd.unit_code)
    return IngressReply(status="accepted", ref=cmd.ref)


def _apply(case: Case, cmd: UpdateCase, deps: Deps) -> CaseStatus:
    """Checks and applies the update; returns the status before it."""
    state = state_of(case)
    if cmd.occurred_at < case.received_at:
        raise CommandRefused("thời điểm cập nhật trước thời điểm nhận đơn", "data.occurred_at")
    try:
        lifecycle.check(state, cmd)
    except lifecycle.Refused as refused:
        raise CommandRefused(str(refused), refused.field) from None
    to_unit = cmd.transfer.to_unit if cmd.transfer else None
    if to_unit and deps.units.get(to_unit, on=local_date(cmd.occurred_at)) is None:
        raise CommandRefused(f"không có đơn vị {to_unit} trong danh mục", "data.transfer.to_unit")
    new = lifecycle.apply(state, cmd)
    case.status, case.holder_unit = new.status.value, new.holder
    case.accepted, case.extensions, case.external = new.accepted, new.extensions, new.external
    return state.status


def protect_update(case: Case, cmd: UpdateCase, sealer: Sealer) -> UpdateCase:
    """A unit's note on a protected case may name the sender: such words never go further."""
    if not case.protected or not case.sealed_sender:
        return cmd
    sender = json.loads(sealer.open(case.sealed_sender))
    identifiers = [sender.get(k) for k in ("name", "phone", "national_id", "email", "address")]
    text = redact_identity(cmd.model_dump_json(), identifiers)
    return UpdateCase.model_validate_json(text)


def state_of(case: Case) -> lifecycle.CaseState:
    return lifecycle.CaseState(kind=case.kind, status=CaseStatus(case.status),
                               holder=case.holder_unit, accepted=case.accepted,
                               extensions=case.extensions, external=case.external)


def _changed_event(case: Case, cmd: UpdateCase, previous: CaseStatus) -> CaseStatusChanged:
    details: dict[str, Any] = cmd.model_dump(include=DETAILS)
    return CaseStatusChanged(**details, ref=cmd.ref, kind=case.kind, status=cmd.status,
                             previous_status=previous,
                             unit_code=cmd.unit_code, occurred_at=cmd.occurred_at)


def _update_entry(cmd: UpdateCase) -> TimelineEntry:
    details = cmd.model_dump(mode="json", exclude_none=True, include=DETAILS)
    return TimelineEntry(ref=cmd.ref, at=cmd.occurred_at, recorded_at=utc_now(),
                         actor=cmd.unit_code, action=cmd.status.value, status=cmd.status.value,
                         source_system=cmd.source_system, update_id=cmd.update_id,
                         details=details)


async def record_holder(envelope: Envelope[CaseAssigned] | Envelope[CaseReassigned], *,
                        deps: Deps) -> None:
    """Also runs the updates kept until the case had a unit: looked for in the same
    transaction, so that the usual assignment, with nothing waiting, costs no second one."""
    event = envelope.data
    async with deps.uow() as work:
        if not await work.claim(envelope.event_id, ASSIGNMENTS):
            return
        case = await work.cases.get(event.ref, for_update=True)
        if case is None:
            raise PermanentError(f"routing assigned {event.ref}, which intake does not have")
        _set_holder(work, case, event)
        waiting = await work.pending.has_subject(case_key(event.ref))
        await work.commit()
    if waiting:
        await _drain(event.ref, deps)


def _set_holder(work: IntakeUnitOfWork, case: Case,
                event: CaseAssigned | CaseReassigned) -> None:
    unit = event.assignment.unit_code
    if isinstance(event, CaseAssigned) and case.holder_unit is not None:
        return  # a transfer reported since has already moved the case on
    if isinstance(event, CaseReassigned) and event.outside_competence:
        return
    case.holder_unit = unit
    work.timeline.add(TimelineEntry(
        ref=case.ref, at=utc_now(), recorded_at=utc_now(), actor="routing",
        action="assigned" if isinstance(event, CaseAssigned) else "reassigned",
        status=case.status, source_system=None, update_id=None,
        details={"unit_code": unit, "explanation": event.assignment.explanation}))


async def _drain(ref: str, deps: Deps) -> None:
    applied = await drain(case_key(ref), deps=deps)
    if applied:
        log.info("kept updates applied", ref=ref, count=applied)
