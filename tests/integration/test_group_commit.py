"""Group commit on a real database: messages in flight share one transaction, each commit()
returns only once durable, and one message's failure undoes and re-runs only the others."""

import asyncio

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from services.routing.orm import inbox, outbox
from shared.contracts.base import make_envelope
from shared.messaging.group_commit import BatchAborted, GroupCommit
from shared.messaging.uow import SqlUnitOfWork
from shared.testing.factories import received_event

CONSUMER = "test.consumer"


def _counting_commits(engine) -> list[int]:
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda conn: commits.append(1))
    return commits


async def _stored(sessions, table) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(table))


async def _handle(uow, n: int, *, fail: bool = False, seen_after_commit: list | None = None,
                  sessions=None) -> None:
    """A handler as the services write them: inbox check, outgoing event, mark, commit."""
    event_id = f"event-{n}"
    async with uow() as work:
        if await work.already_processed(event_id, CONSUMER):
            return
        await work.publish(make_envelope(received_event(f"PAKN-2026-{n:06d}"), producer="t"))
        await asyncio.sleep(0)  # other messages queue for the shared session meanwhile
        if fail:
            raise RuntimeError(f"handler bug for message {n}")
        await work.mark_processed(event_id, CONSUMER)
        await work.commit()
    if seen_after_commit is not None:
        async with sessions() as s:  # another connection: the commit is durable already
            found = await s.scalar(select(inbox.c.event_id).where(inbox.c.event_id == event_id))
            seen_after_commit.append(found == event_id)


def _factory(sessions, group):
    return lambda: SqlUnitOfWork(sessions, outbox=outbox, inbox=inbox, group=group)


def _group(sessions, **kwargs) -> GroupCommit:
    """No time limit unless asked: on a busy machine 50 ms would cut the batches these tests
    compose, and what they check would depend on the machine's load."""
    return GroupCommit(sessions, **{"max_wait": 30.0, **kwargs})


async def test_messages_in_flight_share_commits_and_each_is_durable_when_commit_returns(
        migrated):
    engine, sessions = await migrated("routing")
    uow = _factory(sessions, _group(sessions))
    commits = _counting_commits(engine)
    seen: list[bool] = []
    await asyncio.gather(*(_handle(uow, n, seen_after_commit=seen, sessions=sessions)
                           for n in range(60)))
    assert await _stored(sessions, inbox) == 60
    assert await _stored(sessions, outbox) == 60
    assert seen == [True] * 60
    assert 1 <= len(commits) <= 10, f"{len(commits)} commits for 60 messages"


async def test_a_lone_message_commits_at_once(migrated):
    _engine, sessions = await migrated("routing")
    uow = _factory(sessions, _group(sessions))
    await asyncio.wait_for(_handle(uow, 1), timeout=5)
    assert await _stored(sessions, inbox) == 1


async def test_a_failing_message_gets_its_error_and_the_others_are_undone_to_run_again(
        migrated):
    _engine, sessions = await migrated("routing")
    uow = _factory(sessions, _group(sessions))
    results = await asyncio.gather(*(_handle(uow, n, fail=(n == 5)) for n in range(10)),
                                   return_exceptions=True)
    assert isinstance(results[5], RuntimeError)
    aborted = [n for n, r in enumerate(results) if isinstance(r, BatchAborted)]
    committed = [n for n, r in enumerate(results) if r is None]
    assert aborted, "the messages sharing the failed transaction are told to run again"
    assert await _stored(sessions, inbox) == len(committed)
    await asyncio.gather(*(_handle(uow, n) for n in aborted))  # the consume guard's re-run
    assert await _stored(sessions, inbox) == 9
    assert await _stored(sessions, outbox) == 9


async def test_a_constraint_violation_is_raised_in_the_message_that_caused_it(migrated):
    _engine, sessions = await migrated("routing")
    group = _group(sessions)
    uow = _factory(sessions, group)
    await _handle(uow, 1)

    async def duplicate_mark() -> None:
        async with uow() as work:
            await work.mark_processed("event-1", CONSUMER)
            await work.commit()

    results = await asyncio.gather(_handle(uow, 2), duplicate_mark(), _handle(uow, 3),
                                   return_exceptions=True)
    assert isinstance(results[1], IntegrityError)
    for n, result in ((2, results[0]), (3, results[2])):
        if isinstance(result, BatchAborted):
            await _handle(uow, n)
        else:
            assert result is None
    assert await _stored(sessions, inbox) == 3


async def test_duplicates_in_one_transaction_are_processed_once(migrated):
    _engine, sessions = await migrated("routing")
    uow = _factory(sessions, _group(sessions))
    await asyncio.gather(*(_handle(uow, n % 5) for n in range(20)))
    assert await _stored(sessions, inbox) == 5
    assert await _stored(sessions, outbox) == 5


async def test_a_unit_of_work_inside_another_of_the_same_group_is_refused(migrated):
    _engine, sessions = await migrated("routing")
    uow = _factory(sessions, _group(sessions))
    with pytest.raises(RuntimeError, match="inside another"):
        async with uow(), uow():
            pass
    await asyncio.wait_for(_handle(uow, 1), timeout=5)  # the group is usable afterwards
    assert await _stored(sessions, inbox) == 1


async def test_a_message_cancelled_while_waiting_for_the_commit_does_not_stop_the_others(
        migrated):
    _engine, sessions = await migrated("routing")
    group = _group(sessions, max_wait=0.2)
    uow = _factory(sessions, group)
    others = [asyncio.create_task(_handle(uow, n)) for n in range(1, 6)]
    waiting = asyncio.create_task(_handle(uow, 0))
    await asyncio.sleep(0)
    waiting.cancel()  # a handler cancelled at shutdown, its commit possibly still to come
    await asyncio.wait_for(asyncio.gather(*others), timeout=5)
    assert await _stored(sessions, inbox) in (5, 6)
