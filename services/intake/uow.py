"""intake's unit of work: cases, rejected store, inbox and outbox in one transaction."""

from __future__ import annotations

from shared.messaging.uow import SqlUnitOfWork

from .repository import CaseRepository, RejectedRepository


class IntakeUnitOfWork(SqlUnitOfWork):
    cases: CaseRepository
    rejected: RejectedRepository

    def _open(self) -> None:
        self.cases = CaseRepository(self.session)
        self.rejected = RejectedRepository(self.session)
