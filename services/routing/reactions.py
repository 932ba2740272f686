"""What routing does when a case's status changes: pure rules over the case's track."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from shared.calendar import WorkingCalendar, local_date
from shared.contracts.routing import StepDeadline
from shared.contracts.updates import CaseStatus, CaseStatusChanged
from shared.errors import PermanentError
from shared.units import UnitCatalogue

from . import deadlines
from .deadline_policies import DeadlinePolicies, Step
from .domain import contract_deadline



@dataclass(frozen=True)
class Extension:
    days: int
    especially_complicated: bool


@dataclass(frozen=True)
class Track:
    """What routing keeps of a case to recompute its deadlines at any time."""

    kind: str
    received_on: date
    complaint_round: int | None
    unit_code: str
    accepted_on: date | None = None
    extensions: tuple[Extension, ...] = ()
    closed: bool = False
    remote_area: bool = False  # set at thụ lý, for the complaint's longer limits


@dataclass(frozen=True)
class Reaction:
    track: Track
    reason: str
    deadlines: list[StepDeadline] = field(default_factory=list)
    new_unit: str | None = None
    external_body: str | None = None


def current_deadlines(track: Track, *, policies: DeadlinePolicies,
                      calendar: WorkingCalendar) -> list[StepDeadline]:
    if track.closed:
        return []
    steps = deadlines.compute_deadlines(deadlines.DeadlineRequest(
        kind=track.kind, received_on=track.received_on, accepted_on=track.accepted_on,
        complaint_round=track.complaint_round, remote=track.remote_area),
        policies=policies, calendar=calendar)
    for ext in track.extensions:
        steps = [_extended(s, ext, policies, calendar) for s in steps]
    return [contract_deadline(s) for s in steps]


def _extended(step: deadlines.StepDeadline, ext: Extension, policies: DeadlinePolicies,
              calendar: WorkingCalendar) -> deadlines.StepDeadline:
    if step.step != Step.GIAI_QUYET:
        return step
    try:
        return deadlines.extend(step, days=ext.days,
                                especially_complicated=ext.especially_complicated,
                                policies=policies, calendar=calendar)
    except deadlines.ExtensionRefused as refused:
        raise PermanentError(str(refused)) from None


def react(track: Track, change: CaseStatusChanged, *, policies: DeadlinePolicies,
          calendar: WorkingCalendar, units: UnitCatalogue) -> Reaction | None:
    """The new track and what to announce, or None when the change moves nothing of routing's."""
    on = local_date(change.occurred_at)
    new = _next_track(track, change, on, units)
    if new is None:
        return None
    try:
        steps = current_deadlines(new, policies=policies, calendar=calendar)
    except ValueError as exc:  # dates that cannot be (intake refuses most before they come)
        raise PermanentError(f"deadlines cannot be computed: {exc}") from None
    reaction = Reaction(track=new, reason=_reason(change, on), deadlines=steps)
    if change.status is CaseStatus.TRANSFERRED and change.transfer is not None:
        return replace(reaction, new_unit=change.transfer.to_unit or track.unit_code,
                       external_body=change.transfer.to_external_body)
    return reaction


def _next_track(track: Track, change: CaseStatusChanged, on: date,
                units: UnitCatalogue) -> Track | None:
    status = change.status
    if status is CaseStatus.ACCEPTED:
        return replace(track, accepted_on=on, closed=False, remote_area=_remote(change))
    if status is CaseStatus.EXTENDED and change.extension is not None:
        ext = Extension(change.extension.days, change.extension.especially_complicated)
        return replace(track, extensions=(*track.extensions, ext))
    if status in (CaseStatus.RESOLVED, CaseStatus.REJECTED):
        return replace(track, closed=True)
    if status is CaseStatus.REOPENED:
        return replace(track, received_on=on, accepted_on=None, extensions=(), closed=False,
                       remote_area=False)
    if status is CaseStatus.TRANSFERRED and change.transfer is not None:
        if change.transfer.to_external_body:
            return replace(track, closed=True)
        try:
            unit = units.resolve_or_raise(change.transfer.to_unit or "", on=on)
        except LookupError as exc:
            raise PermanentError(f"transfer to an unknown unit: {exc}") from None
        return replace(track, unit_code=unit.code, accepted_on=None, remote_area=False)
    return None


def _remote(change: CaseStatusChanged) -> bool:
    return bool(change.acceptance and change.acceptance.remote_area)


def _reason(change: CaseStatusChanged, on: date) -> str:
    day = on.strftime("%d/%m/%Y")
    decision = f" ({change.extension.decision_number})" if change.extension else ""
    return {
        CaseStatus.ACCEPTED: f"Thụ lý ngày {day}"
                             + (" (vùng sâu, vùng xa đi lại khó khăn)" if _remote(change) else "")
                             + ": thời hạn giải quyết tính từ ngày thụ lý.",
        CaseStatus.EXTENDED: f"Gia hạn giải quyết ngày {day}{decision}.",
        CaseStatus.RESOLVED: f"Đã giải quyết ngày {day}: không còn thời hạn.",
        CaseStatus.REJECTED: f"Không thụ lý ngày {day}: không còn thời hạn.",
        CaseStatus.REOPENED: f"Mở lại ngày {day}: thời hạn tính lại từ ngày mở lại.",
        CaseStatus.TRANSFERRED: f"Chuyển đơn ngày {day}"
                                + (f": {change.transfer.reason}" if change.transfer else "."),
    }.get(change.status, f"Cập nhật ngày {day}.")
