"""notify's subscribers route each event type on notify.cases and notify.reports to its
handler (FastStream's in-memory broker; the handlers run on SQLite)."""

from __future__ import annotations

from datetime import date

from faststream.rabbit import RabbitBroker, TestRabbitBroker

from services.notify.subscribers import build_router
from shared.contracts.base import make_envelope
from shared.contracts.routing import DeadlineChanged

from .notify_harness import assigned, deadline, received, vn
from .test_notify_acks import CONTACT
from .test_notify_real_delivery import report_event

REF = "PAKN-2026-000901"


async def _publish(broker, queue: str, envelope) -> None:
    await broker.publish(envelope.model_dump(mode="json"), queue=queue,
                         message_type=envelope.type)


async def test_each_event_type_reaches_its_handler(sqlite_harness, tmp_path):
    harness = sqlite_harness
    broker = RabbitBroker(logger=None)
    broker.include_router(build_router(harness.notify))
    closed = make_envelope(DeadlineChanged(ref=REF, kind="kien_nghi",
                                           unit_code="LAO_DONG_VIEC_LAM", reason="đã giải quyết",
                                           deadlines=[], closed=True),
                           producer="routing", occurred_at=vn(2026, 3, 9, 9, 0))
    async with TestRabbitBroker(broker) as br:
        await _publish(br, "notify.cases", assigned(
            REF, deadlines=[deadline("giai_quyet", date(2026, 3, 13))], at=vn(2026, 3, 2, 9, 0)))
        await _publish(br, "notify.cases", received(REF, harness.sealer, contact=CONTACT,
                                                    at=vn(2026, 3, 2, 8, 0)))
        await _publish(br, "notify.cases", closed)
        await _publish(br, "notify.reports", report_event(tmp_path))
    rows = {(r.case_ref, r.kind): r.status for r in await harness.rows()}
    assert rows[(REF, "ack_forwarded")] == "scheduled"
    assert rows[(REF, "reminder")] == "cancelled"
    assert rows[("dvk-2026-H1", "report_delivery")] == "scheduled"
