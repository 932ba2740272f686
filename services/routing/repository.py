"""routing's repositories. They never commit: the unit of work does."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .orm import Assignment, AssignmentAudit


class AssignmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ref: str) -> Assignment | None:
        return await self.session.get(Assignment, ref)

    def add(self, assignment: Assignment, audit: AssignmentAudit) -> None:
        self.session.add_all([assignment, audit])

    def add_audit(self, audit: AssignmentAudit) -> None:
        self.session.add(audit)

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(Assignment)) or 0

    async def history(self, ref: str) -> list[AssignmentAudit]:
        return list(await self.session.scalars(
            select(AssignmentAudit).where(AssignmentAudit.ref == ref).order_by(AssignmentAudit.id)))
