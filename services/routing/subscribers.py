"""routing's subscribers: contract in, one handler call, nothing else."""

from __future__ import annotations

from faststream.rabbit import RabbitRouter

from shared.contracts.base import Envelope
from shared.contracts.feedback import FeedbackReceived
from shared.contracts.updates import CaseStatusChanged
from shared.messaging.broker import of_type, work_queue
from shared.messaging.topology import queue_spec

from . import handlers
from .bootstrap import Routing


def build_router(routing: Routing) -> RabbitRouter:
    router = RabbitRouter()

    cases = router.subscriber(work_queue(queue_spec("routing.cases")), title="routing.cases")

    @cases(filter=of_type(FeedbackReceived.message_type))
    async def on_feedback_received(envelope: Envelope[FeedbackReceived]) -> None:
        await handlers.assign_case(envelope, uow=routing.consumer_uow, decide=routing.decide)

    @cases(filter=of_type(CaseStatusChanged.message_type))
    async def on_case_status_changed(envelope: Envelope[CaseStatusChanged]) -> None:
        await handlers.apply_status_change(envelope, uow=routing.consumer_uow, react=routing.react,
                                           unit_name=routing.policy.unit_name)

    return router
