"""The notify schedule on the real civil-service calendar (shared/calendar.py) across Tết 2026."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.notify.schedule import (
    AckRequest, CaseDeadline, StepWalker, load_policy, plan_acknowledgement,
    plan_case_notifications,
)

calendar_module = pytest.importorskip("shared.calendar")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_walk_across_weekend_and_tet_2026_on_the_real_calendar():
    calendar, policy = calendar_module.default_calendar(), load_policy()
    plan = plan_case_notifications(CaseDeadline("KN-2026-0007", "resolve", date(2026, 2, 13)),
                                   policy, calendar)
    clock = Clock(datetime(2026, 2, 6, 17, 0, tzinfo=VN))
    walker = StepWalker(plan, clock, policy, calendar)
    sent = []
    while (wake := walker.next_wakeup()) is not None:
        clock.now = wake
        sent += [(p.kind, clock.now) for p in walker.tick()]
    assert [(kind, when.date()) for kind, when in sent] == [
        ("reminder", date(2026, 2, 10)),
        ("due_today", date(2026, 2, 13)),
        ("urging", date(2026, 2, 23)),
        ("escalation_head", date(2026, 2, 25)),
        ("escalation_leadership", date(2026, 2, 27)),
    ]
    for _, when in sent:
        assert calendar.is_working_day(when.date())
        assert time(7, 30) <= when.astimezone(VN).time() < time(16, 30)


def test_to_cao_acceptance_notice_deadline_skips_tet():
    calendar, policy = calendar_module.default_calendar(), load_policy()
    ack = AckRequest("TC-2026-0003", "to_cao", "accepted", date(2026, 2, 12), True,
                     "nguoi.to.cao@example.org")
    [planned] = plan_acknowledgement(ack, policy, calendar, datetime(2026, 2, 12, 15, tzinfo=VN))
    assert planned.not_after == datetime(2026, 2, 26, 16, 30, tzinfo=VN)
