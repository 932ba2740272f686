"""claim(): one statement records a message as processed, and says whether it already was."""

import asyncio

from sqlalchemy import func, select

from services.routing.orm import inbox, outbox
from shared.messaging.uow import SqlUnitOfWork


def _uow(sessions) -> SqlUnitOfWork:
    return SqlUnitOfWork(sessions, outbox=outbox, inbox=inbox)


async def _claim(sessions, event_id: str, *, commit: bool = True, hold: float = 0.0) -> bool:
    async with _uow(sessions) as work:
        claimed = await work.claim(event_id, "routing.cases")
        await asyncio.sleep(hold)
        if commit:
            await work.commit()
    return claimed


async def test_a_message_is_claimed_once_and_a_claim_not_committed_is_undone(migrated):
    _engine, sessions = await migrated("routing")
    assert await _claim(sessions, "e-1", commit=False) is True
    assert await _claim(sessions, "e-1") is True  # the first claim was rolled back
    assert await _claim(sessions, "e-1") is False
    async with _uow(sessions) as work:
        assert await work.already_processed("e-1", "routing.cases")
        assert await work.claim("e-1", "reporting.events") is True  # per consumer
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(inbox)) == 1


async def test_two_replicas_claiming_the_same_message_at_once_get_one_claim(migrated):
    _engine, sessions = await migrated("routing")
    results = await asyncio.gather(_claim(sessions, "e-2", hold=0.3),
                                   _claim(sessions, "e-2", hold=0.3))
    assert sorted(results) == [False, True]
