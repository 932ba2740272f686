"""Poison messages are dead-lettered with their reason while good messages behind them flow."""

from __future__ import annotations

import asyncio
import json

import pytest

from shared.testing.factories import envelope_of, feedback_body, received_event
from shared.testing.inprocess import eventually, running

from .faults_support import dead_letters, publish, report, scalar, size

pytestmark = pytest.mark.broker
RECEIVED = "intake.feedback_received"
POISONED_REF = "PAKN-2026-099999"


def _event(ref: str) -> bytes:
    return envelope_of(received_event(ref=ref)).model_dump_json().encode()


def _poison() -> list[tuple[bytes, str, str | None]]:
    future = json.loads(_event("PAKN-2026-099998"))
    future["schema_version"] = 2
    return [
        (b'{"type": "intake.feedback_received", "data": {', f"{RECEIVED}.v1", RECEIVED),
        (json.dumps(future).encode(), f"{RECEIVED}.v1", RECEIVED),  # a v2 body under v1's key
        (_event(POISONED_REF), f"{RECEIVED}.v1", RECEIVED),  # its handler raises every time
    ]


async def test_poison_is_dead_lettered_with_reasons_while_good_messages_flow(
        amqp_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DVK_FAULT_FAIL_REF", POISONED_REF)
    good = size(1000, 1000)
    async with running(("routing", "reporting"), amqp_url=amqp_url, data_dir=tmp_path):
        goods = ((_event(f"PAKN-2026-{n:06d}"), f"{RECEIVED}.v1", RECEIVED)
                 for n in range(1, good + 1))
        await publish(amqp_url, [*_poison(), *goods], exchange="dvk.events")
        assigned = "SELECT count(*) FROM assignments"
        projected = "SELECT count(*) FROM case_facts WHERE unit_code IS NOT NULL"
        await eventually(lambda: _count(tmp_path / "routing.db", assigned, good), timeout=240)
        await eventually(lambda: _count(tmp_path / "reporting.db", projected, good), timeout=240)
        await eventually(lambda: _dead(amqp_url, "reporting.events", 3), timeout=60)
        routing_dead = await dead_letters(amqp_url, "routing.cases")
        reporting_dead = await dead_letters(amqp_url, "reporting.events")
    for dead in (routing_dead, reporting_dead):
        reasons = {m.headers["x-dvk-error-type"]: m.headers for m in dead}
        assert sorted(reasons) == ["InjectedFault", "JSONDecodeError", "UnknownSchemaVersion"]
        assert "unknown schema version 2" in reasons["UnknownSchemaVersion"]["x-dvk-reason"]
        assert reasons["InjectedFault"]["x-dvk-attempts"] == 5  # redelivered up to the limit
        assert reasons["JSONDecodeError"]["x-dvk-attempts"] == 1  # permanent: at once
    assert scalar(tmp_path / "routing.db", "SELECT count(*) FROM assignments "
                  f"WHERE ref = '{POISONED_REF}'") == 0
    report("3 poison messages (invalid JSON, schema_version 2, a handler raising for "
           f"{POISONED_REF}) ahead of {good} good events", assigned=good, projected=good,
           routing_dlq=len(routing_dead), reporting_dlq=len(reporting_dead))


async def test_intake_keeps_bad_ingress_input_as_rejected_and_flows_on(amqp_url, tmp_path):
    good = size(100, 1000)
    bad = [(b'{"kind": "kien_nghi", ', "feedback.submit.v1", None),
           (feedback_body(), "feedback.submit.v7", None)]
    async with running(("intake",), amqp_url=amqp_url, data_dir=tmp_path):
        goods = ((feedback_body(seed=n), "feedback.submit.v1", None) for n in range(good))
        await publish(amqp_url, [*bad, *goods])
        db = tmp_path / "intake.db"
        await eventually(lambda: _count(db, "SELECT count(*) FROM cases", good), timeout=240)
        await eventually(lambda: _count(db, "SELECT count(*) FROM rejected_messages", 2))
        dead = await dead_letters(amqp_url, "intake.ingress")
    assert dead == []
    report("invalid JSON and an unknown version on dvk.ingress ahead of good commands",
           cases=good, rejected=2, ingress_dlq=len(dead))


async def _count(db, sql: str, expected: int) -> bool:
    found = await asyncio.to_thread(scalar, db, sql)
    assert found <= expected, f"{found} > {expected}: a duplicated effect"
    return found == expected


async def _dead(amqp_url: str, queue: str, expected: int) -> bool:
    return len(await dead_letters(amqp_url, queue)) >= expected
