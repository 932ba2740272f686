"""notify's use cases: one unit of work per message, events through the outbox."""

from __future__ import annotations

from collections.abc import Callable

from shared.contracts.base import Envelope, caused_by, utc_now
from shared.contracts.notify import NotificationsScheduled
from shared.contracts.routing import CaseAssigned
from shared.logging import get_logger

from . import domain
from .orm import ScheduledNotification
from .schedule import PlannedNotification
from .uow import NotifyUnitOfWork

log = get_logger()
PRODUCER = "notify"
CONSUMER = "notify.cases"

Plan = Callable[[CaseAssigned], list[PlannedNotification]]


async def schedule_case(envelope: Envelope[CaseAssigned], *,
                        uow: Callable[[], NotifyUnitOfWork], plan: Plan) -> None:
    case = envelope.data
    async with uow() as work:
        if await work.already_processed(envelope.event_id, CONSUMER):
            return
        planned = plan(case)
        known = await work.schedule.existing_keys([p.idempotency_key for p in planned])
        fresh = [p for p in planned if p.idempotency_key not in known]
        work.schedule.add_all([_row(case, p) for p in fresh])
        if fresh:
            await work.publish(caused_by(envelope, NotificationsScheduled(
                ref=case.ref, unit_code=case.assignment.unit_code,
                items=[domain.as_scheduled_item(p) for p in fresh]), producer=PRODUCER))
        await work.mark_processed(envelope.event_id, CONSUMER)
        await work.commit()
    log.info("notifications scheduled", ref=case.ref, count=len(fresh))


def _row(case: CaseAssigned, item: PlannedNotification) -> ScheduledNotification:
    return ScheduledNotification(
        idempotency_key=item.idempotency_key, case_ref=case.ref,
        unit_code=case.assignment.unit_code, kind=item.kind, audience=item.audience,
        template=item.template, step=item.step, phase=item.phase, due_on=item.due_date,
        send_at=item.send_at, office_hours_only=item.office_hours_only, status="scheduled",
        attempts=0, context=domain.render_context(case, item), created_at=utc_now())
