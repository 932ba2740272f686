"""The outbox relay on a real database: publishes in order, marks sent, keeps what failed."""

from sqlalchemy import insert, select

from services.intake.orm import outbox
from shared.contracts.base import make_envelope
from shared.messaging.relay import OutboxRelay
from shared.messaging.uow import outbox_row
from shared.testing.factories import received_event
import contextlib


async def _fill(sessions, n: int) -> list[str]:
    envelopes = [make_envelope(received_event(f"PAKN-2026-{i:06d}"), producer="t")
                 for i in range(n)]
    async with sessions() as s, s.begin():
        for e in envelopes:
            await s.execute(insert(outbox).values(**outbox_row(e, "dvk.events")))
    return [e.event_id for e in envelopes]


async def _unpublished(sessions) -> int:
    async with sessions() as s:
        return len((await s.execute(select(outbox.c.id).where(
            outbox.c.published_at.is_(None)))).all())


async def test_relay_publishes_in_order_and_marks_sent(migrated):
    engine, sessions = await migrated("intake")
    ids = await _fill(sessions, 5)
    sent: list[str] = []

    async def publish(row):
        sent.append(row.event_id)

    relay = OutboxRelay(engine=engine, sessions=sessions, outbox=outbox, publish=publish)
    assert await relay.relay_once() == 5
    assert sent == ids and await _unpublished(sessions) == 0
    assert await relay.relay_once() == 0


async def test_failed_publish_keeps_the_row_for_the_next_pass(migrated):
    engine, sessions = await migrated("intake")
    ids = await _fill(sessions, 3)
    broken = {ids[1]}

    async def publish(row):
        if row.event_id in broken:
            raise ConnectionError("broker gone")

    relay = OutboxRelay(engine=engine, sessions=sessions, outbox=outbox, publish=publish)
    with contextlib.suppress(ConnectionError):
        await relay.relay_once()
    assert await _unpublished(sessions) == 1
    broken.clear()
    assert await relay.relay_once() == 1 and await _unpublished(sessions) == 0
