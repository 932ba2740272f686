"""routing's unit of work."""

from __future__ import annotations

from shared.messaging.uow import SqlUnitOfWork

from .repository import AssignmentRepository


class RoutingUnitOfWork(SqlUnitOfWork):
    assignments: AssignmentRepository

    def _open(self) -> None:
        self.assignments = AssignmentRepository(self.session)
