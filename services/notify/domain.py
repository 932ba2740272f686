"""notify's pure rules on top of the policy in schedule.py: what a case's deadlines call for."""

from __future__ import annotations

from shared.contracts.notify import ScheduledItem
from shared.contracts.routing import CaseAssigned

from .schedule import (
    CaseDeadline,
    NotifyPolicy,
    PlannedNotification,
    WorkingCalendarPort,
    plan_case_notifications,
)


def plan_for_case(case: CaseAssigned, *, policy: NotifyPolicy,
                  calendar: WorkingCalendarPort) -> list[PlannedNotification]:
    planned: list[PlannedNotification] = []
    for deadline in case.deadlines:
        planned += plan_case_notifications(
            CaseDeadline(case_ref=case.ref, step=deadline.step, due_date=deadline.due_on),
            policy, calendar)
    return planned


def render_context(case: CaseAssigned, item: PlannedNotification) -> dict[str, object]:
    """What templates may show a unit: the case, never its sender."""
    return {
        "case_ref": case.ref,
        "case_kind": case.kind.value,
        "unit_code": case.assignment.unit_code,
        "unit_name": case.assignment.unit_name,
        "step": item.step,
        "due_date": item.due_date.isoformat() if item.due_date else None,
    }


def as_scheduled_item(item: PlannedNotification) -> ScheduledItem:
    return ScheduledItem(idempotency_key=item.idempotency_key, kind=item.kind,
                         audience=item.audience, step=item.step, due_on=item.due_date,
                         send_at=item.send_at)
