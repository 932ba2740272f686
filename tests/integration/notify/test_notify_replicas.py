"""Acceptance: two notify dispatchers (separate engines, as two replicas would have) on one
PostgreSQL schedule send each reminder exactly once, counted at a real SMTP server."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections import Counter
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from services.notify.mail import SmtpConfig, SmtpSender
from shared.db import create_engine, session_factory
from shared.migrations import upgrade
from shared.testing.system import free_port

from .notify_harness import SettableClock, assigned, build_harness, deadline, vn

CASES = 60
pytestmark = pytest.mark.postgres


class CountingInbox:
    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.005)  # a relay takes a little time: the replicas overlap
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.keys[mail["X-Dvk-Idempotency-Key"]] += 1
        return "250 OK"


@pytest.fixture
def inbox():
    counting = CountingInbox()
    controller = Controller(counting, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, counting
    controller.stop()


async def _replica(url: str, clock: SettableClock, port: int, name: str):
    engine = create_engine(url)
    harness = build_harness(engine, session_factory(engine), clock, worker=name)
    harness.dispatcher._batch = 5
    harness.dispatcher._transports["email"] = SmtpSender(SmtpConfig(
        host="127.0.0.1", port=port, security="none", from_address="dvk@sonoivu.hatinh.example"))
    return engine, harness


async def test_two_replicas_send_each_reminder_exactly_once(postgres_database, inbox):
    port, counting = inbox
    await asyncio.to_thread(upgrade, "notify", postgres_database)
    clock = SettableClock(vn(2026, 3, 2, 9, 0))
    (e1, one), (e2, two) = [await _replica(postgres_database, clock, port, n)
                            for n in ("replica-1", "replica-2")]
    for n in range(CASES):
        await one.handle(assigned(f"PAKN-2026-{700 + n:06d}", at=vn(2026, 3, 2, 9, 0),
                                  deadlines=[deadline("giai_quyet", date(2026, 3, 13))]))
    clock.now = vn(2026, 3, 10, 8, 0)
    runs = [asyncio.create_task(h.dispatcher.run()) for h in (one, two)]
    try:
        for _ in range(600):
            if sum(counting.keys.values()) >= CASES:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a duplicate would arrive now
    finally:
        for h in (one, two):
            h.dispatcher.stop()
        await asyncio.gather(*runs)
        await e1.dispose()
        await e2.dispose()
    rows = [r for r in await one.rows() if r.kind == "reminder"]
    assert len(rows) == CASES and {r.status for r in rows} == {"sent"}
    assert set(counting.keys) == {r.idempotency_key for r in rows}
    assert max(counting.keys.values()) == 1 and sum(counting.keys.values()) == CASES
    by_worker = Counter(e.worker for e in await one.log() if e.outcome == "sent")
    print(f"sent by replica: {dict(by_worker)}")
    assert set(by_worker) == {"replica-1", "replica-2"}
