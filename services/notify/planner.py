"""Work the calendar brings rather than an event: each unit's daily digest and the reminders of
the plan's periodic reports. Run by the dispatcher before it claims; insert-if-absent by key,
so replicas and restarts plan each message once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from shared.units import UnitCatalogue

from . import reports, scheduling
from .schedule import plan_daily_digest
from .scheduling import Planning
from .uow import NotifyUnitOfWork


class PeriodicPlanner:
    def __init__(self, *, uow: Callable[[], NotifyUnitOfWork], planning: Planning,
                 units: UnitCatalogue) -> None:
        self._uow, self._planning, self._units = uow, planning, units
        self._obligations_day: date | None = None
        self._digest_day: date | None = None

    async def plan(self, now: datetime) -> None:
        today = now.astimezone(self._planning.policy.tz).date()
        if self._obligations_day != today:
            async with self._uow() as work:
                await reports.plan_obligations(work, today, self._planning, self._units)
                await work.commit()
            self._obligations_day = today
        if self._digest_day != today and self._digest_time(now, today):
            await self.plan_digests(today)
            self._digest_day = today

    def _digest_time(self, now: datetime, today: date) -> bool:
        policy = self._planning.policy
        local = now.astimezone(policy.tz)
        return (policy.digest.enabled and self._planning.calendar.is_working_day(today)
                and local.time() >= policy.digest.send_time)

    async def plan_digests(self, today: date) -> int:
        """One digest per unit that prefers it and has open cases."""
        planning, now = self._planning, self._planning.clock()
        codes = [u.code for u in self._units.active(on=today) if u.prefers_digest]
        async with self._uow() as work:
            values = []
            for code in sorted(await work.cases.units_with_open_cases(codes)):
                item = plan_daily_digest(code, today, planning.policy, planning.calendar)
                if item is not None:
                    values += scheduling.with_copies(
                        scheduling.row_values(item, unit_code=code, now=now),
                        planning.webhooks)
            await work.schedule.insert_missing(values)
            await work.commit()
        return len(values)
