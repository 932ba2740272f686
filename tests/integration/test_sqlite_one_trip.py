"""The SQLite driver that makes one trip to aiosqlite's thread per statement returns what
aiosqlite would, reads long results in bounded batches, and never runs a statement on the
event loop's thread."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shared.db import create_engine
from shared.sqlite_driver import PREFETCH_ROWS, OneTripConnection

ROWS = PREFETCH_ROWS * 3 + 7


@pytest.fixture
async def engine(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one-trip.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        await conn.execute(text("INSERT INTO t (v) VALUES (:v)"),
                           [{"v": f"v{i}"} for i in range(ROWS)])
    yield engine
    await engine.dispose()


async def test_the_engine_uses_one_trip_connections(engine):
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)


async def test_results_of_every_size_come_back_whole(engine):
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == ROWS
        values = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
        assert values == [f"v{i}" for i in range(ROWS)]
        assert (await conn.execute(text("SELECT v FROM t WHERE id < 0"))).all() == []


async def test_a_streamed_result_is_read_in_batches(engine):
    async with engine.connect() as conn:
        result = await conn.stream(text("SELECT id FROM t ORDER BY id"))
        seen = [row.id async for row in result]
    assert seen == list(range(1, ROWS + 1))


async def test_a_result_left_unread_is_closed_and_the_connection_goes_on(engine):
    async with engine.connect() as conn:
        result = await conn.stream(text("SELECT id FROM t ORDER BY id"))
        first = await result.fetchmany(3)
        await result.close()
        assert [r.id for r in first] == [1, 2, 3]
        assert (await conn.execute(text("SELECT max(id) FROM t"))).scalar_one() == ROWS


async def test_writes_report_rowcount_lastrowid_and_errors(engine):
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('new')"))
        assert inserted.lastrowid == ROWS + 1
        updated = await conn.execute(text("UPDATE t SET v = v || '!' WHERE id <= 5"))
        assert updated.rowcount == 5
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('new')"))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == ROWS + 1


async def test_a_long_statement_runs_off_the_event_loop(engine):
    loop_thread, ticks = threading.get_ident(), 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        statement_thread = await raw.driver_connection._execute(threading.get_ident)
        await conn.execute(text(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
            " SELECT count(*) FROM n"))
    elapsed = time.monotonic() - started
    ticker.cancel()
    assert statement_thread != loop_thread
    assert elapsed > 0.2 and ticks >= elapsed / 0.01 * 0.5  # the loop kept ticking throughout
