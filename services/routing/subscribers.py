"""routing's subscribers: contract in, one handler call, nothing else."""

from __future__ import annotations

from faststream.rabbit import RabbitRouter

from shared.contracts.base import Envelope
from shared.contracts.feedback import FeedbackReceived
from shared.messaging.broker import work_queue
from shared.messaging.topology import queue_spec

from . import handlers
from .bootstrap import Routing


def build_router(routing: Routing) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(work_queue(queue_spec("routing.cases")), title="routing.cases")
    async def on_feedback_received(envelope: Envelope[FeedbackReceived]) -> None:
        await handlers.assign_case(envelope, uow=routing.uow, decide=routing.decide)

    return router
