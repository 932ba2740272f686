"""notify's schedule of a case is the same whatever order routing's and intake's events arrive
in: an older assignment never rolls deadlines back, steps ended by acceptance stay ended, and
the count it announces is the one the running deadlines call for. The handlers run against an
in-memory unit of work."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import permutations
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.notify import domain, handlers
from services.notify.orm import PENDING, CaseRecord, ScheduledNotification
from services.notify.repository import NEW_CASE, CaseSchedule
from services.notify.scheduling import Planning
from shared.contracts.base import Envelope, make_envelope
from shared.contracts.routing import Assignment, CaseAssigned, DeadlineChanged, StepDeadline
from shared.contracts.updates import CaseStatusChanged

VN = ZoneInfo("Asia/Ho_Chi_Minh")
REF = "PAKN-2026-000001"
T0 = datetime(2026, 11, 20, 9, tzinfo=VN)
NOTIFY_CASES = "notify.notifications_scheduled"


class Schedule:
    def __init__(self) -> None:
        self.rows: dict[str, ScheduledNotification] = {}

    async def of_case(self, ref: str) -> CaseSchedule:
        rows = [r for r in self.rows.values() if r.case_ref == ref]
        return CaseSchedule(rows, [_values(r) for r in rows if r.status == "held"])

    async def write(self, schedule: CaseSchedule) -> None:
        for values in schedule.held:
            row = self.rows[values["idempotency_key"]]
            row.status, row.last_error, row.due_at = (values["status"], values["last_error"],
                                                      values["due_at"])
        self.rows.update((v["idempotency_key"], ScheduledNotification(**v))
                         for v in schedule.new)

    async def set_status(self, keys, status: str, *, reason: str | None = None,
                         only_from: tuple[str, ...] = PENDING) -> int:
        rows = [self.rows[k] for k in keys if self.rows[k].status in only_from]
        for row in rows:
            row.status, row.last_error = status, reason
        return len(rows)

    async def cancel_for_case(self, ref: str, reason: str, *, phases: tuple[str, ...],
                              steps=None) -> int:
        rows = [r for r in self.rows.values() if r.case_ref == ref and r.status in PENDING
                and r.phase in phases and (steps is None or r.step in steps)]
        return await self.set_status([r.idempotency_key for r in rows], "cancelled",
                                     reason=reason)

    async def retarget(self, ref: str, unit_code: str) -> int:
        rows = [r for r in self.rows.values() if r.case_ref == ref
                and r.status in PENDING and r.phase in domain.CASE_PHASES]
        for row in rows:
            row.unit_code = unit_code
        return len(rows)


def _values(row: ScheduledNotification) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in ScheduledNotification.__table__.columns}


class Cases:
    """Hands out copies, as the database does: what a handler does not save is lost."""

    def __init__(self) -> None:
        self.records: dict[str, CaseRecord] = {}

    async def lock_or_create(self, ref: str, now: datetime) -> CaseRecord:
        stored = self.records.get(ref) or CaseRecord(ref=ref, **NEW_CASE, updated_at=now)
        return CaseRecord(**{c.key: getattr(stored, c.key) for c in CaseRecord.__table__.columns})

    async def save(self, record: CaseRecord) -> None:
        self.records[record.ref] = record


class Log:
    async def add(self, **values: Any) -> None:
        pass


class Work:
    """One store shared by every unit of work, as a database would be."""

    def __init__(self) -> None:
        self.schedule, self.cases, self.log = Schedule(), Cases(), Log()
        self.processed: set[str] = set()
        self.published: list[Envelope[Any]] = []

    def __call__(self) -> Work:
        return self

    async def __aenter__(self) -> Work:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    async def claim(self, event_id: str, consumer: str) -> bool:
        """Kept even when the work is not committed: no handler here leaves without it."""
        if event_id in self.processed:
            return False
        self.processed.add(event_id)
        return True

    async def publish(self, envelope: Envelope[Any]) -> None:
        self.published.append(envelope)

    async def commit(self) -> None:
        pass

    def live(self) -> set[tuple[str, str, date]]:
        return {(r.step, r.kind, r.due_on) for r in self.schedule.rows.values()
                if r.phase in domain.CASE_PHASES and r.status != "cancelled"}

    def counts(self) -> list[int | None]:
        return [e.data.live_count for e in self.published if e.type == NOTIFY_CASES]


def _deadline(step: str, due: date) -> StepDeadline:
    return StepDeadline(step=step, label=step, due_on=due, days=10, day_unit="working",
                        counted_from=date(2026, 11, 20), legal_basis="Luật Khiếu nại 2011")


PROVISIONAL = [_deadline("xu_ly_don", date(2026, 11, 30)), _deadline("thu_ly", date(2026, 11, 30)),
               _deadline("giai_quyet", date(2026, 12, 30))]
AFTER_ACCEPTANCE = [*PROVISIONAL[:2], _deadline("giai_quyet", date(2026, 12, 24))]


def assigned(at: datetime = T0, *, deadlines=PROVISIONAL, unit: str = "SO_Y_TE") -> Envelope:
    return make_envelope(CaseAssigned(
        ref=REF, kind="khieu_nai", received_at=T0 - timedelta(hours=1),
        assignment=Assignment(unit_code=unit, unit_name=f"Unit {unit}", rule_id="r1",
                              explanation="theo từ khóa"),
        deadlines=deadlines), producer="routing", occurred_at=at)


def changed(at: datetime, *, deadlines=AFTER_ACCEPTANCE, closed: bool = False) -> Envelope:
    return make_envelope(DeadlineChanged(
        ref=REF, kind="khieu_nai", unit_code="SO_Y_TE", reason="thụ lý",
        deadlines=[] if closed else deadlines, closed=closed),
        producer="routing", occurred_at=at)


def status(value: str, at: datetime, previous: str = "received") -> Envelope:
    return make_envelope(CaseStatusChanged(
        ref=REF, kind="khieu_nai", status=value, previous_status=previous, unit_code="SO_Y_TE",
        occurred_at=at), producer="intake", occurred_at=at)


HANDLERS = {"routing.case_assigned": handlers.schedule_case,
            "routing.deadline_changed": handlers.on_deadline_changed,
            "intake.case_status_changed": handlers.on_status_changed}


@pytest.fixture
def planning(policy, calendar, make_clock) -> Planning:
    return Planning(policy=policy, calendar=calendar, clock=make_clock(T0 + timedelta(days=5)))


async def run(planning: Planning, events: list[Envelope]) -> Work:
    work = Work()
    for envelope in events:
        handler = HANDLERS[envelope.type]
        await handler(envelope, uow=work, planning=planning)
    return work


def acceptance() -> list[Envelope]:
    return [assigned(), status("accepted", T0 + timedelta(days=4)),
            changed(T0 + timedelta(days=4, minutes=1))]


async def test_an_older_assignment_arriving_late_does_not_roll_deadlines_back(planning):
    work = await run(planning, [changed(T0 + timedelta(days=4)), assigned()])
    record = work.cases.records[REF]
    assert [d["due_on"] for d in record.deadlines] == ["2026-11-30", "2026-11-30", "2026-12-24"]
    assert {due for _, _, due in work.live()} == {date(2026, 11, 30), date(2026, 12, 24)}
    assert record.routed_at == T0 + timedelta(days=4)
    assert record.unit_name == "Unit SO_Y_TE"  # the late assignment still names the unit


async def test_a_late_assignment_names_no_unit_it_no_longer_holds(planning):
    work = await run(planning, [changed(T0 + timedelta(days=4)), assigned(unit="SO_XAY_DUNG")])
    record = work.cases.records[REF]
    assert (record.unit_code, record.unit_name) == ("SO_Y_TE", None)


async def test_steps_ended_by_acceptance_stay_ended_when_routing_repeats_them(planning):
    work = await run(planning, acceptance())
    per_deadline = len(planning.policy.reminders) + len(planning.policy.ladder)
    assert {step for step, _, _ in work.live()} == {"giai_quyet"}
    assert {due for _, _, due in work.live()} == {date(2026, 12, 24)}
    assert work.counts()[-1] == per_deadline == len(work.live())


@pytest.mark.parametrize("order", list(permutations(range(3))))
async def test_any_order_and_duplicates_give_the_in_order_schedule_and_count(planning, order):
    events = acceptance()
    expected = await run(planning, events)
    shuffled = [events[i] for i in order for _ in (1, 2)]
    found = await run(planning, shuffled)
    assert found.live() == expected.live()
    assert found.counts()[-1] == expected.counts()[-1] == len(expected.live())
    assert found.cases.records[REF].deadlines == expected.cases.records[REF].deadlines


async def test_a_closed_case_announces_no_running_reminders(planning):
    work = await run(planning, [*acceptance(), changed(T0 + timedelta(days=9), closed=True)])
    assert work.live() == set() and work.counts()[-1] == 0


async def test_the_same_assignment_again_announces_nothing(planning):
    work = await run(planning, [assigned(), assigned(T0 + timedelta(minutes=5))])
    assert work.counts() == [3 * (len(planning.policy.reminders) + len(planning.policy.ladder))]


def test_an_older_event_is_not_newer():
    assert domain.is_newer(T0, None) and domain.is_newer(T0, T0)
    assert not domain.is_newer(T0 - timedelta(seconds=1), T0)


def test_running_deadlines_and_plan_leave_out_done_steps(policy, calendar):
    deadlines = domain.deadlines_of(AFTER_ACCEPTANCE)
    running = domain.running_deadlines(deadlines, ["xu_ly_don", "thu_ly"])
    assert [d.step for d in running] == ["giai_quyet"]
    planned = domain.plan_deadlines(REF, deadlines, policy=policy, calendar=calendar)
    assert {p.step for p in domain.running_plan(planned, ["thu_ly"])} == {"xu_ly_don",
                                                                          "giai_quyet"}
