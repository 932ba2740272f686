"""reporting's use cases: keep every event and project it; build reports on request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.contracts.base import Envelope, RawEnvelope, caused_by, utc_now
from shared.contracts.plan import ReportRequested
from shared.errors import PermanentError
from shared.logging import get_logger

from .builder import ReportRequest
from .projections import PROJECTIONS, EventMeta
from .reports import ReportMaker, build_record
from .uow import ReportingUnitOfWork

log = get_logger()
REQUESTS = "reporting.requests"
PRODUCER = "reporting"


async def record_event(envelope: RawEnvelope, *,
                       uow: Callable[[], ReportingUnitOfWork]) -> None:
    async with uow() as work:
        if not await work.events.record(envelope):
            return
        await apply(work, envelope)
        await work.commit()


async def apply(work: ReportingUnitOfWork, envelope: RawEnvelope) -> None:
    """Project one event into the read model (nothing for types the reports do not use)."""
    found = PROJECTIONS.get((envelope.type, envelope.schema_version))
    if found is None:
        return
    event = found.model.model_validate(envelope.data)
    meta = EventMeta(envelope.event_id, envelope.occurred_at)
    row = await work.rows.get_or_new(found.table, found.key(event, meta))
    found.apply(row, event, meta)


def request_of(data: Any) -> ReportRequest:
    try:
        return ReportRequest(family=data.family, period=data.period, scope=data.scope)
    except ValueError as exc:
        raise PermanentError(f"report request refused: {exc}") from exc


async def build_requested(envelope: Envelope[ReportRequested], *,
                          uow: Callable[[], ReportingUnitOfWork], maker: ReportMaker) -> None:
    """Build the report asked for, keep its files, announce them (notify mails the Office).

    The files are written before the unit of work that records the build and its event; a
    crash in between builds again on redelivery, in a new folder."""
    async with uow() as work:
        if await work.already_processed(envelope.event_id, REQUESTS):
            return
    request = request_of(envelope.data)
    started = utc_now()
    try:
        generated = await maker.make(request, started)
    except ValueError as exc:
        raise PermanentError(f"report request refused: {exc}") from exc
    async with uow() as work:
        if await work.already_processed(envelope.event_id, REQUESTS):
            return
        work.builds.add(build_record(generated, trigger="request",
                                     requested_by=envelope.data.requested_by,
                                     started_at=started, finished_at=utc_now()))
        await work.publish(caused_by(envelope, generated, producer=PRODUCER))
        await work.mark_processed(envelope.event_id, REQUESTS)
        await work.commit()
    log.info("report built on request", report_id=generated.report_id,
             files=len(generated.files))
