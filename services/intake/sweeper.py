"""Re-tries kept commands every so often: a crash between an assignment and the draining of what
waited for it must not leave an update kept for ever. A command whose subject has not come in
after PENDING_MAX_AGE (a reference that will never be issued, a model never registered) is
refused like any other, and kept for replay with its reason."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from shared.contracts.base import utc_now
from shared.logging import get_logger

from .handlers import Deps, drain, pending_message, reject
from .ingress import FieldError, Rejection

log = get_logger()
PENDING_MAX_AGE = timedelta(days=7)
# What a kept command waits for: (the field that names it, its name for the Office)
_SUBJECTS = {"case": ("data.ref", "hồ sơ"), "model": ("data.model_id", "mô hình")}


class PendingSweeper:
    def __init__(self, deps: Deps, *, interval_seconds: float = 30.0,
                 max_age: timedelta = PENDING_MAX_AGE) -> None:
        self._deps = deps
        self._interval = interval_seconds
        self._max_age = max_age
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self._interval)
            except TimeoutError:
                await self.sweep()

    async def sweep(self) -> int:
        try:
            await self.expire()
            async with self._deps.uow() as work:
                subjects = await work.pending.subjects()
            applied = 0
            for subject in subjects:
                applied += await drain(subject, deps=self._deps)
            return applied
        except Exception as exc:  # the sweeper retries on its next round
            log.warning("pending sweep failed", error=type(exc).__name__)
            return 0

    async def expire(self) -> int:
        """Refuses what has waited longer than max_age; returns how many."""
        async with self._deps.uow() as work:
            stale = await work.pending.older_than(utc_now() - self._max_age)
        for kept in stale:
            kind, _, subject = kept.subject_key.partition(":")
            field, name = _SUBJECTS.get(kind, ("data", kind))
            days = self._max_age.days
            reason = (f"đã chờ quá {days} ngày mà không có {name} {subject} — "
                      f"waited over {days} days for {kept.subject_key}")
            await reject(pending_message(kept, self._deps.sealer),
                         Rejection(reason=reason, errors=(FieldError(field, reason),)),
                         way_in="pending", deps=self._deps, pending_id=kept.id)
        return len(stale)
