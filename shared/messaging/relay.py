"""Publishes outbox rows with publisher confirms and marks them sent; a crash loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from shared.contracts.base import utc_now
from shared.db import is_postgres, sqlite_turn
from shared.logging import get_logger

log = get_logger()

Publish = Callable[[Any], Awaitable[Any]]


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        sessions: async_sessionmaker,
        outbox: Table,
        publish: Publish,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        keep_published: timedelta = timedelta(days=1),
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._publish = publish
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._keep_published = keep_published
        self._skip_locked = is_postgres(engine)
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                sent = await self.relay_once()
                failures = 0
            except Exception as exc:  # the relay must outlive broker and database outages
                failures += 1
                log.warning("outbox relay failed, will retry", error=repr(exc)[:300])
                await asyncio.sleep(min(0.5 * 2**failures, 10.0))
                continue
            if sent < self._batch_size:
                await self._sleep()

    async def _sleep(self) -> None:
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll_seconds)
        except TimeoutError:
            await self.purge_published()
        self._wakeup.clear()

    async def relay_once(self) -> int:
        """Publishes one batch in id order; returns how many rows were published.

        On PostgreSQL the rows stay locked while they are published, so that replicas skip
        them. SQLite has one writer at a time, and one relay per database file: reading and
        marking in two short transactions keeps the writer lock free while the broker confirms.
        """
        if self._skip_locked:
            async with self._sessions() as session, session.begin():
                rows = (await session.execute(self._unpublished().with_for_update(
                    skip_locked=True))).all()
                sent, failure = await self._publish_rows(rows)
                await self._mark_published(session, sent)
        else:
            async with sqlite_turn(self._sessions), self._sessions() as session, session.begin():
                rows = (await session.execute(self._unpublished())).all()
            sent, failure = await self._publish_rows(rows)
            async with sqlite_turn(self._sessions), self._sessions() as session, session.begin():
                await self._mark_published(session, sent)
        if failure is not None:
            raise failure
        return len(sent)

    def _unpublished(self) -> Any:
        return (select(self._outbox).where(self._outbox.c.published_at.is_(None))
                .order_by(self._outbox.c.id).limit(self._batch_size))

    async def _publish_rows(self, rows: Sequence[Any]) -> tuple[list[int], BaseException | None]:
        results = await asyncio.gather(*(self._publish(row) for row in rows),
                                       return_exceptions=True)
        sent = [row.id for row, result in zip(rows, results, strict=True)
                if not isinstance(result, BaseException)]
        failed = [r for r in results if isinstance(r, BaseException)]
        return sent, failed[0] if failed else None

    async def _mark_published(self, session: Any, ids: list[int]) -> None:
        if ids:
            await session.execute(update(self._outbox).where(self._outbox.c.id.in_(ids))
                                  .values(published_at=utc_now()))

    async def purge_published(self) -> None:
        cutoff = utc_now() - self._keep_published
        async with sqlite_turn(self._sessions), self._sessions() as session, session.begin():
            await session.execute(delete(self._outbox).where(
                self._outbox.c.published_at.is_not(None), self._outbox.c.published_at < cutoff))
