"""SIGKILL of each service in turn while cases flow, then restart: nothing lost or duplicated."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.testing.factories import feedback_body

from .faults_support import publish, report, scalar, size, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.broker]

# The service killed, the row count that shows it is under way, and at what share of the cases.
KILLS = (
    ("intake", "intake.db", "SELECT count(*) FROM cases", 0.10),
    ("routing", "routing.db", "SELECT count(*) FROM assignments", 0.25),
    ("notify", "notify.db", "SELECT count(DISTINCT case_ref) FROM scheduled_notifications", 0.40),
    ("reporting", "reporting.db",
     "SELECT count(*) FROM case_facts WHERE reminders_scheduled > 0", 0.55),
)


def test_each_service_killed_in_turn_loses_and_duplicates_nothing(sqlite_system, tmp_path):
    cases = size(1000, 10_000)
    bodies = ((feedback_body(seed=i), "feedback.submit.v1", None) for i in range(cases))
    started = time.monotonic()
    asyncio.run(publish(sqlite_system.amqp_url, bodies))
    killed = {}
    for service, db, sql, share in KILLS:
        wait_for(lambda db=db, sql=sql, share=share: scalar(tmp_path / db, sql) >= cases * share,
                 600, f"{service} busy")
        sqlite_system.kill(service)
        killed[service] = scalar(tmp_path / db, sql)
        sqlite_system.start([service])
    _wait_until_done(tmp_path, cases)
    time.sleep(3)  # anything duplicated would arrive now
    counts = _effects(tmp_path)
    report(f"SIGKILL in turn at {killed} while {cases} cases flowed",
           seconds=round(time.monotonic() - started), **counts)
    assert all(at < cases for at in killed.values()), "a kill landed after the flow ended"
    for name in ("intake_cases", "assignments", "audit", "notify_cases", "projected",
                 "received_events", "assigned_events", "scheduled_events"):
        assert counts[name] == cases, name
    assert counts["schedule_rows"] == counts["reminders_in_report"] > 0
    assert counts["sends"] > 0 and counts["duplicate_sends"] == 0  # nothing sent twice


def _wait_until_done(data: object, cases: int) -> None:
    done = ("SELECT count(*) FROM case_facts WHERE unit_code IS NOT NULL "
            "AND reminders_scheduled > 0")
    wait_for(lambda: scalar(data / "reporting.db", done) == cases, 900,  # type: ignore[operator]
             "every case assigned, scheduled and projected")


def _effects(data) -> dict[str, int]:
    events = "SELECT count(DISTINCT json_extract(body, '$.data.ref')) FROM event_log WHERE type = "
    rows = {
        "intake_cases": ("intake.db", "SELECT count(*) FROM cases"),
        "assignments": ("routing.db", "SELECT count(*) FROM assignments"),
        "audit": ("routing.db", "SELECT count(*) FROM assignment_audit"),
        "notify_cases": ("notify.db", "SELECT count(*) FROM notify_cases"),
        "schedule_rows": ("notify.db", "SELECT count(*) FROM scheduled_notifications WHERE "
                          "kind != 'ack_forwarded' AND kind NOT LIKE 'task_report%'"),
        "sends": ("notify.db", "SELECT count(*) FROM delivery_log WHERE outcome = 'sent'"),
        # One statement, one snapshot: notify may still be sending acknowledgements while the
        # counts are read, so a separate count of all and of distinct sends could disagree.
        "duplicate_sends": ("notify.db", "SELECT count(*) - count(DISTINCT idempotency_key) "
                            "FROM delivery_log WHERE outcome = 'sent'"),
        "projected": ("reporting.db", "SELECT count(*) FROM case_facts"),
        "reminders_in_report": ("reporting.db",
                                "SELECT sum(reminders_scheduled) FROM case_facts"),
        "received_events": ("reporting.db", events + "'intake.feedback_received'"),
        "assigned_events": ("reporting.db", events + "'routing.case_assigned'"),
        "scheduled_events": ("reporting.db", events + "'notify.notifications_scheduled'"),
        "event_rows": ("reporting.db", "SELECT count(*) FROM event_log"),
    }
    return {name: scalar(data / db, sql) for name, (db, sql) in rows.items()}
