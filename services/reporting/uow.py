"""reporting's unit of work."""

from __future__ import annotations

from shared.messaging.uow import SqlUnitOfWork

from .repository import CaseFacts, EventLog, ReportBuilds, Rows


class ReportingUnitOfWork(SqlUnitOfWork):
    events: EventLog
    facts: CaseFacts
    rows: Rows
    builds: ReportBuilds

    def _open(self) -> None:
        self.events = EventLog(self.session)
        self.facts = CaseFacts(self.session)
        self.rows = Rows(self.session)
        self.builds = ReportBuilds(self.session)
