"""Every event twice and in reverse order (updates before the case they update): notify's and
reporting's end state equals the one the in-order run reached."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from shared.testing.factories import feedback_payload, update_payload
from shared.testing.inprocess import eventually, running

from .faults_support import publish, report, scalar, settled, size

pytestmark = pytest.mark.broker
FACTS = ("ref, kind, unit_code, due_on, status, status_closes, reminders_scheduled, "
         "assignment_event_id, deadlines_event_id, status_event_id, first_action_on, closed_on")
# An acknowledgement is sent "now": its send time is the only field that depends on the clock.
SCHEDULE = ("idempotency_key, case_ref, unit_code, kind, step, phase, due_on, "
            "CASE WHEN phase = 'ack' THEN NULL ELSE send_at END")
# The replay runs only the last two.
QUEUES = ("intake.ingress", "intake.assignments", "routing.cases", "notify.cases",
          "reporting.events")
SEEN = "SELECT count(*) FROM event_log WHERE type LIKE 'intake.%' OR type LIKE 'routing.%'"


async def test_duplicated_and_reversed_events_reach_the_in_order_end_state(amqp_url, tmp_path,
                                                                            monkeypatch):
    # The schedule is compared, not delivery: an idle dispatcher cannot send a reminder in one
    # run before the acceptance that cancels it arrives, and after it in the other.
    monkeypatch.setenv("DVK_NOTIFY_POLL_SECONDS", "3600")
    monkeypatch.setenv("DVK_NOTIFY_SEND_ON_COMMIT", "false")
    cases = size(40, 2000)
    in_order, replay = tmp_path / "in-order", tmp_path / "replay"
    async with running(("intake", "routing", "notify", "reporting"), amqp_url=amqp_url,
                       data_dir=in_order):
        updates = await _run_in_order(amqp_url, in_order, cases)
        expected = await settled(amqp_url, QUEUES, lambda: _state(in_order))
    events = _events(in_order / "reporting.db")
    doubled = [m for m in reversed(events) for m in (m, m)]
    async with running(("notify", "reporting"), amqp_url=amqp_url, data_dir=replay):
        await publish(amqp_url, doubled, exchange="dvk.events")
        seen = replay / "reporting.db"
        await eventually(lambda: _at_least(seen, SEEN, len(events)), timeout=600, interval=1.0)
        found = await settled(amqp_url, QUEUES[-2:], lambda: _state(replay))
    status_first = sum(1 for body, key, _ in doubled[: 2 * len(_updates(events))]
                       if key.startswith(("intake.case_status", "routing.deadline")))
    facts_differ = len(set(expected[0]) ^ set(found[0]))
    rows_differ = len(set(expected[1]) ^ set(found[1]))
    report(f"{len(events)} events of an in-order run ({cases} cases, {updates} accepted) "
           f"replayed twice each in reverse order, {status_first} copies of updates first",
           case_facts=len(expected[0]), facts_differ=facts_differ,
           schedule_rows=len(expected[1]), schedule_rows_differ=rows_differ)
    assert found == expected


async def _run_in_order(amqp_url: str, data, cases: int) -> int:
    kinds = ("khieu_nai", "kien_nghi", "phan_anh", "kien_nghi")
    await publish(amqp_url, ((json.dumps(feedback_payload(kind=kinds[i % 4], seed=i),
                                         ensure_ascii=False).encode(), "feedback.submit.v1", None)
                             for i in range(cases)))
    held = "SELECT count(*) FROM cases WHERE holder_unit IS NOT NULL"
    await eventually(lambda: _at_least(data / "intake.db", held, cases), timeout=300)
    with sqlite3.connect(data / "intake.db") as conn:
        rows = conn.execute(
            "SELECT ref, holder_unit FROM cases WHERE kind = 'khieu_nai'").fetchall()
    await publish(amqp_url, ((json.dumps(update_payload(ref, "accepted", unit_code=unit),
                                         ensure_ascii=False).encode(), "feedback.update.v1", None)
                             for ref, unit in rows))
    changed = "SELECT count(*) FROM event_log WHERE type = 'routing.deadline_changed'"
    await eventually(lambda: _at_least(data / "reporting.db", changed, len(rows)), timeout=300)
    done = "SELECT count(*) FROM case_facts WHERE reminders_scheduled > 0"
    await eventually(lambda: _at_least(data / "reporting.db", done, cases), timeout=300)
    return len(rows)


def _events(db) -> list[tuple[bytes, str, str]]:
    """What intake and routing published in the in-order run, in the order reporting saw it."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type, body FROM event_log WHERE type LIKE 'intake.%' "
                            "OR type LIKE 'routing.%' ORDER BY seq").fetchall()
    return [(body.encode(), f"{t}.v{json.loads(body)['schema_version']}", t) for t, body in rows]


def _state(data) -> tuple[list, list]:
    with sqlite3.connect(data / "reporting.db") as r, sqlite3.connect(data / "notify.db") as n:
        facts = r.execute(f"SELECT {FACTS} FROM case_facts ORDER BY ref").fetchall()
        schedule = n.execute(f"SELECT {SCHEDULE} FROM scheduled_notifications "
                             "WHERE status != 'cancelled' ORDER BY idempotency_key").fetchall()
    return facts, schedule


async def _at_least(db, sql: str, n: int) -> bool:
    return await asyncio.to_thread(scalar, db, sql) >= n


def _updates(events: list[tuple[bytes, str, str]]) -> list[str]:
    return [key for _, key, _ in events
            if key.startswith(("intake.case_status", "routing.deadline"))]
