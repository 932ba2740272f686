"""Group commit: the units of work of messages handled at the same time share one transaction.

Under load a consumer holds up to `prefetch` deliveries at once. Committing each in its own
transaction makes the commit (and, on SQLite, the wait for the one writer lock) the cost of
every message. Here the messages' units of work run one after another in one session, and the
transaction is committed when no other message is waiting to join it, when it holds
`max_members` messages, or after `max_wait` seconds. Every member awaits that commit before
its handler returns, so a message is still acknowledged only after its effects are durable.

A member that fails rolls the whole transaction back: it gets its own error (the consume guard
treats it as before), the other members get BatchAborted and are run again at once, in the next
transaction. Each member's ORM changes are flushed when it commits, so a constraint violation is
raised in the member that caused it, never in the shared commit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared import metrics
from shared.db import SqliteWriter, sqlite_writer
from shared.errors import TransientError
from shared.logging import get_logger

log = get_logger()


class BatchAborted(TransientError):
    """Another message of the same transaction failed; nothing of this one was committed."""


@dataclass
class _Batch:
    session: AsyncSession
    opened_at: float
    writer: SqliteWriter | None
    members: list[asyncio.Future[None]] = field(default_factory=list)


class GroupCommit:
    def __init__(self, sessions: async_sessionmaker, *, max_members: int = 64,
                 max_wait: float = 0.05) -> None:
        self._sessions = sessions
        self._max_members = max_members
        self._max_wait = max_wait
        self._lock = asyncio.Lock()
        self._queued = 0
        self._holder: asyncio.Task | None = None
        self._batch: _Batch | None = None
        # The event loop keeps only weak references to tasks (asyncio.create_task's docs).
        self._late_commits: set[asyncio.Task] = set()

    async def enter(self) -> AsyncSession:
        """Waits for the shared session; the caller holds it until commit() or leave()."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a unit of work opened inside another one of the same batch")
        self._queued += 1
        try:
            await self._lock.acquire()
        finally:
            self._queued -= 1
        self._holder = task
        if self._batch is None:
            try:
                self._batch = await self._open()
            except BaseException:
                self._release()
                raise
        return self._batch.session

    async def commit(self) -> None:
        """The member's work is done: flush it, join the commit, wait until it is durable."""
        batch = self._current()
        try:
            await batch.session.flush()
        except BaseException as exc:
            await self.leave(exc)
            raise
        done = asyncio.get_running_loop().create_future()
        batch.members.append(done)
        try:
            if self._due(batch):
                await self._commit(batch)
        finally:
            self._release()
        await done

    async def leave(self, error: BaseException | None) -> None:
        """The member ends without committing: it wrote nothing, or it failed (`error`)."""
        try:
            batch = self._batch
            if batch is not None and error is not None:
                await self._abort(batch)
            elif batch is not None and self._due(batch):
                await self._commit(batch)
        finally:
            self._release()

    async def _open(self) -> _Batch:
        writer = sqlite_writer(self._sessions)
        if writer is not None:  # held by the batch, whichever member's task ends it
            await writer.acquire(task_bound=False)
        session = self._sessions()
        try:
            await session.begin()
        except BaseException:
            await _close(session, writer)
            raise
        batch = _Batch(session, asyncio.get_running_loop().time(), writer)
        asyncio.get_running_loop().call_later(self._max_wait, self._commit_if_stale, batch)
        return batch

    def _due(self, batch: _Batch) -> bool:
        return (self._queued == 0 or len(batch.members) >= self._max_members
                or asyncio.get_running_loop().time() - batch.opened_at >= self._max_wait)

    def _commit_if_stale(self, batch: _Batch) -> None:
        """Commits a batch whose last member left while others were still queued, and those
        never came (cancelled, say)."""
        async def commit() -> None:
            async with self._lock:
                if self._batch is batch:
                    try:
                        await self._commit(batch)
                    except Exception as exc:  # its members have the error; this is a timer
                        log.warning("late group commit failed", error=type(exc).__name__)

        if self._batch is batch:
            task = asyncio.ensure_future(commit())
            self._late_commits.add(task)
            task.add_done_callback(self._late_commits.discard)

    async def _commit(self, batch: _Batch) -> None:
        self._batch = None
        failure: BaseException | None = None
        try:
            await batch.session.commit()
        except BaseException as exc:  # every member learns the outcome, cancellation included
            failure = exc
        await _close(batch.session, batch.writer)
        for member in batch.members:
            if member.done():  # its handler was cancelled meanwhile (shutdown)
                continue
            if failure is None:
                member.set_result(None)
            elif isinstance(failure, Exception):
                member.set_exception(failure)
            else:
                member.cancel()
        if failure is None and batch.members:
            metrics.group_committed(len(batch.members))
        if failure is not None and not isinstance(failure, Exception):
            raise failure

    async def _abort(self, batch: _Batch) -> None:
        self._batch = None
        await _close(batch.session, batch.writer)
        metrics.group_aborted()
        for member in batch.members:
            if not member.done():
                member.set_exception(BatchAborted("another message of the same transaction "
                                                  "failed"))

    def _current(self) -> _Batch:
        if self._batch is None:
            raise RuntimeError("commit() outside a unit of work")
        return self._batch

    def _release(self) -> None:
        self._holder = None
        self._lock.release()


async def _close(session: AsyncSession, writer: SqliteWriter | None) -> None:
    """Rolls back what was not committed; a broken connection is discarded by the pool."""
    try:
        await session.close()
    except Exception:
        pass
    finally:
        if writer is not None:
            writer.release()
