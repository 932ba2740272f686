"""notify's subscribers: contract in, one handler call."""

from __future__ import annotations

from faststream.rabbit import RabbitRouter

from shared.contracts.base import Envelope
from shared.contracts.routing import CaseAssigned
from shared.messaging.broker import of_type, work_queue
from shared.messaging.topology import queue_spec

from . import handlers
from .bootstrap import Notify


def build_router(notify: Notify) -> RabbitRouter:
    router = RabbitRouter()

    cases = router.subscriber(work_queue(queue_spec("notify.cases")), title="notify.cases")

    @cases(filter=of_type(CaseAssigned.message_type))
    async def on_case_assigned(envelope: Envelope[CaseAssigned]) -> None:
        await handlers.schedule_case(envelope, uow=notify.uow, plan=notify.plan)

    return router
