"""reporting's subscriber: every event on dvk.events that the read model keeps."""

from __future__ import annotations

from faststream.rabbit import RabbitRouter

from shared.contracts.base import RawEnvelope
from shared.messaging.broker import work_queue
from shared.messaging.topology import queue_spec

from . import handlers
from .bootstrap import Reporting


def build_router(reporting: Reporting) -> RabbitRouter:
    router = RabbitRouter()

    @router.subscriber(work_queue(queue_spec("reporting.events")), title="reporting.events")
    async def on_event(envelope: RawEnvelope) -> None:
        await handlers.record_event(envelope, uow=reporting.uow)

    return router
