"""reporting's repositories. They never commit: the unit of work does."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .orm import CaseFact, StoredEvent


class EventLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def append(self, event: StoredEvent) -> None:
        self.session.add(event)


class CaseFacts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ref: str) -> CaseFact | None:
        return await self.session.get(CaseFact, ref)

    async def get_or_new(self, ref: str) -> CaseFact:
        fact = await self.get(ref)
        if fact is None:
            fact = CaseFact(ref=ref, reminders_scheduled=0)
            self.session.add(fact)
        return fact

    async def counts(self) -> dict[str, object]:
        received = select(func.count()).select_from(CaseFact).where(
            CaseFact.received_at.is_not(None))
        assigned = select(func.count()).select_from(CaseFact).where(
            CaseFact.unit_code.is_not(None))
        by_kind = select(CaseFact.kind, func.count()).where(
            CaseFact.kind.is_not(None)).group_by(CaseFact.kind)
        by_unit = select(CaseFact.unit_code, func.count()).where(
            CaseFact.unit_code.is_not(None)).group_by(CaseFact.unit_code)
        return {
            "received": await self.session.scalar(received) or 0,
            "assigned": await self.session.scalar(assigned) or 0,
            "by_kind": dict((await self.session.execute(by_kind)).all()),
            "by_unit": dict((await self.session.execute(by_unit)).all()),
        }
