"""reporting's subscribers: every event for the read model; report requests to build."""

from __future__ import annotations

from faststream.rabbit import RabbitRouter

from shared.contracts.base import Envelope, RawEnvelope
from shared.contracts.plan import ReportRequested
from shared.messaging.broker import of_type, work_queue
from shared.messaging.topology import queue_spec

from . import handlers
from .bootstrap import Reporting


def build_router(reporting: Reporting) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(work_queue(queue_spec("reporting.events")), title="reporting.events")
    async def on_event(envelope: RawEnvelope) -> None:
        await handlers.record_event(envelope, uow=reporting.consumer_uow)

    requests = router.subscriber(work_queue(queue_spec("reporting.requests")),
                                 title="reporting.requests")

    @requests(filter=of_type(ReportRequested.message_type))
    async def on_report_requested(envelope: Envelope[ReportRequested]) -> None:
        await handlers.build_requested(envelope, uow=reporting.uow, maker=reporting.maker)

    return router
