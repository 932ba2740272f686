"""notify wired for tests: a real database, the real calendar, units and templates, a settable
clock, and recording (or real) transports. Plus the events other services send notify."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.notify import handlers, reports
from services.notify.bootstrap import Notify
from services.notify.channels import DeliveryResult, OutgoingMessage
from services.notify.compose import Composer
from services.notify.dispatcher import Dispatcher
from services.notify.orm import DeliveryLogEntry, ScheduledNotification, outbox
from services.notify.planner import PeriodicPlanner
from services.notify.retry import RetryPolicy
from services.notify.schedule import load_policy
from services.notify.scheduling import Planning
from services.notify.templating import TemplateRenderer
from shared.calendar import default_calendar
from shared.confidential import Sealer
from shared.contracts.base import Envelope, make_envelope
from shared.contracts.feedback import FeedbackReceived, SenderSummary
from shared.contracts.routing import Assignment, CaseAssigned, StepDeadline
from shared.plan import default_plan
from shared.units import UnitCatalogue

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KEY = "m0eLvXKRr2C0hVbQkB7v3LZQzI0n8hH1pGfVdFJ7p3Y="


def vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN)


class SettableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class Recorder:
    """A transport that records what it is given, at the clock's time; scripted results."""

    name = "recorder"

    def __init__(self, clock: SettableClock, results: list[DeliveryResult] | None = None) -> None:
        self.clock, self.results = clock, list(results or [])
        self.sent: list[tuple[datetime, OutgoingMessage]] = []

    async def send(self, message: OutgoingMessage, *, commit_point=None) -> DeliveryResult:
        if commit_point is not None:
            await commit_point()
        result = self.results.pop(0) if self.results else DeliveryResult.sent("recorded")
        if result.ok:
            self.sent.append((self.clock(), message))
        return result

    @property
    def keys(self) -> list[str]:
        return [m.idempotency_key for _, m in self.sent]


@dataclass
class Harness:
    notify: Notify
    dispatcher: Dispatcher
    clock: SettableClock
    transports: dict[str, Any]
    sealer: Sealer
    planning: Planning = field(init=False)

    def __post_init__(self) -> None:
        self.planning = self.notify.planning

    async def handle(self, envelope: Envelope[Any]) -> None:
        handler = HANDLERS[envelope.type]
        extra = {"plan": None} if handler is handlers.schedule_case else {}
        await handler(envelope, uow=self.notify.uow, planning=self.planning, **extra)

    async def rows(self, ref: str | None = None) -> list[ScheduledNotification]:
        async with self.notify.sessions() as session:
            query = select(ScheduledNotification).order_by(ScheduledNotification.send_at,
                                                           ScheduledNotification.idempotency_key)
            if ref:
                query = query.where(ScheduledNotification.case_ref == ref)
            return list(await session.scalars(query))

    async def events(self) -> list[dict[str, Any]]:
        async with self.notify.sessions() as session:
            bodies = await session.scalars(select(outbox.c.body).order_by(outbox.c.id))
            return [json.loads(b) for b in bodies]

    async def log(self) -> list[DeliveryLogEntry]:
        async with self.notify.sessions() as session:
            return list(await session.scalars(select(DeliveryLogEntry)
                                              .order_by(DeliveryLogEntry.id)))


HANDLERS = {"routing.case_assigned": handlers.schedule_case,
            "routing.case_reassigned": handlers.on_case_reassigned,
            "routing.deadline_changed": handlers.on_deadline_changed,
            "intake.case_status_changed": handlers.on_status_changed,
            "intake.feedback_received": handlers.on_feedback_received,
            "intake.task_progress_reported": handlers.on_task_progress,
            "reporting.report_generated": reports.on_report_generated}


def build_harness(engine, sessions, clock: SettableClock, *, transports: dict | None = None,
                  webhooks: tuple = (), worker: str = "w1", lease_seconds: float = 300,
                  retry: RetryPolicy | None = None) -> Harness:
    planning = Planning(policy=load_policy(), calendar=default_calendar(), webhooks=webhooks,
                        clock=clock, obligations=default_plan().report_obligations)
    notify = Notify(engine=engine, sessions=sessions, planning=planning)
    units = UnitCatalogue.load()
    sealer = Sealer([KEY])
    transports = transports if transports is not None else {"email": Recorder(clock)}
    composer = Composer(units=units, renderer=TemplateRenderer(), sealer=sealer,
                        policy=planning.policy, calendar=planning.calendar, webhooks=webhooks)
    dispatcher = Dispatcher(
        uow=notify.background_uow, read_uow=notify.read_uow,
        skip_locked=engine.dialect.name == "postgresql", composer=composer,
        transports=transports, policy=planning.policy, calendar=planning.calendar, units=units,
        worker_id=worker, clock=clock, retry=retry or RetryPolicy(), batch_size=50,
        lease=timedelta(seconds=lease_seconds), poll_seconds=0.05,
        planner=PeriodicPlanner(uow=notify.background_uow, planning=planning, units=units))
    notify.dispatcher = dispatcher
    return Harness(notify, dispatcher, clock, transports, sealer)


# --- events ---------------------------------------------------------------------------------

def deadline(step: str, due: date, label: str = "Giải quyết") -> StepDeadline:
    return StepDeadline(step=step, label=label, due_on=due, days=10, day_unit="working",
                        counted_from=due - timedelta(days=14), legal_basis="Luật Khiếu nại")


def assigned(ref: str, *, unit: str = "LAO_DONG_VIEC_LAM",
             unit_name: str = "Phòng Lao động - Việc làm", kind: str = "kien_nghi",
             deadlines: list[StepDeadline], at: datetime, triage: bool = False) -> Envelope:
    payload = CaseAssigned(ref=ref, kind=kind, received_at=at - timedelta(hours=1),
                           assignment=Assignment(unit_code=unit, unit_name=unit_name,
                                                 rule_id="r1", explanation="theo từ khóa"),
                           deadlines=deadlines, needs_triage=triage)
    return make_envelope(payload, producer="routing", occurred_at=at)


def received(ref: str, sealer: Sealer, *, kind: str = "kien_nghi", at: datetime,
             contact: dict | None = None, consent: bool = True) -> Envelope:
    sealed = sealer.seal(json.dumps(contact, ensure_ascii=False)) if contact and consent else None
    payload = FeedbackReceived(
        source_system="cong-dvc", external_id=f"X-{ref}", kind=kind, channel="cong_dich_vu_cong",
        received_at=at, subject="Chậm chi trả trợ cấp thất nghiệp",
        content="Hai tháng chưa nhận được trợ cấp.", ref=ref, sealed_contact=sealed,
        sender=SenderSummary(anonymous=False, consent_to_contact=consent,
                             has_contact=contact is not None, protected=kind == "to_cao"))
    return make_envelope(payload, producer="intake", occurred_at=at)
