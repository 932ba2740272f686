"""The dispatcher: back-off, parking, reporting a destination that keeps failing, recovery of
rows a crashed dispatcher left behind, and exactly-once bookkeeping."""

from __future__ import annotations

from datetime import date, timedelta

from services.notify.channels import DeliveryResult
from services.notify.retry import RetryPolicy

from .notify_harness import Recorder, assigned, build_harness, deadline, vn

REF = "PAKN-2026-000401"
DUE = date(2026, 3, 13)


async def _reminder(harness):
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", DUE)],
                                  at=vn(2026, 3, 2, 9, 0)))
    harness.clock.now = vn(2026, 3, 10, 8, 0)
    [row] = [r for r in await harness.rows(REF) if r.kind == "reminder"]
    return row.idempotency_key


def _events(events, kind):
    return [e["data"] for e in events if e["type"] == kind]


async def test_transient_failures_back_off_then_report_once_and_finally_send(migrated, clock):
    engine, sessions = await migrated("notify")
    retry = RetryPolicy(base_delay=timedelta(minutes=1), max_delay=timedelta(minutes=10),
                        failing_after=3)
    recorder = Recorder(clock, [DeliveryResult.transient("SMTP 451: try later")] * 4)
    harness = build_harness(engine, sessions, clock, transports={"email": recorder}, retry=retry)
    key = await _reminder(harness)
    due_times = []
    for _ in range(5):
        await harness.dispatcher.tick()
        [row] = [r for r in await harness.rows(REF) if r.idempotency_key == key]
        due_times.append(row.due_at - harness.clock.now)
        harness.clock.now = max(harness.clock.now, row.due_at)
    assert due_times[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert row.status == "sent" and row.attempts == 5 and recorder.keys == [key]
    events = await harness.events()
    [failed] = _events(events, "notify.notification_failed")
    assert failed["attempts"] == 3 and failed["parked"] is False
    assert len(_events(events, "notify.notification_sent")) == 1
    outcomes = [e.outcome for e in await harness.log() if e.idempotency_key == key]
    assert outcomes == ["transient"] * 4 + ["sent"]


async def test_permanent_failure_is_parked_not_dropped(sqlite_harness):
    harness = sqlite_harness
    harness.transports["email"].results = [DeliveryResult.permanent("SMTP 550: no such user")]
    key = await _reminder(harness)
    await harness.dispatcher.tick()
    harness.clock.advance(hours=2)
    await harness.dispatcher.tick()
    [row] = [r for r in await harness.rows(REF) if r.idempotency_key == key]
    assert row.status == "failed" and "550" in row.last_error and row.attempts == 1
    [failed] = _events(await harness.events(), "notify.notification_failed")
    assert failed["parked"] is True and "550" in failed["reason"]


async def test_a_unit_unknown_on_the_day_is_parked_with_the_reason(sqlite_harness):
    harness = sqlite_harness
    await harness.handle(assigned(REF, unit="PHONG_DA_GIAI_THE", unit_name="Phòng cũ",
                                  deadlines=[deadline("giai_quyet", DUE)],
                                  at=vn(2026, 3, 2, 9, 0)))
    harness.clock.now = vn(2026, 3, 10, 8, 0)
    await harness.dispatcher.tick()
    [row] = [r for r in await harness.rows(REF) if r.kind == "reminder"]
    assert row.status == "failed" and "unknown unit code 'PHONG_DA_GIAI_THE'" in row.last_error


async def test_claimed_rows_of_a_dead_dispatcher_are_sent_after_the_lease(migrated, clock):
    engine, sessions = await migrated("notify")
    dead = build_harness(engine, sessions, clock, worker="dead", lease_seconds=60)
    key = await _reminder(dead)
    assert [c.key for c in await dead.dispatcher.claim(clock.now)] == [key]  # then it dies
    alive = build_harness(engine, sessions, clock, worker="alive", lease_seconds=60)
    await alive.dispatcher.tick()
    assert alive.transports["email"].keys == []  # the lease still runs
    clock.advance(seconds=61)
    await alive.dispatcher.tick()
    await alive.dispatcher.tick()
    assert alive.transports["email"].keys == [key]
    [row] = [r for r in await alive.rows(REF) if r.idempotency_key == key]
    assert row.status == "sent" and row.attempts == 2


async def test_in_doubt_mail_is_held_for_an_operator_never_resent(sqlite_harness, clock):
    harness = sqlite_harness
    key = await _reminder(harness)
    [claim] = await harness.dispatcher.claim(clock.now)
    await harness.dispatcher._pass_point(claim)  # the end-of-data dot went out; then a crash
    clock.advance(minutes=10)
    await harness.dispatcher.tick()
    await harness.dispatcher.tick()
    [row] = [r for r in await harness.rows(REF) if r.idempotency_key == key]
    assert row.status == "uncertain" and harness.transports["email"].keys == []
    [failed] = _events(await harness.events(), "notify.notification_failed")
    assert failed["parked"] is True and "unconfirmed" in failed["reason"]


async def test_a_dispatcher_that_lost_its_lease_cannot_pass_the_point_of_no_return(
        sqlite_harness, clock):
    harness = sqlite_harness
    await _reminder(harness)
    [claim] = await harness.dispatcher.claim(clock.now)
    clock.advance(minutes=10)
    await harness.dispatcher.recover(clock.now)  # another dispatcher took it back
    slow = build_harness(harness.notify.engine, harness.notify.sessions, clock)
    await slow.dispatcher.tick()  # sends it
    await harness.dispatcher.deliver(claim)  # the late one must not
    assert slow.transports["email"].keys == [claim.key]
    assert harness.transports["email"].keys == []


async def test_redelivered_events_and_repeated_ticks_send_once(harness):
    for _ in range(2):
        await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", DUE)],
                                      at=vn(2026, 3, 2, 9, 0)))
    harness.clock.now = vn(2026, 3, 13, 8, 0)  # the reminder is late: only due_today goes
    for _ in range(3):
        await harness.dispatcher.tick()
    sent = harness.transports["email"].keys
    assert [k.split(":")[0] for k in sent] == ["due_today"]
    statuses = {r.kind: r.status for r in await harness.rows(REF) if r.phase == "before"}
    assert statuses == {"reminder": "skipped", "due_today": "sent"}


async def test_an_unexpected_error_in_a_transport_parks_the_row_instead_of_looping(
        sqlite_harness):
    harness = sqlite_harness

    class Broken:
        name = "broken"

        async def send(self, message, *, commit_point=None):
            raise RuntimeError("bug")

    harness.dispatcher._transports["email"] = Broken()
    key = await _reminder(harness)
    await harness.dispatcher.tick()
    [row] = [r for r in await harness.rows(REF) if r.idempotency_key == key]
    assert row.status == "failed" and "unexpected RuntimeError" in row.last_error
