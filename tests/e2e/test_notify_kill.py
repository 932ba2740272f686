"""Acceptance: notify runs as a real process against a real SMTP server (aiosmtpd) started by
the test; it is SIGKILLed while it sends a batch of reminders and restarted. Counted at the SMTP
server by idempotency key: none twice, none missing."""

from __future__ import annotations

import asyncio
import email
import email.policy
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import aio_pika
import pytest
from aiosmtpd.controller import Controller

from shared.contracts.base import make_envelope
from shared.contracts.routing import Assignment, CaseAssigned, StepDeadline
from shared.testing.system import SystemUnderTest, free_port, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.broker]
CASES = 80
VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE_MORNING = datetime(2026, 3, 10, 8, 0, tzinfo=VN)  # the reminders of 13/03 fall due


class SlowInbox:
    """A relay that takes 25 ms per mail, so that a kill lands in the middle of sends."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.025)
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.keys[mail["X-Dvk-Idempotency-Key"]] += 1
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.keys.values())


def _assigned(n: int) -> bytes:
    due = date(2026, 3, 13)
    payload = CaseAssigned(
        ref=f"PAKN-2026-{900000 + n:06d}", kind="kien_nghi",
        received_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        assignment=Assignment(unit_code="LAO_DONG_VIEC_LAM",
                              unit_name="Phòng Lao động - Việc làm", rule_id="r",
                              explanation="test"),
        deadlines=[StepDeadline(step="giai_quyet", label="Giải quyết", due_on=due, days=10,
                                day_unit="working", counted_from=due - timedelta(days=14),
                                legal_basis="Luật Tiếp công dân")])
    return make_envelope(payload, producer="routing").model_dump_json().encode()


async def _publish(amqp_url: str, bodies: list[bytes]) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("dvk.events")
        for body in bodies:
            await exchange.publish(aio_pika.Message(
                body, content_type="application/json", type="routing.case_assigned",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key="routing.case_assigned.v1")


def _rows(db) -> dict[str, str]:
    with sqlite3.connect(db, timeout=30) as conn:
        return dict(conn.execute("SELECT idempotency_key, status FROM scheduled_notifications "
                                 "WHERE kind = 'reminder'").fetchall())


@pytest.fixture
def inbox():
    slow = SlowInbox()
    controller = Controller(slow, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, slow
    controller.stop()


@pytest.fixture
def system(amqp_url, tmp_path, inbox):
    """notify alone, its clock on a working morning, mail through the test's SMTP server."""
    offset = (OFFICE_MORNING - datetime.now(UTC)).total_seconds()
    sut = SystemUnderTest(amqp_url=amqp_url, data_dir=tmp_path, extra_env={
        "DVK_NOTIFY_SMTP_HOST": "127.0.0.1", "DVK_NOTIFY_SMTP_PORT": str(inbox[0]),
        "DVK_NOTIFY_SMTP_SECURITY": "none", "DVK_NOTIFY_CLOCK_OFFSET_SECONDS": str(offset),
        "DVK_NOTIFY_LEASE_SECONDS": "3", "DVK_NOTIFY_POLL_SECONDS": "0.2",
        "DVK_NOTIFY_BATCH_SIZE": "20"})
    sut.migrate()
    yield sut
    sut.stop()


def test_notify_killed_mid_send_sends_nothing_twice_and_loses_nothing(system, tmp_path, inbox):
    slow, db = inbox[1], tmp_path / "notify.db"
    asyncio.run(_publish(system.amqp_url, [_assigned(n) for n in range(CASES)]))
    system.start(["notify"])
    wait_until(lambda: slow.total() >= CASES // 3, 60, "notify to be sending", interval=0.01)
    system.kill("notify")
    at_kill, in_flight = slow.total(), Counter(_rows(db).values())
    system.start(["notify"])
    wait_until(lambda: len(slow.keys) >= CASES, 120, "every reminder to arrive", interval=0.01)
    wait_until(lambda: not {"scheduled", "claimed", "in_doubt"} & set(_rows(db).values()), 60,
               "the schedule to settle", interval=0.01)
    time.sleep(1.0)  # a duplicate would arrive now
    rows = _rows(db)
    print(f"killed after {at_kill} of {CASES} mails; rows then: {dict(in_flight)}; "
          f"after restart: {dict(Counter(rows.values()))}; at the server: "
          f"{len(slow.keys)} keys, {slow.total()} mails")
    assert at_kill < CASES
    assert len(rows) == CASES and set(slow.keys) == set(rows)  # none missing
    assert max(slow.keys.values()) == 1  # none twice
    assert set(rows.values()) <= {"sent", "uncertain"}  # in doubt: held, delivered once
