"""aiosqlite with one trip to its worker thread per statement.

aiosqlite runs every call on a connection's own thread and hands the result back to the event
loop: a queue put, a thread wake-up and a loop wake-up each time. SQLAlchemy's adapter makes four
such calls per statement (create the cursor, execute, fetch the rows, close the cursor); on the
services' short transactions those hand-offs cost more CPU than SQLite itself. Here the statement
runs and its first rows are read in one trip; fetches are served from them; a cursor is created
and, once its statement is done, closed without a trip. The statement still runs on the
connection's thread, so a long query (a report build) or a wait for another process's lock
never blocks the event loop.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

# Rows read in the statement's own trip; a longer result is read on in batches of this size,
# so a large query (a report over a million cases) never holds more than this many extra rows.
PREFETCH_ROWS = 256


class OneTripCursor(aiosqlite.Cursor):
    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._ahead: deque[Any] = deque()
        self._done = True

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        rows, self._done = await self._execute(_run, self._cursor, sql,
                                               [] if parameters is None else parameters)
        self._ahead = deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        self._ahead, self._done = deque(), True
        await self._execute(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        if not self._ahead and not self._done:
            await self._read_on()
        return self._ahead.popleft() if self._ahead else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = self._cursor.arraysize if size is None else size
        while len(self._ahead) < wanted and not self._done:
            await self._read_on()
        return [self._ahead.popleft() for _ in range(min(wanted, len(self._ahead)))]

    async def fetchall(self) -> list[Any]:
        rows = list(self._ahead)
        self._ahead.clear()
        if not self._done:
            rows.extend(await self._execute(self._cursor.fetchall))
            self._done = True
        return rows

    async def close(self) -> None:
        self._ahead.clear()
        if self._done:  # the statement has run to its end: nothing left for SQLite to release
            self._cursor.close()
        else:
            await self._execute(self._cursor.close)

    async def _read_on(self) -> None:
        rows = await self._execute(self._cursor.fetchmany, PREFETCH_ROWS)
        self._ahead.extend(rows)
        self._done = len(rows) < PREFETCH_ROWS


def _run(cursor: sqlite3.Cursor, sql: str, parameters: Any) -> tuple[list[Any], bool]:
    """On the connection's thread: the statement, then its first rows and whether that was all."""
    cursor.execute(sql, parameters)
    if cursor.description is None:
        return [], True
    rows = cursor.fetchmany(PREFETCH_ROWS)
    return rows, len(rows) < PREFETCH_ROWS


class OneTripConnection(aiosqlite.Connection):
    @contextmanager
    async def cursor(self) -> OneTripCursor:
        # A new cursor reads nothing from the database: made here, without a trip.
        return OneTripCursor(self, self._conn.cursor())


def one_trip_connector(database: str, **kwargs: Any) -> Callable[[], Awaitable[OneTripConnection]]:
    """For create_async_engine(async_creator=...): connections to `database` whose cursors
    make one trip per statement. The sqlite3 connection may be touched from the event loop's
    thread (cursor creation and closing, attributes), hence check_same_thread=False; every
    statement still runs on the connection's own thread."""
    async def connect() -> OneTripConnection:
        connection = OneTripConnection(
            partial(sqlite3.connect, database, check_same_thread=False, **kwargs),
            iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connect()
        return await connection
    return connect
