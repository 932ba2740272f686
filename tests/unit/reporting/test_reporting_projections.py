"""Projections give the same row whatever order the events arrive in."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.orm import CaseFact
from services.reporting.synthetic import CaseGenerator
from services.reporting.synthetic_load import project_in_memory
from services.reporting.synthetic_movement import MovementGenerator
from shared.plan import default_plan
from shared.units import UnitCatalogue

COLUMNS = [c.key for c in CaseFact.__mapper__.column_attrs]


def story(seed: int):
    """A case with a long story: reassigned, extended, closed, reopened…"""
    generator = CaseGenerator(seed, start=date(2026, 1, 1), end=date(2026, 12, 31))
    for i in range(10_000):
        truth, events = generator.case(i)
        if len(events) >= 6:
            return truth, events
    raise AssertionError("no long story")


def fact_of(events) -> dict:
    (fact,) = project_in_memory(events)[CaseFact].values()
    return {c: getattr(fact, c) for c in COLUMNS}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 50), order=st.randoms(use_true_random=False))
def test_a_case_is_the_same_in_any_event_order(seed, order):
    truth, events = story(seed)
    expected = fact_of(events)
    shuffled = list(events)
    order.shuffle(shuffled)
    assert fact_of(shuffled) == expected
    assert (expected["unit_code"], expected["due_on"], expected["closed_on"]) == (
        truth.unit, truth.due_on, truth.closed_on)
    assert expected["close_kind"] == truth.close_kind and expected["result"] == truth.result
    assert expected["processed_on"] == truth.processed_on


def test_a_case_story_is_recovered_from_its_events():
    truth, events = story(3)
    fact = fact_of(events)
    assert fact["received_on"] == truth.received_on and fact["kind"] == truth.kind
    if truth.closed_on:
        assert fact["on_time"] == (truth.closed_on <= truth.due_on)
        assert fact["handling_days"] == (truth.closed_on - truth.received_on).days


def test_movement_rows_are_the_same_in_any_order():
    movement = MovementGenerator(1, plan=default_plan(), units=UnitCatalogue.load()).events()
    forward = project_in_memory(movement)
    backward = project_in_memory(reversed(movement))
    for table, rows in forward.items():
        columns = [c.key for c in table.__mapper__.column_attrs]
        assert {k: [getattr(r, c) for c in columns] for k, r in rows.items()} == {
            k: [getattr(r, c) for c in columns] for k, r in backward[table].items()}, table


def test_changes_reported_for_the_same_instant_follow_the_case_life():
    from datetime import UTC, datetime

    from services.reporting.synthetic import GeneratedEvent
    from shared.contracts.updates import CaseStatusChanged

    at = datetime(2026, 11, 24, 2, tzinfo=UTC)

    def change(status: str, previous: str, event_id: str, **details) -> GeneratedEvent:
        return GeneratedEvent(CaseStatusChanged(
            ref="PAKN-2026-000001", kind="kien_nghi", status=status, previous_status=previous,
            unit_code="VAN_PHONG", occurred_at=at, **details), event_id, at)

    accepted = change("accepted", "received", "ffff")
    resolved = change("resolved", "accepted", "0000", resolution={"result": "da_tra_loi"})
    for events in ([accepted, resolved], [resolved, accepted]):
        fact = fact_of(events)
        assert (fact["status"], fact["close_kind"]) == ("resolved", "resolved")


def _scheduled(event_id: str, minute: int, live_count: int | None, items: int = 0):
    from datetime import UTC, datetime

    from services.reporting.synthetic import GeneratedEvent
    from shared.contracts.notify import NotificationsScheduled, ScheduledItem

    at = datetime(2026, 11, 24, 2, minute, tzinfo=UTC)
    rows = [ScheduledItem(idempotency_key=f"reminder:{event_id}{i}", kind="reminder",
                          audience="unit", step="giai_quyet", due_on=date(2026, 12, 24),
                          send_at=at) for i in range(items)]
    return GeneratedEvent(NotificationsScheduled(
        ref="PAKN-2026-000001", unit_code="SO_Y_TE", items=rows, live_count=live_count),
        event_id, at)


def test_reminders_scheduled_is_notify_latest_count_in_any_order_and_twice():
    from itertools import permutations

    # assigned: 15 planned; accepted: two steps end (5 run); deadline moved: 5 new, 5 run
    events = [_scheduled("a", 0, 15, items=15), _scheduled("b", 1, 5),
              _scheduled("c", 2, 5, items=5)]
    for order in permutations(events):
        fact = fact_of([e for e in order for _ in (1, 2)])
        assert (fact["reminders_scheduled"], fact["reminders_event_id"]) == (5, "c")
    assert fact_of([*events, _scheduled("d", 3, 0)])["reminders_scheduled"] == 0  # closed


def test_announcements_without_a_count_add_up_until_one_with_a_count():
    legacy = [_scheduled("a", 0, None, items=15), _scheduled("b", 1, None, items=5)]
    assert fact_of(legacy)["reminders_scheduled"] == 20
    counted = _scheduled("c", 2, 5)
    for events in ([*legacy, counted], [counted, *legacy], [legacy[0], counted, legacy[1]]):
        assert fact_of(events)["reminders_scheduled"] == 5
