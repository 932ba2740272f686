"""intake's repositories. They never commit: the unit of work does."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .orm import Case, RefCounter, RejectedMessage


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ref: str) -> Case | None:
        return await self.session.get(Case, ref)

    async def get_by_source(self, source_system: str, external_id: str) -> Case | None:
        return await self.session.scalar(select(Case).where(
            Case.source_system == source_system, Case.external_id == external_id))

    async def get_by_message_id(self, message_id: str) -> Case | None:
        return await self.session.scalar(select(Case).where(Case.message_id == message_id))

    def add(self, case: Case) -> None:
        self.session.add(case)

    async def next_number(self, year: int) -> int:
        bumped = await self.session.scalar(
            update(RefCounter).where(RefCounter.year == year)
            .values(last=RefCounter.last + 1).returning(RefCounter.last))
        if bumped is not None:
            return bumped
        self.session.add(RefCounter(year=year, last=1))
        await self.session.flush()
        return 1

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(Case)) or 0


class RejectedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, rejected: RejectedMessage) -> None:
        self.session.add(rejected)

    async def list(self, *, status: str | None = "pending", limit: int = 100
                   ) -> list[RejectedMessage]:
        query = select(RejectedMessage).order_by(RejectedMessage.received_at).limit(limit)
        if status:
            query = query.where(RejectedMessage.status == status)
        return list(await self.session.scalars(query))
