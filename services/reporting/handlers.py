"""reporting's use cases: keep every event, project the ones the read model needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.contracts.base import RawEnvelope
from shared.logging import get_logger

from .orm import StoredEvent
from .projections import PROJECTIONS
from .uow import ReportingUnitOfWork

log = get_logger()
CONSUMER = "reporting.events"


async def record_event(envelope: RawEnvelope, *,
                       uow: Callable[[], ReportingUnitOfWork]) -> None:
    async with uow() as work:
        if await work.already_processed(envelope.event_id, CONSUMER):
            return
        work.events.append(StoredEvent(
            event_id=envelope.event_id, type=envelope.type,
            schema_version=envelope.schema_version, occurred_at=envelope.occurred_at,
            body=envelope.model_dump_json()))
        await apply(work, envelope.type, envelope.schema_version, envelope.data)
        await work.mark_processed(envelope.event_id, CONSUMER)
        await work.commit()


async def apply(work: ReportingUnitOfWork, message_type: str, version: int,
                data: dict[str, Any]) -> None:
    found = PROJECTIONS.get((message_type, version))
    if found is None or "ref" not in data:
        return
    model, project = found
    event = model.model_validate(data)
    project(await work.facts.get_or_new(data["ref"]), event)
