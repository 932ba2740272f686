"""A case's schedule follows routing and intake: moved deadlines move their reminders, a
transfer re-targets them, a resolution cancels them; routing's events apply in the order they
happened, whatever order they arrive in."""

from __future__ import annotations

from datetime import date

from shared.contracts.base import make_envelope
from shared.contracts.routing import Assignment, CaseReassigned, DeadlineChanged
from shared.contracts.updates import Extension

from .notify_harness import assigned, deadline, received, vn
from .test_notify_acks import CONTACT, status

REF = "PAKN-2026-000301"
FIRST, LATER = date(2026, 3, 13), date(2026, 4, 10)


def moved(at, due=LATER, *, closed=False):
    payload = DeadlineChanged(ref=REF, kind="kien_nghi", unit_code="LAO_DONG_VIEC_LAM",
                              reason="gia hạn", closed=closed,
                              deadlines=[] if closed else [deadline("giai_quyet", due)])
    return make_envelope(payload, producer="routing", occurred_at=at)


def transferred(at, due=FIRST):
    payload = CaseReassigned(ref=REF, kind="kien_nghi", from_unit="LAO_DONG_VIEC_LAM",
                             assignment=Assignment(unit_code="NGUOI_CO_CONG",
                                                   unit_name="Phòng Người có công", rule_id="m",
                                                   explanation="chuyển đơn"),
                             reason="đúng thẩm quyền", deadlines=[deadline("giai_quyet", due)])
    return make_envelope(payload, producer="routing", occurred_at=at)


async def _by_status(harness):
    return sorted((r.kind, r.due_on.isoformat(), r.status, r.unit_code)
                  for r in await harness.rows(REF) if r.phase in ("before", "after"))


async def test_moved_deadline_cancels_old_reminders_and_plans_new_ones(harness):
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", FIRST)],
                                  at=vn(2026, 3, 2, 9, 0)))
    change = moved(vn(2026, 3, 5, 9, 0))
    await harness.handle(change)
    await harness.handle(change)  # redelivered: nothing changes twice
    rows = await _by_status(harness)
    assert {s for _, due, s, _ in rows if due == FIRST.isoformat()} == {"cancelled"}
    assert {s for _, due, s, _ in rows if due == LATER.isoformat()} == {"scheduled"}
    assert len(rows) == 10
    back = moved(vn(2026, 3, 6, 9, 0), due=FIRST)  # and back: the cancelled rows return
    await harness.handle(back)
    rows = await _by_status(harness)
    assert {s for _, due, s, _ in rows if due == FIRST.isoformat()} == {"scheduled"}
    assert {s for _, due, s, _ in rows if due == LATER.isoformat()} == {"cancelled"}


async def test_an_older_routing_event_arriving_late_changes_nothing(sqlite_harness):
    harness = sqlite_harness
    await harness.handle(moved(vn(2026, 3, 5, 9, 0)))  # the extension arrives first
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", FIRST)],
                                  at=vn(2026, 3, 2, 9, 0)))
    assert {due for _, due, _, _ in await _by_status(harness)} == {LATER.isoformat()}


async def test_transfer_retargets_pending_reminders(sqlite_harness):
    harness = sqlite_harness
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", FIRST)],
                                  at=vn(2026, 3, 2, 9, 0)))
    await harness.handle(transferred(vn(2026, 3, 3, 9, 0)))
    assert {unit for *_, unit in await _by_status(harness)} == {"NGUOI_CO_CONG"}
    harness.clock.now = vn(2026, 3, 10, 8, 0)
    await harness.dispatcher.tick()
    [(_, mail)] = harness.transports["email"].sent
    assert mail.subject.startswith("[Nhắc hạn] Hồ sơ PAKN-2026-000301")
    assert "Kính gửi: Phòng Người có công" in mail.body_text
    assert mail.recipients == ["ncc.dauoi@sonoivu.hatinh.example"]


async def test_resolution_cancels_reminders_and_tells_the_sender(harness):
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 3, 2, 8, 0), contact=CONTACT))
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", FIRST)],
                                  at=vn(2026, 3, 2, 9, 0)))
    await harness.dispatcher.tick()  # the forwarded notice
    await harness.handle(status(REF, "resolved", "accepted", at=vn(2026, 3, 9, 10, 0),
                                resolution={"result": "da_tra_loi", "document_number": "15/TL",
                                            "summary": "Đã chi trả đủ hai tháng trợ cấp."}))
    assert {s for _, _, s, _ in await _by_status(harness)} == {"cancelled"}
    harness.clock.now = vn(2026, 3, 9, 10, 5)
    await harness.dispatcher.tick()
    answered = harness.transports["email"].sent[-1][1]
    assert answered.subject == f"Thông báo kết quả giải quyết đơn, mã hồ sơ {REF}"
    assert "Văn bản trả lời: 15/TL" in answered.body_text
    assert "Ngày trả lời: 09/03/2026" in answered.body_text


async def test_extension_notice_waits_for_the_new_deadline(sqlite_harness):
    harness = sqlite_harness
    await harness.handle(received(REF, harness.sealer, at=vn(2026, 3, 2, 8, 0), contact=CONTACT))
    await harness.handle(assigned(REF, deadlines=[deadline("giai_quyet", FIRST)],
                                  at=vn(2026, 3, 2, 9, 0)))
    extension = Extension(reason="Vụ việc phức tạp", decision_number="22/QĐ-GH", days=20)
    harness.clock.now = vn(2026, 3, 5, 9, 0)
    await harness.handle(status(REF, "extended", "accepted", at=vn(2026, 3, 5, 8, 0),
                                extension=extension))
    await harness.dispatcher.tick()
    assert not [m for _, m in harness.transports["email"].sent
                if m.idempotency_key.startswith("status_extended")]
    await harness.handle(moved(vn(2026, 3, 5, 8, 30)))
    harness.clock.advance(minutes=5)
    await harness.dispatcher.tick()
    [notice] = [m for _, m in harness.transports["email"].sent
                if m.idempotency_key.startswith("status_extended")]
    assert "Thời hạn giải quyết mới: 10/04/2026" in notice.body_text
    assert "Văn bản gia hạn: 22/QĐ-GH" in notice.body_text
