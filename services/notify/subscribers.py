"""notify's subscribers: contract in, one handler call. One subscriber per queue, one handler
per event type."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitRouter

from shared.contracts.base import Envelope
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.plan import TaskProgressReported
from shared.contracts.reporting import ReportGenerated
from shared.contracts.routing import CaseAssigned, CaseReassigned, DeadlineChanged
from shared.contracts.updates import CaseStatusChanged
from shared.messaging.broker import of_type, work_queue
from shared.messaging.topology import queue_spec

from . import handlers, reports
from .bootstrap import Notify


def build_router(notify: Notify) -> RabbitRouter:
    router = RabbitRouter()
    deps = {"uow": notify.uow, "planning": notify.planning}
    _cases(router, notify, {**deps, "uow": notify.consumer_uow})
    deliveries = router.subscriber(work_queue(queue_spec("notify.reports")),
                                   title="notify.reports")

    @deliveries(filter=of_type(ReportGenerated.message_type))
    async def on_report_generated(envelope: Envelope[ReportGenerated]) -> None:
        await reports.on_report_generated(envelope, **deps)

    return router


def _cases(router: RabbitRouter, notify: Notify, deps: dict[str, Any]) -> None:
    cases = router.subscriber(work_queue(queue_spec("notify.cases")), title="notify.cases")

    @cases(filter=of_type(CaseAssigned.message_type))
    async def on_case_assigned(envelope: Envelope[CaseAssigned]) -> None:
        await handlers.schedule_case(envelope, plan=notify.plan, **deps)

    @cases(filter=of_type(CaseReassigned.message_type))
    async def on_case_reassigned(envelope: Envelope[CaseReassigned]) -> None:
        await handlers.on_case_reassigned(envelope, **deps)

    @cases(filter=of_type(DeadlineChanged.message_type))
    async def on_deadline_changed(envelope: Envelope[DeadlineChanged]) -> None:
        await handlers.on_deadline_changed(envelope, **deps)

    @cases(filter=of_type(CaseStatusChanged.message_type))
    async def on_status_changed(envelope: Envelope[CaseStatusChanged]) -> None:
        await handlers.on_status_changed(envelope, **deps)

    @cases(filter=of_type(FeedbackReceived.message_type))
    async def on_feedback_received(envelope: Envelope[FeedbackReceived]) -> None:
        await handlers.on_feedback_received(envelope, **deps)

    @cases(filter=of_type(TaskProgressReported.message_type))
    async def on_task_progress(envelope: Envelope[TaskProgressReported]) -> None:
        await handlers.on_task_progress(envelope, **deps)
