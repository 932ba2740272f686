"""The background worker that makes scheduled reports (ServiceParts.background).

Every poll it reads the schedule file (so edits apply without a restart; a bad edit keeps the
last good rules), and for each build due since the catch-up window began it claims the build's
key (family, period, scope) in `report_builds` — a unique column, so among restarts and
replicas only one claim succeeds — builds it, records it and announces it through the outbox.
A claim left unfinished longer than the lease (its replica died) may be taken again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from shared.contracts.base import make_envelope, utc_now
from shared.logging import get_logger

from .builder import ReportRequest
from .orm import ReportBuild
from .reports import ReportMaker, finish_record, new_report_id
from .schedule import DueBuild, ScheduleError, ScheduleRule, due_builds, load_schedule
from .uow import ReportingUnitOfWork
import contextlib

log = get_logger()
PRODUCER = "reporting"


class ReportScheduler:
    def __init__(self, *, schedule_path: Path, uow: Callable[[], ReportingUnitOfWork],
                 maker: ReportMaker, poll_seconds: float = 60.0, catch_up: timedelta =
                 timedelta(days=7), lease: timedelta = timedelta(minutes=30),
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.schedule_path, self.uow, self.maker = schedule_path, uow, maker
        self.poll_seconds, self.catch_up, self.lease, self.clock = (poll_seconds, catch_up,
                                                                    lease, clock)
        self.rules: list[ScheduleRule] = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.tick()
            except Exception as exc:  # a failed tick is logged and tried again next poll
                log.error("report schedule tick failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.poll_seconds)

    def stop(self) -> None:
        self._stop.set()

    def reload(self) -> list[ScheduleRule]:
        try:
            self.rules = load_schedule(self.schedule_path)
        except ScheduleError as exc:
            log.error("report schedule not reloaded; keeping the last good one", error=str(exc))
        return self.rules

    async def tick(self) -> list[str]:
        """Build what is due; return the report ids built by this replica."""
        now = self.clock()
        built = []
        for due in due_builds(self.reload(), now=now, since=now - self.catch_up):
            if self._stop.is_set():
                break
            report_id = await self._claim(due, now)
            if report_id is not None:
                await self._build(due, report_id)
                built.append(report_id)
        return built

    async def _claim(self, due: DueBuild, now: datetime) -> str | None:
        request = ReportRequest(family=due.family, period=due.period, scope=due.scope)
        report_id = new_report_id(request, now)
        try:
            async with self.uow() as work:
                await work.builds.release_stale(due.key, now - self.lease)
                if await work.builds.by_schedule_key(due.key) is not None:
                    return None
                work.builds.add(ReportBuild(
                    report_id=report_id, family=due.family, period=due.period, scope=due.scope,
                    trigger="schedule", requested_by=f"schedule:{due.rule_id}",
                    schedule_key=due.key, status="building", started_at=now))
                await work.commit()
        except IntegrityError:
            return None  # another replica claimed it first
        return report_id

    async def _build(self, due: DueBuild, report_id: str) -> None:
        request = ReportRequest(family=due.family, period=due.period, scope=due.scope)
        try:
            generated = await self.maker.make(request, self.clock(), report_id=report_id)
        except Exception as exc:
            await self._failed(report_id, exc)
            return
        async with self.uow() as work:
            build = await work.builds.get(report_id)
            finish_record(build, generated, self.clock())
            await work.publish(make_envelope(generated, producer=PRODUCER,
                                             correlation_id=report_id))
            await work.commit()
        log.info("scheduled report built", report_id=report_id, rule=due.rule_id)

    async def _failed(self, report_id: str, exc: Exception) -> None:
        log.error("scheduled report failed", report_id=report_id, error=repr(exc))
        async with self.uow() as work:
            build = await work.builds.get(report_id)
            build.status, build.error, build.finished_at = "failed", repr(exc)[:2000], self.clock()
            await work.commit()
