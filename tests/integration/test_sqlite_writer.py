"""SQLite: this process's transactions on one database take turns in asyncio, not in SQLite's
busy handler (which sleeps up to 100 ms a try); a nested unit of work fails instead of hanging;
background work lets waiting messages go first, but is not starved; snapshot reads wait for no
writer."""

import asyncio

import pytest

from services.routing.orm import inbox, outbox
from sqlalchemy import select

from shared.db import SqliteWriter, create_engine, session_factory, snapshot_reads, sqlite_writer
from shared.messaging.group_commit import GroupCommit
from shared.messaging.uow import SqlUnitOfWork, UnitsOfWork
from shared.migrations import upgrade


@pytest.fixture
async def sessions(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'routing.db'}"
    await asyncio.to_thread(upgrade, "routing", url)
    engine = create_engine(url)
    yield session_factory(engine)
    await engine.dispose()


def _uow(sessions, group=None, background=False) -> SqlUnitOfWork:
    return SqlUnitOfWork(sessions, outbox=outbox, inbox=inbox, group=group,
                         background=background)


async def test_units_of_work_and_group_commits_take_turns(sessions):
    order: list[str] = []

    async def plain(name: str) -> None:
        async with _uow(sessions) as work:
            order.append(f"{name} in")
            await work.claim(name, "test")
            await asyncio.sleep(0.05)
            await work.commit()
            order.append(f"{name} out")

    group = GroupCommit(sessions)

    async def grouped(name: str) -> None:
        async with _uow(sessions, group) as work:
            order.append(f"{name} in")
            await work.claim(name, "test")
            await work.commit()
        order.append(f"{name} out")

    await asyncio.wait_for(asyncio.gather(plain("a"), grouped("g"), plain("b")), timeout=10)
    assert order == ["a in", "a out", "g in", "g out", "b in", "b out"]


async def test_a_unit_of_work_inside_another_fails_instead_of_waiting_forever(sessions):
    with pytest.raises(RuntimeError, match="inside another"):
        async with _uow(sessions), _uow(sessions):
            pass
    async with _uow(sessions) as work:  # released: usable again
        assert await work.claim("e-1", "test")
        await work.commit()


async def test_background_work_lets_waiting_messages_go_first(sessions):
    order: list[str] = []

    async def work(name: str, background: bool = False, hold: float = 0.0) -> None:
        async with _uow(sessions, background=background) as unit:
            order.append(name)
            await unit.claim(name, "test")
            await asyncio.sleep(hold)
            await unit.commit()

    first = asyncio.create_task(work("message-1", hold=0.05))
    await asyncio.sleep(0.01)  # message-1 holds the writer
    queued = [asyncio.create_task(work("dispatcher", background=True)),
              asyncio.create_task(work("message-2")), asyncio.create_task(work("message-3"))]
    await asyncio.wait_for(asyncio.gather(first, *queued), timeout=10)
    assert order == ["message-1", "message-2", "message-3", "dispatcher"]


async def test_background_work_is_delayed_by_at_most_its_patience():
    writer = SqliteWriter(patience=0.1)
    order: list[str] = []

    async def foreground(name: str) -> None:
        await writer.acquire()
        order.append(name)
        await asyncio.sleep(0.04)
        writer.release()

    async def background() -> None:
        await writer.acquire(background=True)
        order.append("background")
        writer.release()

    # a stream of messages, one every 20 ms, each holding the writer 40 ms: never an empty queue
    stream = [asyncio.create_task(foreground("m0"))]
    await asyncio.sleep(0)
    late = asyncio.create_task(background())
    for i in range(1, 15):
        await asyncio.sleep(0.02)
        stream.append(asyncio.create_task(foreground(f"m{i}")))
    await asyncio.wait_for(asyncio.gather(*stream, late), timeout=10)
    position = order.index("background")
    assert 0 < position < len(order) - 5, order  # after some messages, long before the last


async def test_snapshot_reads_see_the_last_commit_while_a_writer_works(sessions):
    engine = sessions.kw["bind"]
    async with _uow(sessions) as first:
        await first.claim("committed", "test")
        await first.commit()
    reads = snapshot_reads(engine)
    async with _uow(sessions) as writing:
        await writing.claim("uncommitted", "test")
        async with reads() as session, session.begin():
            seen = (await asyncio.wait_for(
                session.scalars(select(inbox.c.event_id)), timeout=5)).all()
        await writing.commit()
    assert seen == ["committed"]


class _Routing(UnitsOfWork):
    uow_class, outbox_table, inbox_table = SqlUnitOfWork, outbox, inbox

    def __init__(self, sessions) -> None:
        self.sessions, self.on_commit = sessions, None


async def test_a_read_only_unit_of_work_waits_for_no_writer_and_cannot_commit(sessions):
    units = _Routing(sessions)
    async with units.uow() as writing:
        await writing.claim("uncommitted", "test")
        async with units.read_uow() as reading:  # inside a writer's turn: no wait, no refusal
            seen = (await asyncio.wait_for(
                reading.session.scalars(select(inbox.c.event_id)), timeout=5)).all()
            with pytest.raises(RuntimeError, match="read-only"):
                await reading.commit()
        await writing.commit()
    assert seen == []


async def test_postgres_has_no_writer_queue(postgres_database):
    engine = create_engine(postgres_database)
    try:
        assert sqlite_writer(session_factory(engine)) is None
    finally:
        await engine.dispose()
