"""notify's pure rules on top of the policy in schedule.py: what a case's deadlines call for, how
a changed deadline changes the schedule, when a message to the sender may go, and which due
messages a dispatcher sends, skips or leaves to the unit's digest. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol

from shared.contracts.notify import ScheduledItem
from shared.contracts.routing import CaseAssigned, StepDeadline

from .schedule import (
    AckRequest,
    CaseDeadline,
    NotifyPolicy,
    PlannedNotification,
    WorkingCalendarPort,
    acknowledgement_blocker,
    clamp_to_office_hours,
    plan_acknowledgement,
    plan_case_notifications,
)

SIBLING = "~"  # "<key>~<webhook>": the copy of a notification for an integrating system
CASE_PHASES = ("before", "after")
PENDING = ("held", "scheduled")


@dataclass(frozen=True)
class Deadline:
    step: str
    due_on: date
    label: str = ""


def deadlines_of(items: Iterable[StepDeadline]) -> list[Deadline]:
    return [Deadline(d.step, d.due_on, d.label) for d in items]


def plan_deadlines(ref: str, deadlines: Iterable[Deadline], *, policy: NotifyPolicy,
                   calendar: WorkingCalendarPort) -> list[PlannedNotification]:
    planned: list[PlannedNotification] = []
    for deadline in deadlines:
        planned += plan_case_notifications(CaseDeadline(ref, deadline.step, deadline.due_on),
                                           policy, calendar)
    return planned


def plan_for_case(case: CaseAssigned, *, policy: NotifyPolicy,
                  calendar: WorkingCalendarPort) -> list[PlannedNotification]:
    return plan_deadlines(case.ref, deadlines_of(case.deadlines), policy=policy,
                          calendar=calendar)


def running_deadlines(deadlines: Iterable[Deadline], done_steps: Iterable[str]
                      ) -> list[Deadline]:
    """Routing keeps announcing the steps that acceptance ended; they stay ended."""
    done = set(done_steps)
    return [d for d in deadlines if d.step not in done]


def running_plan(planned: Iterable[PlannedNotification], done_steps: Iterable[str]
                 ) -> list[PlannedNotification]:
    done = set(done_steps)
    return [p for p in planned if p.step not in done]


def is_newer(occurred_at: datetime, applied_at: datetime | None) -> bool:
    """Whether a routing event is at least as recent as the one a case's deadlines came from:
    an older one arriving late (redelivery, replicas) must not roll them back."""
    return applied_at is None or occurred_at >= applied_at


def as_scheduled_item(item: PlannedNotification) -> ScheduledItem:
    return ScheduledItem(idempotency_key=item.idempotency_key, kind=item.kind,
                         audience=item.audience, step=item.step, due_on=item.due_date,
                         send_at=item.send_at)


def base_key(key: str) -> str:
    return key.split(SIBLING, 1)[0]


class ScheduledRow(Protocol):
    idempotency_key: str
    phase: str
    status: str


@dataclass
class Reconciliation:
    insert: list[PlannedNotification] = field(default_factory=list)
    revive: list[str] = field(default_factory=list)
    cancel: list[str] = field(default_factory=list)


def reconcile(existing: Iterable[ScheduledRow], planned: list[PlannedNotification]
              ) -> Reconciliation:
    """A case's deadlines are now `planned`: new keys are inserted, rows of deadlines that no
    longer run are cancelled, and cancelled rows of a deadline that runs again come back."""
    rows = [r for r in existing if r.phase in CASE_PHASES]
    wanted = {p.idempotency_key for p in planned}
    known = {base_key(r.idempotency_key) for r in rows}
    return Reconciliation(
        insert=[p for p in planned if p.idempotency_key not in known],
        revive=[r.idempotency_key for r in rows
                if r.status == "cancelled" and base_key(r.idempotency_key) in wanted],
        cancel=[r.idempotency_key for r in rows
                if r.status in PENDING and base_key(r.idempotency_key) not in wanted])


# --- messages to the sender ---------------------------------------------------------------

def plan_ack(ref: str, case_type: str, event: str, occurred_on: date, *, detail: str = "",
             policy: NotifyPolicy, calendar: WorkingCalendarPort, now: datetime
             ) -> PlannedNotification | None:
    """The message an event calls for, before anything is known of the sender; `settle`
    decides later whether it may go."""
    request = AckRequest(ref, case_type, event, occurred_on, sender_consent=True,
                         sender_contact="(sealed)", detail=detail)
    planned = plan_acknowledgement(request, policy, calendar, now)
    return planned[0] if planned else None


@dataclass(frozen=True)
class SenderFacts:
    case_type: str
    sender_known: bool  # intake's feedback_received has arrived
    consent: bool
    has_contact: bool
    reached_unit: bool
    deadlines_changed_at: datetime | None = None


def settle(facts: SenderFacts, context: dict, policy: NotifyPolicy) -> tuple[str, str | None]:
    """("held", None) until the facts are in; ("blocked", why) when it can never go by e-mail;
    ("scheduled", None) once the sender consented, gave a contact and the case reached a unit."""
    if not facts.sender_known:
        return "held", None
    request = AckRequest("", facts.case_type, "received", date.min, facts.consent,
                         "(given)" if facts.has_contact else None)
    blocker = acknowledgement_blocker(request, policy)
    if blocker:
        return "blocked", blocker
    if not facts.reached_unit:
        return "held", None
    waits_for = context.get("wait_for_deadlines_after")
    if waits_for and (facts.deadlines_changed_at is None
                      or facts.deadlines_changed_at < datetime.fromisoformat(waits_for)):
        return "held", None
    return "scheduled", None


def ack_due_at(send_at: datetime, now: datetime, policy: NotifyPolicy,
               calendar: WorkingCalendarPort) -> datetime:
    at = max(send_at, now)
    if policy.acknowledgements.respect_office_hours:
        return clamp_to_office_hours(at, policy, calendar)
    return at


# --- what a dispatcher does with the rows that are due ------------------------------------

@dataclass(frozen=True)
class Candidate:
    key: str
    case_ref: str
    channel: str
    kind: str
    audience: str
    phase: str
    step: str
    due_on: date | None
    due_at: datetime
    unit_code: str
    office_hours_only: bool


@dataclass
class Triage:
    send: list[str] = field(default_factory=list)
    skip: dict[str, str] = field(default_factory=dict)
    digested: list[str] = field(default_factory=list)
    wait: list[str] = field(default_factory=list)


def office_open(now: datetime, policy: NotifyPolicy, calendar: WorkingCalendarPort) -> bool:
    return clamp_to_office_hours(now, policy, calendar) == now


def deadline_passed(item: Candidate, now: datetime, policy: NotifyPolicy) -> bool:
    if item.phase not in ("before", "task") or item.due_on is None:
        return False
    return now >= datetime.combine(item.due_on + timedelta(days=1), time(0), policy.tz)


def triage(candidates: list[Candidate], now: datetime, policy: NotifyPolicy,
           calendar: WorkingCalendarPort, prefers_digest: Callable[[str], bool]) -> Triage:
    """Reminders whose deadline has passed are skipped, as are older reminders of a deadline
    when a later one is also due (per channel); case reminders to a unit that prefers the digest
    go into the digest; office-hours messages wait outside office hours."""
    result, is_open = Triage(), office_open(now, policy, calendar)
    latest = _latest_reminders(candidates)
    for item in candidates:
        if deadline_passed(item, now, policy):
            result.skip[item.key] = "the deadline has passed"
        elif item.phase in ("before", "task") and latest[_group(item)] is not item:
            result.skip[item.key] = "superseded by a later reminder of the same deadline"
        elif item.office_hours_only and not is_open:
            result.wait.append(item.key)
        elif _digestible(item) and prefers_digest(item.unit_code):
            result.digested.append(item.key)
        else:
            result.send.append(item.key)
    return result


def _group(item: Candidate) -> tuple:
    return item.case_ref, item.step, item.due_on, item.audience, item.channel


def _latest_reminders(candidates: list[Candidate]) -> dict[tuple, Candidate]:
    latest: dict[tuple, Candidate] = {}
    for item in sorted(candidates, key=lambda c: (c.due_at, c.kind)):
        if item.phase in ("before", "task"):
            latest[_group(item)] = item
    return latest


def _digestible(item: Candidate) -> bool:
    return item.phase == "before" and item.audience == "unit" and item.channel == "email"
