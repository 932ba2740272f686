"""The unit of work every handler runs in: state, inbox mark and outgoing events, one commit."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar, Generic, Self, TypeVar

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.base import Envelope, utc_now
from shared.db import SqliteWriter, snapshot_reads, sqlite_writer
from shared.upsert import insert_if_absent

from .group_commit import GroupCommit
from .topology import EVENTS


class SqlUnitOfWork:
    """Subclass per service to add repositories in `_open`. Never commits by itself.

    With a `group`, the work joins the transaction other messages share (group_commit.py);
    commit() still returns only once it is durable."""

    def __init__(
        self,
        sessions: async_sessionmaker,
        *,
        outbox: Table,
        inbox: Table,
        on_commit: Callable[[], None] | None = None,
        group: GroupCommit | None = None,
        background: bool = False,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._inbox = inbox
        self._on_commit = on_commit
        self._group = group
        self._in_group = False
        self._background = background
        self._read_only = read_only
        self._writer: SqliteWriter | None = None
        self._published = 0
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        if self._group is not None:
            self.session = await self._group.enter()
            self._in_group = True
        else:
            self._writer = None if self._read_only else sqlite_writer(self._sessions)
            if self._writer is not None:
                await self._writer.acquire(background=self._background)
            self.session = self._sessions()
            await self.session.begin()
        self._open()
        return self

    def _open(self) -> None:
        """Hook: build repositories on self.session."""

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if self._group is not None:
            if self._in_group:
                self._in_group = False
                await self._group.leave(exc)
            return
        # close() rolls back what was not committed and detaches loaded objects without
        # expiring them, so what a read returned stays usable after the block.
        try:
            await self.session.close()
        finally:
            if self._writer is not None:
                self._writer.release()

    async def claim(self, event_id: str, consumer: str) -> bool:
        """Records the message as processed by `consumer` in this unit of work; False when it
        already was (a redelivery, a duplicate), and then there is nothing to do. One statement
        where already_processed() and mark_processed() take two; undone with the rest of the
        work when that is not committed. On PostgreSQL a replica's uncommitted claim of the same
        message makes this wait for its outcome."""
        return await insert_if_absent(self.session, self._inbox, {
            "event_id": event_id, "consumer": consumer, "processed_at": utc_now()})

    async def already_processed(self, event_id: str, consumer: str) -> bool:
        found = await self.session.scalar(
            select(self._inbox.c.event_id).where(
                self._inbox.c.event_id == event_id, self._inbox.c.consumer == consumer
            )
        )
        return found is not None

    async def mark_processed(self, event_id: str, consumer: str) -> None:
        await self.session.execute(
            insert(self._inbox).values(event_id=event_id, consumer=consumer,
                                       processed_at=utc_now())
        )

    async def publish(self, envelope: Envelope[Any], *, exchange: str = EVENTS) -> None:
        await self.session.execute(_outbox_insert(self._outbox), outbox_row(envelope, exchange))
        self._published += 1

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work has nothing to commit")
        if self._group is not None:
            self._in_group = False  # the group settles this member from here, whatever happens
            await self._group.commit()
        else:
            await self.session.commit()
        if self._published and self._on_commit is not None:
            self._on_commit()
        self._published = 0


@cache
def _outbox_insert(outbox: Table) -> Any:
    """Built once; each event's row travels as parameters."""
    return insert(outbox)


def outbox_row(envelope: Envelope[Any], exchange: str) -> dict[str, Any]:
    return {
        "event_id": envelope.event_id,
        "exchange": exchange,
        "routing_key": envelope.routing_key,
        "message_type": envelope.type,
        "correlation_id": envelope.correlation_id,
        "body": envelope.model_dump_json(),
        "created_at": utc_now(),
    }


U = TypeVar("U", bound=SqlUnitOfWork)


class UnitsOfWork(Generic[U]):
    """A service's composition root hands out its units of work: `uow()` for HTTP, CLI and
    background components, each with a transaction of its own; `consumer_uow()` for messages
    from the broker, which share transactions (group commit). The root has `sessions` and
    `on_commit`; its class names the unit of work and the outbox and inbox tables."""

    uow_class: ClassVar[type[Any]]
    outbox_table: ClassVar[Table]
    inbox_table: ClassVar[Table]
    sessions: async_sessionmaker
    on_commit: Callable[[], None] | None

    def uow(self) -> U:
        return self._unit()

    def background_uow(self) -> U:
        """For background components (dispatcher, planner): on SQLite, messages waiting for
        the database go first (SqliteWriter)."""
        return self._unit(background=True)

    def read_uow(self) -> U:
        """Reads only (it cannot commit): on SQLite a snapshot of the last commit that waits
        for no writer."""
        sessions = self.__dict__.get("_snapshot_sessions")
        if sessions is None:
            sessions = snapshot_reads(self.sessions.kw["bind"])
            self.__dict__["_snapshot_sessions"] = sessions
        return self._unit(sessions, read_only=True)

    def consumer_uow(self) -> U:
        return self._unit(group=self._consumer_group())

    def _unit(self, sessions: async_sessionmaker | None = None, **options: Any) -> U:
        return self.uow_class(sessions or self.sessions, outbox=self.outbox_table,
                              inbox=self.inbox_table, on_commit=self.on_commit, **options)

    def _consumer_group(self) -> GroupCommit:
        group = self.__dict__.get("_group_commit")
        if group is None:
            group = self.__dict__["_group_commit"] = GroupCommit(self.sessions)
        return group
