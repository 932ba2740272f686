"""Re-tries kept commands every so often: a crash between an assignment and the draining of what
waited for it must not leave an update kept for ever."""

from __future__ import annotations

import asyncio

from shared.logging import get_logger

from .handlers import Deps, drain

log = get_logger()


class PendingSweeper:
    def __init__(self, deps: Deps, *, interval_seconds: float = 30.0) -> None:
        self._deps = deps
        self._interval = interval_seconds
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
            async with self._deps.uow() as work:
                subjects = await work.pending.subjects()
            applied = 0
            for subject in subjects:
                applied += await drain(subject, deps=self._deps)
            return applied
        except Exception as exc:  # the sweeper retries on its next round
            log.warning("pending sweep failed", error=type(exc).__name__)
            return 0
