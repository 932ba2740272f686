"""SQLite: this process's transactions on one database take turns in asyncio, not in SQLite's
busy handler (which sleeps up to 100 ms a try); a nested unit of work fails instead of hanging."""

import asyncio

import pytest

from services.routing.orm import inbox, outbox
from shared.db import create_engine, session_factory, sqlite_writer
from shared.messaging.group_commit import GroupCommit
from shared.messaging.uow import SqlUnitOfWork
from shared.migrations import upgrade


@pytest.fixture
async def sessions(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'routing.db'}"
    await asyncio.to_thread(upgrade, "routing", url)
    engine = create_engine(url)
    yield session_factory(engine)
    await engine.dispose()


def _uow(sessions, group=None) -> SqlUnitOfWork:
    return SqlUnitOfWork(sessions, outbox=outbox, inbox=inbox, group=group)


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
        async with _uow(sessions):
            async with _uow(sessions):
                pass
    async with _uow(sessions) as work:  # released: usable again
        assert await work.claim("e-1", "test")
        await work.commit()


async def test_postgres_has_no_writer_queue(postgres_database):
    engine = create_engine(postgres_database)
    try:
        assert sqlite_writer(session_factory(engine)) is None
    finally:
        await engine.dispose()
