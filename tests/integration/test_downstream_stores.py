"""routing, notify and reporting on a real database: each effect once, whatever arrives twice."""

import pytest
from sqlalchemy import func, select

from services.notify import handlers as notify_handlers
from services.notify.bootstrap import Notify
from services.notify.orm import ScheduledNotification
from services.reporting import handlers as reporting_handlers
from services.reporting.bootstrap import Reporting
from services.routing import handlers as routing_handlers
from services.routing.bootstrap import Routing, load_policy
from services.routing.orm import Assignment
from shared.contracts.base import Envelope
from shared.contracts.routing import CaseAssigned
from shared.settings import CommonSettings
from shared.testing.factories import envelope_of, received_event


async def _count(sessions, table) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(table))


async def _outbox_keys(sessions, outbox) -> list[str]:
    async with sessions() as s:
        return list(await s.scalars(select(outbox.c.routing_key).order_by(outbox.c.id)))


@pytest.fixture
async def routing(migrated) -> Routing:
    engine, sessions = await migrated("routing")
    return Routing(engine=engine, sessions=sessions, policy=load_policy(CommonSettings()))


async def test_routing_assigns_once_per_case(routing):
    from services.routing.orm import outbox

    envelope = envelope_of(received_event("PAKN-2026-000007", kind="kien_nghi",
                                          subject="Chậm chi trả trợ cấp thất nghiệp"))
    for _ in range(2):
        await routing_handlers.assign_case(envelope, uow=routing.uow, decide=routing.decide)
    again = envelope_of(received_event("PAKN-2026-000007"))  # same case, new event id
    await routing_handlers.assign_case(again, uow=routing.uow, decide=routing.decide)
    assert await _count(routing.sessions, Assignment) == 1
    assert await _outbox_keys(routing.sessions, outbox) == ["routing.case_assigned.v1"]


async def test_unmatched_case_goes_to_the_office_for_triage(routing):
    from services.routing.orm import outbox

    envelope = envelope_of(received_event("PAKN-2026-000008", kind="phan_anh",
                                          subject="Ý kiến chung", content="Xin cảm ơn."))
    await routing_handlers.assign_case(envelope, uow=routing.uow, decide=routing.decide)
    assert await _outbox_keys(routing.sessions, outbox) == [
        "routing.case_assigned.v1", "routing.case_needs_triage.v1"]


def _assigned(routing_decision_ref: str, policy) -> Envelope[CaseAssigned]:
    case = received_event(routing_decision_ref, subject="Trợ cấp thất nghiệp chậm")
    decision = policy.decide(case)
    return envelope_of(CaseAssigned(ref=case.ref, kind=case.kind, received_at=case.received_at,
                                    assignment=decision.assignment,
                                    deadlines=decision.deadlines))


async def test_notify_schedules_each_reminder_once(migrated):
    from services.notify.bootstrap import default_plan
    from services.notify.orm import outbox

    engine, sessions = await migrated("notify")
    notify = Notify(engine=engine, sessions=sessions, plan=default_plan(CommonSettings()))
    envelope = _assigned("PAKN-2026-000009", load_policy(CommonSettings()))
    await notify_handlers.schedule_case(envelope, uow=notify.uow, plan=notify.plan)
    first = await _count(sessions, ScheduledNotification)
    await notify_handlers.schedule_case(envelope, uow=notify.uow, plan=notify.plan)
    replanned = envelope_of(envelope.data)  # the same assignment announced again
    await notify_handlers.schedule_case(replanned, uow=notify.uow, plan=notify.plan)
    assert first > 0 and await _count(sessions, ScheduledNotification) == first
    assert await _outbox_keys(sessions, outbox) == ["notify.notifications_scheduled.v1"]


async def test_reporting_counts_once_in_any_order(migrated):
    from shared.contracts.base import RawEnvelope

    engine, sessions = await migrated("reporting")
    reporting = Reporting(engine=engine, sessions=sessions)
    received = envelope_of(received_event("PAKN-2026-000010"))
    assigned = _assigned("PAKN-2026-000010", load_policy(CommonSettings()))
    raw = [RawEnvelope.model_validate_json(e.model_dump_json()) for e in (assigned, received)]
    for envelope in [*raw, *raw]:  # out of order, and each twice
        await reporting_handlers.record_event(envelope, uow=reporting.uow)
    async with reporting.uow() as work:
        counts = await work.facts.counts()
    assert counts["received"] == 1 and counts["assigned"] == 1
