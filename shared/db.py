"""Async engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, TypeDecorator, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from shared.errors import TransientError
from shared.sqlite_driver import one_trip_connector


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, parsed.database, one_trip=not parsed.query, **kwargs)
    # DVK_DB_POOL_SIZE / DVK_DB_MAX_OVERFLOW: for a PostgreSQL shared with other work.
    kwargs.setdefault("pool_size", int(os.environ.get("DVK_DB_POOL_SIZE", "10")))
    kwargs.setdefault("max_overflow", int(os.environ.get("DVK_DB_MAX_OVERFLOW", "10")))
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _create_sqlite_engine(url: str, database: str | None, *, one_trip: bool,
                          **kwargs: Any) -> AsyncEngine:
    """`one_trip`: statements make one trip to aiosqlite's thread instead of four
    (shared.sqlite_driver); URLs with query options keep aiosqlite's own connect()."""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    if one_trip:
        kwargs["async_creator"] = one_trip_connector(database or ":memory:", timeout=60)
    else:
        kwargs["connect_args"] = {"timeout": 60}
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN IMMEDIATE below applies:
        # a writer takes the lock up front instead of failing on a read-to-write upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=60000",
                       "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(_SNAPSHOT_READ, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class SqliteWriter:
    """One transaction at a time per SQLite database in this process, queued here rather than
    in SQLite: every transaction here is BEGIN IMMEDIATE, and a second one would wait in
    SQLite's busy handler, which sleeps (up to 100 ms a try) instead of waking when the lock is
    free: seconds of stall under load.

    Background work (a dispatcher sending acknowledgements, a planner) lets messages waiting
    for the writer go first, for up to `patience` seconds; after that it queues like any other
    transaction, so it is delayed under load but never starved."""

    def __init__(self, *, patience: float = 1.0) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task | None = None
        self._patience = patience
        self._foreground_waiting = 0
        self._no_foreground_waiting = asyncio.Event()
        self._no_foreground_waiting.set()

    async def acquire(self, *, task_bound: bool = True, background: bool = False) -> None:
        """`task_bound`: the current task holds it until it releases (a unit of work), so a
        second unit of work opened inside the first is refused instead of waiting forever."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a unit of work opened inside another on the same SQLite database")
        if background:
            await self._let_foreground_pass()
            await self._lock.acquire()
        else:
            await self._acquire_foreground()
        self._holder = task if task_bound else None

    async def _acquire_foreground(self) -> None:
        self._foreground_waiting += 1
        self._no_foreground_waiting.clear()
        try:
            await self._lock.acquire()
        finally:
            self._foreground_waiting -= 1
            if not self._foreground_waiting:
                self._no_foreground_waiting.set()

    async def _let_foreground_pass(self) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._no_foreground_waiting.wait(), timeout=self._patience)

    def release(self) -> None:
        self._holder = None
        self._lock.release()


_SQLITE_WRITERS: WeakKeyDictionary[Any, SqliteWriter] = WeakKeyDictionary()


def sqlite_writer(sessions: async_sessionmaker) -> SqliteWriter | None:
    """The writer queue of the sessions' SQLite database; None on PostgreSQL, where
    transactions run side by side."""
    engine = sessions.kw.get("bind")
    if engine is None or engine.dialect.name != "sqlite":
        return None
    key = engine.sync_engine
    if key not in _SQLITE_WRITERS:
        _SQLITE_WRITERS[key] = SqliteWriter()
    return _SQLITE_WRITERS[key]


@asynccontextmanager
async def sqlite_turn(sessions: async_sessionmaker) -> AsyncIterator[None]:
    """Waits for the database's writer queue on SQLite (nothing on PostgreSQL), for work that
    opens its own short transactions rather than a unit of work (the outbox relay)."""
    writer = sqlite_writer(sessions)
    if writer is None:
        yield
        return
    await writer.acquire()
    try:
        yield
    finally:
        writer.release()


_SNAPSHOT_READ = "dvk_snapshot_read"


def snapshot_reads(engine: AsyncEngine) -> async_sessionmaker:
    """Sessions that only read. On SQLite their transactions begin deferred and wait for no
    writer: in WAL mode a reader sees the last commit while a writer works. Writing in one
    fails (the read-to-write upgrade is refused while another connection writes)."""
    return session_factory(engine.execution_options(**{_SNAPSHOT_READ: True}))


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


_TRANSIENT_OS_ERRORS = (ConnectionError, TimeoutError, asyncio.TimeoutError)


def is_transient(exc: BaseException) -> bool:
    """A fault that waiting cures: the database unreachable, locked or restarting."""
    if isinstance(exc, (TransientError, OperationalError, InterfaceError)):
        return True
    if isinstance(exc, DBAPIError) and (exc.connection_invalidated
                                        or is_transient_driver_error(exc.orig)):
        return True
    if isinstance(exc, _TRANSIENT_OS_ERRORS):
        return True
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
        return True
    return type(exc).__name__ in _TRANSIENT_DRIVER_ERRORS


def is_transient_driver_error(orig: BaseException | None) -> bool:
    """asyncpg's errors arrive wrapped in DBAPIError without connection_invalidated, e.g.
    CannotConnectNowError "the database system is shutting down" during a restart."""
    seen = 0
    while orig is not None and seen < 3:
        if type(orig).__name__ in _TRANSIENT_DRIVER_ERRORS or isinstance(orig, OSError):
            return True
        orig, seen = orig.__cause__, seen + 1
    return False


# asyncpg's errors that waiting cures, by name: the connection lost or refused, the server
# restarting; deadlocks and serialization failures, where PostgreSQL aborted the transaction
# and running it again succeeds (two replicas committing groups that touch the same rows).
_TRANSIENT_DRIVER_ERRORS = {"CannotConnectNowError", "ConnectionDoesNotExistError",
                            "PostgresConnectionError", "AdminShutdownError",
                            "TooManyConnectionsError", "ConnectionFailureError",
                            "DeadlockDetectedError", "SerializationError"}


class UtcDateTime(TypeDecorator):
    """Timezone-aware on both databases: stored as UTC, always read back aware (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: every time in dvk must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
