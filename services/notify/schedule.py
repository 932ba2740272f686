"""Pure scheduling policy as data (catalogue/notify_policy.yaml); no I/O except `load_policy`.
Aware datetimes in the policy's zone; keys depend only on (case, step, due date, kind, audience)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_POLICY_PATH = Path(__file__).parent / "catalogue" / "notify_policy.yaml"


class WorkingCalendarPort(Protocol):
    def is_working_day(self, d: date) -> bool: ...
    def add_working_days(self, d: date, n: int) -> date: ...


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OfficeHours(_Frozen):
    start: time = time(7, 30)
    end: time = time(16, 30)

    @model_validator(mode="after")
    def _start_before_end(self) -> OfficeHours:
        if self.start >= self.end:
            raise ValueError("office_hours.start must be before office_hours.end")
        return self


class Step(_Frozen):
    kind: str
    offset_working_days: int = Field(ge=0)
    audience: str
    template: str


class AckPolicy(_Frozen):
    require_consent: bool = True
    respect_office_hours: bool = False
    events: dict[str, str] = {}
    overrides: dict[str, dict[str, str]] = {}
    to_cao_acceptance_within_working_days: int = Field(default=5, ge=1)


class TaskReportPolicy(_Frozen):
    offsets_working_days: list[int] = [5, 1, 0]
    audience: str = "unit"
    template: str = "task_report_reminder"


class DigestPolicy(_Frozen):
    enabled: bool = True
    send_time: time = time(7, 30)
    template: str = "daily_digest"
    due_soon_working_days: int = 3


class NotifyPolicy(_Frozen):
    timezone: str = "Asia/Ho_Chi_Minh"
    office_hours: OfficeHours = OfficeHours()
    send_time: time = time(8, 0)
    reminders: list[Step] = []
    ladder: list[Step] = []
    acknowledgements: AckPolicy = AckPolicy()
    task_reports: TaskReportPolicy = TaskReportPolicy()
    digest: DigestPolicy = DigestPolicy()
    steps_done_on_acceptance: list[str] = ["xu_ly_don", "thu_ly"]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_policy(path: Path | None = None) -> NotifyPolicy:
    """Read and validate the YAML policy; errors name the offending field."""
    with open(path or DEFAULT_POLICY_PATH, encoding="utf-8") as handle:
        return NotifyPolicy.model_validate(yaml.safe_load(handle) or {})


def clamp_to_office_hours(dt: datetime, policy: NotifyPolicy, calendar: WorkingCalendarPort
                          ) -> datetime:
    """`dt` itself if it lies in office hours of a working day, else the next opening time."""
    if dt.tzinfo is None:
        raise ValueError("clamp_to_office_hours needs an aware datetime")
    local = dt.astimezone(policy.tz)
    hours, day = policy.office_hours, local.date()
    if calendar.is_working_day(day) and local.time() < hours.end:
        if local.time() >= hours.start:
            return local
        return datetime.combine(day, hours.start, policy.tz)
    return datetime.combine(calendar.add_working_days(day, 1), hours.start, policy.tz)


def send_time_on(day: date, policy: NotifyPolicy, calendar: WorkingCalendarPort,
                 at: time | None = None) -> datetime:
    local = datetime.combine(day, at or policy.send_time, policy.tz)
    return clamp_to_office_hours(local, policy, calendar)


def idempotency_key(case_ref: str, step: str, due: date, kind: str, audience: str) -> str:
    raw = "\x1f".join([case_ref, step, due.isoformat(), kind, audience])
    return f"{kind}:{hashlib.sha256(raw.encode('utf-8')).hexdigest()[:32]}"


@dataclass(frozen=True)
class CaseDeadline:  # one deadline of one case, from routing; due_date ends at 24:00 local
    case_ref: str
    step: str
    due_date: date


@dataclass(frozen=True)
class PlannedNotification:
    kind: str
    audience: str
    send_at: datetime
    idempotency_key: str
    template: str
    case_ref: str = ""
    step: str = ""
    due_date: date | None = None
    phase: str = "before"  # before | after | ack | task | digest
    office_hours_only: bool = True
    not_after: datetime | None = None


def _day_before_due(due: date, offset: int, calendar: WorkingCalendarPort) -> date:
    if offset == 0 and calendar.is_working_day(due):
        return due
    return calendar.add_working_days(due, -max(offset, 1))


def _plan(deadline: CaseDeadline, rule: Step, phase: str, policy, calendar):
    due, offset = deadline.due_date, rule.offset_working_days
    if phase == "after":
        day = calendar.add_working_days(due, max(offset, 1))
    else:
        day = _day_before_due(due, offset, calendar)
    key = idempotency_key(deadline.case_ref, deadline.step, due, rule.kind, rule.audience)
    return PlannedNotification(
        kind=rule.kind, audience=rule.audience, send_at=send_time_on(day, policy, calendar),
        idempotency_key=key, template=rule.template, case_ref=deadline.case_ref, step=deadline.step,
        due_date=deadline.due_date, phase=phase,
    )


def plan_case_notifications(deadline: CaseDeadline, policy: NotifyPolicy,
                            calendar: WorkingCalendarPort) -> list[PlannedNotification]:
    """Reminders before the due date and the escalation ladder after it, sorted by send time."""
    before = [_plan(deadline, r, "before", policy, calendar) for r in policy.reminders]
    after = [_plan(deadline, s, "after", policy, calendar) for s in policy.ladder]
    return sorted(before + after, key=lambda p: (p.send_at, p.kind))


def messages_per_deadline(policy: NotifyPolicy) -> int:
    """How many messages `plan_case_notifications` plans for any deadline: one per reminder
    and per ladder step."""
    return len(policy.reminders) + len(policy.ladder)


@dataclass(frozen=True)
class AckRequest:  # event: received | forwarded | accepted | extended | answered
    case_ref: str
    case_type: str
    event: str
    occurred_on: date
    sender_consent: bool
    sender_contact: str | None
    detail: str = ""  # distinguishes repeated events on one day (e.g. the new due date)


def acknowledgement_blocker(ack: AckRequest, policy: NotifyPolicy) -> str | None:
    """Why no message can go to the sender (None: it can). Tell the handling officer."""
    rules = policy.acknowledgements
    if _ack_template(ack, policy) is None:
        return f"no template for event {ack.event!r}"
    if not (ack.sender_contact or "").strip():
        return "sender gave no contact address"
    if rules.require_consent and not ack.sender_consent:
        return "sender did not consent to electronic notices"
    return None


def _ack_template(ack: AckRequest, policy: NotifyPolicy) -> str | None:
    rules = policy.acknowledgements
    override = rules.overrides.get(ack.case_type, {}).get(ack.event)
    return override or rules.events.get(ack.event)


def plan_acknowledgement(ack: AckRequest, policy: NotifyPolicy, calendar: WorkingCalendarPort,
                         now: datetime) -> list[PlannedNotification]:
    """At most one message to the sender; empty when `acknowledgement_blocker` gives a reason."""
    if acknowledgement_blocker(ack, policy) is not None:
        return []
    template = _ack_template(ack, policy)
    rules, step = policy.acknowledgements, f"{ack.event}:{ack.detail}"
    send_at = clamp_to_office_hours(now, policy, calendar) if rules.respect_office_hours else now
    not_after = None
    if template == "to_cao_acceptance":
        last = calendar.add_working_days(ack.occurred_on,
                                         rules.to_cao_acceptance_within_working_days)
        not_after = datetime.combine(last, policy.office_hours.end, policy.tz)
    key = idempotency_key(ack.case_ref, step, ack.occurred_on, template, "sender")
    return [PlannedNotification(
        kind=template, audience="sender", send_at=send_at, idempotency_key=key, template=template,
        case_ref=ack.case_ref, step=step, due_date=ack.occurred_on, phase="ack",
        office_hours_only=rules.respect_office_hours, not_after=not_after,
    )]


@dataclass(frozen=True)
class ReportDue:  # a report a unit owes (6-month, annual…), from the plan's task catalogue
    unit_id: str
    report_id: str
    due_date: date


def plan_task_report_reminders(report: ReportDue, policy: NotifyPolicy,
                               calendar: WorkingCalendarPort) -> list[PlannedNotification]:
    rules = policy.task_reports
    deadline = CaseDeadline(f"{report.report_id}@{report.unit_id}", "report", report.due_date)
    planned = {}  # one per day: offsets landing on the same day collapse
    for offset in sorted(rules.offsets_working_days, reverse=True):
        rule = Step(kind=f"{rules.template}-{offset}", offset_working_days=offset,
                    audience=rules.audience, template=rules.template)
        item = _plan(deadline, rule, "task", policy, calendar)
        planned[item.send_at] = item
    return sorted(planned.values(), key=lambda p: p.send_at)


def plan_daily_digest(unit_id: str, day: date, policy: NotifyPolicy,
                      calendar: WorkingCalendarPort) -> PlannedNotification | None:
    """The unit's digest for `day`; None on non-working days or when digests are disabled."""
    if not policy.digest.enabled or not calendar.is_working_day(day):
        return None
    kind, at = policy.digest.template, policy.digest.send_time
    return PlannedNotification(
        kind=kind, audience="unit", send_at=send_time_on(day, policy, calendar, at),
        idempotency_key=idempotency_key(unit_id, "digest", day, kind, "unit"), template=kind,
        case_ref=unit_id, due_date=day, phase="digest",
    )


def _deadline_passed(item: PlannedNotification, now: datetime, policy: NotifyPolicy) -> bool:
    end = datetime.combine(item.due_date + timedelta(days=1), time(0), policy.tz)
    return item.phase in ("before", "task") and now >= end


def select_due(
    plan: Iterable[PlannedNotification], now: datetime, done: set[str],
    policy: NotifyPolicy, calendar: WorkingCalendarPort,
) -> tuple[list[PlannedNotification], list[PlannedNotification]]:
    """(send, skip) at `now`. Skipped: reminders whose deadline has passed, and older reminders
    of a deadline superseded by a later one that is also due. Office-hours items outside office
    hours are neither: they wait."""
    due = [p for p in plan if p.idempotency_key not in done and p.send_at <= now]
    skip = [p for p in due if _deadline_passed(p, now, policy)]
    live = [p for p in due if p not in skip]
    latest: dict[tuple, PlannedNotification] = {}
    for p in (p for p in live if p.phase in ("before", "task")):
        group = (p.case_ref, p.step, p.due_date, p.audience)
        if group not in latest or p.send_at >= latest[group].send_at:
            latest[group] = p
    skip += [p for p in live if p.phase in ("before", "task") and p not in latest.values()]
    open_now = clamp_to_office_hours(now, policy, calendar) == now
    send = [p for p in live if p not in skip and (open_now or not p.office_hours_only)]
    return send, skip


@dataclass
class StepWalker:
    """Walks a plan with an injected clock: `next_wakeup()` says when to look, `tick()` sends."""
    plan: list[PlannedNotification]
    clock: Callable[[], datetime]
    policy: NotifyPolicy
    calendar: WorkingCalendarPort
    sent: list[PlannedNotification] = field(default_factory=list)
    skipped: list[PlannedNotification] = field(default_factory=list)

    def done(self) -> set[str]:
        return {p.idempotency_key for p in self.sent + self.skipped}

    def pending(self) -> list[PlannedNotification]:
        return [p for p in self.plan if p.idempotency_key not in self.done()]

    def next_wakeup(self) -> datetime | None:
        now = self.clock()
        return min((self._effective(p, now) for p in self.pending()), default=None)

    def _effective(self, item: PlannedNotification, now: datetime) -> datetime:
        at = max(item.send_at, now)
        if not item.office_hours_only:
            return at
        return clamp_to_office_hours(at, self.policy, self.calendar)

    def tick(self) -> list[PlannedNotification]:
        send, skip = select_due(self.plan, self.clock(), self.done(), self.policy, self.calendar)
        self.sent += send
        self.skipped += skip
        return send
