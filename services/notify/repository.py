"""notify's repositories. They never commit: the unit of work does."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .orm import ScheduledNotification


class Schedule:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        found = await self.session.scalars(select(ScheduledNotification.idempotency_key).where(
            ScheduledNotification.idempotency_key.in_(keys)))
        return set(found)

    def add_all(self, items: list[ScheduledNotification]) -> None:
        self.session.add_all(items)

    async def for_case(self, ref: str) -> list[ScheduledNotification]:
        return list(await self.session.scalars(
            select(ScheduledNotification).where(ScheduledNotification.case_ref == ref)
            .order_by(ScheduledNotification.send_at)))

    async def count(self) -> int:
        return await self.session.scalar(
            select(func.count()).select_from(ScheduledNotification)) or 0
