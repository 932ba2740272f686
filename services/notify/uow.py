"""notify's unit of work."""

from __future__ import annotations

from shared.messaging.uow import SqlUnitOfWork

from .repository import Cases, DeliveryLog, Schedule


class NotifyUnitOfWork(SqlUnitOfWork):
    schedule: Schedule
    cases: Cases
    log: DeliveryLog

    def _open(self) -> None:
        self.schedule = Schedule(self.session)
        self.cases = Cases(self.session)
        self.log = DeliveryLog(self.session)
