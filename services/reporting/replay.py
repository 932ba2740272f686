"""Rebuild the read model from the retained events (`dvk report rebuild`).

In one transaction: empty every read-model table, then apply every event of `event_log` in the
order it was stored. The projections do not depend on that order, so the result is the read
model the service built live. The event log, the inbox, the outbox and the record of built
reports are kept. While it runs, the live consumer waits (its writes retry): a replay never
interleaves with new events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.contracts.base import RawEnvelope
from shared.logging import get_logger

from .handlers import apply
from .projections import PROJECTIONS
from .uow import ReportingUnitOfWork

log = get_logger()
BATCH = 2000


@dataclass(frozen=True)
class ReplayResult:
    events: int
    projected: int


async def rebuild(uow: Callable[[], ReportingUnitOfWork], *, batch: int = BATCH) -> ReplayResult:
    events = projected = 0
    async with uow() as work:
        await work.rows.clear()
        seq = 0
        while rows := await work.events.batch_after(seq, batch):
            for seq, body in rows:  # noqa: B007 (the last seq is where the next batch starts)
                envelope = RawEnvelope.model_validate_json(body)
                await apply(work, envelope)
                events += 1
                projected += (envelope.type, envelope.schema_version) in PROJECTIONS
            await work.session.flush()
            work.session.expunge_all()  # memory stays one batch deep
        await work.commit()
    log.info("read model rebuilt", events=events, projected=projected)
    return ReplayResult(events=events, projected=projected)
