"""Messages to the sender: only once the case has reached a unit, only with consent and an
e-mail address; tố cáo: the denouncer alone is told, within 5 working days; nothing of them
reaches the unit, the events or the log in clear."""

from __future__ import annotations

import json
from datetime import date

from shared.contracts.base import make_envelope
from shared.contracts.updates import CaseStatusChanged

from .notify_harness import assigned, deadline, received, vn

REF = "PAKN-2026-000201"
CONTACT = {"name": "Nguyễn Thị Hoa", "email": "hoa.nt@example.vn", "phone": "0912 345 678",
           "address": "Thôn 3, xã Thạch Đài"}


def status(ref: str, new: str, previous: str, *, kind: str = "kien_nghi", at, **details):
    payload = CaseStatusChanged(ref=ref, kind=kind, status=new, previous_status=previous,
                                unit_code="LAO_DONG_VIEC_LAM", occurred_at=at, **details)
    return make_envelope(payload, producer="intake", occurred_at=at)


async def _acks(harness, ref=REF):
    return [r for r in await harness.rows(ref) if r.audience == "sender"]


async def test_ack_waits_for_the_unit_whatever_the_order(harness):
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 2, 2, 8, 0), contact=CONTACT))
    await harness.dispatcher.tick()
    assert harness.transports["email"].sent == [] and await _acks(harness) == []
    case = assigned(REF, deadlines=[deadline("giai_quyet", date(2026, 3, 2))],
                    at=vn(2026, 2, 2, 9, 0))
    await harness.handle(case)
    await harness.handle(case)  # redelivered
    await harness.dispatcher.tick()
    await harness.dispatcher.tick()
    [(_, mail)] = harness.transports["email"].sent
    assert mail.recipients == ["hoa.nt@example.vn"]
    assert mail.subject == f"Thông báo chuyển đơn đến đơn vị xử lý, mã hồ sơ {REF}"
    assert "Kính gửi: Ông/Bà Nguyễn Thị Hoa" in mail.body_text
    assert "Đơn vị xử lý: Phòng Lao động - Việc làm" in mail.body_text


async def test_assignment_first_holds_the_ack_until_the_sender_is_known(harness):
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", date(2026, 3, 2))],
                                  at=vn(2026, 2, 2, 9, 0)))
    assert [r.status for r in await _acks(harness)] == ["held"]
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 2, 2, 8, 0), contact=CONTACT))
    await harness.dispatcher.tick()
    assert [m.recipients for _, m in harness.transports["email"].sent] == [["hoa.nt@example.vn"]]
    [entry] = [e for e in await harness.log() if e.audience == "sender"]
    assert entry.outcome == "sent" and "hoa.nt" not in entry.recipient
    assert harness.sealer.open(entry.recipient) == "hoa.nt@example.vn"
    events = json.dumps(await harness.events(), ensure_ascii=False)
    assert "hoa.nt" not in events and "Nguyễn Thị Hoa" not in events


async def test_no_consent_blocks_the_ack_with_the_reason(sqlite_harness):
    harness = sqlite_harness
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 2, 2, 8, 0), contact=CONTACT,
                                  consent=False))
    await harness.handle(assigned(REF, deadlines=[], at=vn(2026, 2, 2, 9, 0)))
    await harness.dispatcher.tick()
    [ack] = await _acks(harness)
    assert ack.status == "blocked" and "consent" in ack.last_error
    assert harness.transports["email"].sent == []


async def test_triage_is_not_reaching_a_unit(sqlite_harness):
    harness = sqlite_harness
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 2, 2, 8, 0), contact=CONTACT))
    await harness.handle(assigned(REF, unit="VAN_PHONG", unit_name="Văn phòng Sở", deadlines=[],
                                  at=vn(2026, 2, 2, 9, 0), triage=True))
    await harness.dispatcher.tick()
    assert harness.transports["email"].sent == []


async def test_to_cao_acceptance_goes_to_the_denouncer_alone_within_five_working_days(harness):
    ref = "PAKN-2026-000202"
    await harness.handle(received(ref, harness.sealer, kind="to_cao", at=vn(2026, 2, 2, 8, 0),
                                  contact=CONTACT))
    await harness.handle(assigned(ref, kind="to_cao", unit="THANH_TRA",
                                  unit_name="Thanh tra Sở", at=vn(2026, 2, 2, 9, 0),
                                  deadlines=[deadline("thu_ly", date(2026, 2, 6), "Thụ lý")]))
    harness.clock.now = vn(2026, 2, 6, 10, 0)
    await harness.handle(status(ref, "accepted", "received", kind="to_cao",
                                at=vn(2026, 2, 6, 9, 30)))
    await harness.dispatcher.tick()
    mails = [m for _, m in harness.transports["email"].sent]
    notice = [m for m in mails if m.idempotency_key.startswith("to_cao_acceptance")]
    assert [m.recipients for m in notice] == [["hoa.nt@example.vn"]]
    assert notice[0].subject == f"Thông báo về việc thụ lý tố cáo, mã hồ sơ {ref}"
    [row] = [r for r in await harness.rows(ref) if r.kind == "to_cao_acceptance"]
    assert row.not_after == vn(2026, 2, 13, 16, 30)  # 5 working days after 06/02/2026
    for mail in mails:
        if mail.recipients != ["hoa.nt@example.vn"]:
            for secret in ("Nguyễn Thị Hoa", "hoa.nt", "0912", "Thôn 3"):
                assert secret not in mail.body_text + mail.subject
    cancelled = {r.step: r.status for r in await harness.rows(ref) if r.phase == "before"}
    assert cancelled == {"thu_ly": "cancelled"}  # acceptance ends the thụ lý reminders
