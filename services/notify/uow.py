"""notify's unit of work."""

from __future__ import annotations

from shared.messaging.uow import SqlUnitOfWork

from .repository import Schedule


class NotifyUnitOfWork(SqlUnitOfWork):
    schedule: Schedule

    def _open(self) -> None:
        self.schedule = Schedule(self.session)
