"""intake's unit of work: cases, records, rejected store, inbox and outbox in one transaction."""

from __future__ import annotations

from shared.messaging.uow import SqlUnitOfWork

from .repository import (
    AcceptedDigestRepository,
    AccessRepository,
    CaseRepository,
    PendingRepository,
    RecordRepository,
    RejectedRepository,
    TimelineRepository,
)


class IntakeUnitOfWork(SqlUnitOfWork):
    cases: CaseRepository
    timeline: TimelineRepository
    pending: PendingRepository
    rejected: RejectedRepository
    records: RecordRepository
    access: AccessRepository
    accepted: AcceptedDigestRepository

    def _open(self) -> None:
        self.cases = CaseRepository(self.session)
        self.timeline = TimelineRepository(self.session)
        self.pending = PendingRepository(self.session)
        self.rejected = RejectedRepository(self.session)
        self.records = RecordRepository(self.session)
        self.access = AccessRepository(self.session)
        self.accepted = AcceptedDigestRepository(self.session)
