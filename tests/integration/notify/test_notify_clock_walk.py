"""Acceptance: one case walked with an injected clock through reminder, due day, urging and
two escalation steps, across a weekend and Tết 2026, nothing sent outside office hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from shared.calendar import default_calendar

from .notify_harness import assigned, deadline, vn

REF = "PAKN-2026-000101"
DUE = date(2026, 2, 13)  # the Friday before Tết Bính Ngọ (14–22/02/2026 off)


def in_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(vn(2026, 1, 1).tzinfo)
    return (default_calendar().is_working_day(local.date())
            and time(7, 30) <= local.time() < time(16, 30))


async def walk(harness, until: datetime, step: timedelta) -> list[datetime]:
    ticks = []
    while harness.clock.now < until:
        harness.clock.advance(seconds=step.total_seconds())
        await harness.dispatcher.tick()
        ticks.append(harness.clock.now)
    return ticks


async def test_case_walks_reminder_due_day_urging_and_two_escalations(sqlite_harness):
    harness = sqlite_harness
    harness.clock.now = vn(2026, 2, 2, 9, 0)
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", DUE)],
                                  at=vn(2026, 2, 2, 9, 0)))
    ticks = await walk(harness, vn(2026, 3, 4, 0, 0), timedelta(minutes=30))
    sent = harness.transports["email"].sent
    assert [(m.idempotency_key.split(":")[0], at) for at, m in sent] == [
        ("reminder", vn(2026, 2, 10, 8, 0)),
        ("due_today", vn(2026, 2, 13, 8, 0)),
        ("urging", vn(2026, 2, 23, 8, 0)),  # the first working day after the weekend and Tết
        ("escalation_head", vn(2026, 2, 25, 8, 0)),
        ("escalation_leadership", vn(2026, 2, 27, 8, 0)),
    ]
    assert all(in_office_hours(at) for at, _ in sent)
    assert sum(not in_office_hours(t) for t in ticks) > 1000  # nights, weekends, Tết were walked
    to = [m.recipients for _, m in sent]
    assert to[0] == to[1] == to[2] == ["ldvl.dauoi@sonoivu.hatinh.example"]
    assert to[3] == ["ldvl@sonoivu.hatinh.example"]
    assert "giamdoc@sonoivu.hatinh.example" in to[4]
    escalated = [e["data"] for e in await harness.events()
                 if e["type"] == "notify.case_escalated"]
    assert [(e["level"], e["step"], e["due_on"]) for e in escalated] == [
        ("unit", "giai_quyet", "2026-02-13"), ("unit_head", "giai_quyet", "2026-02-13"),
        ("leadership", "giai_quyet", "2026-02-13")]
    subject = sent[2][1].subject
    assert subject == "[Đôn đốc] Hồ sơ PAKN-2026-000101 đã quá hạn giải quyết (hạn 13/02/2026)"
    assert "Số ngày làm việc đã quá hạn: 1" in sent[2][1].body_text
    assert "Ngày đôn đốc: 23/02/2026" in sent[3][1].body_text
