"""reporting's unit of work."""

from __future__ import annotations

from shared.messaging.uow import SqlUnitOfWork

from .repository import CaseFacts, EventLog


class ReportingUnitOfWork(SqlUnitOfWork):
    events: EventLog
    facts: CaseFacts

    def _open(self) -> None:
        self.events = EventLog(self.session)
        self.facts = CaseFacts(self.session)
