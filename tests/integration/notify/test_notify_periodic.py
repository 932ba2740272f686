"""What the calendar brings: a daily digest for units that prefer one (instead of single
reminder mails), and reminders of the plan's 6-month and annual reports."""

from __future__ import annotations

from datetime import date

from shared.contracts.base import make_envelope
from shared.contracts.plan import TaskProgressReported

from .notify_harness import assigned, deadline, vn

KHTC = {"unit": "KE_HOACH_TAI_CHINH", "unit_name": "Phòng Kế hoạch - Tài chính"}


async def test_digest_replaces_single_reminders_for_a_unit_that_prefers_it(harness):
    await harness.handle(assigned("PAKN-2026-000501", **KHTC, at=vn(2026, 3, 2, 9, 0),
                                  deadlines=[deadline("giai_quyet", date(2026, 3, 13))]))
    await harness.handle(assigned("PAKN-2026-000502", **KHTC, kind="to_cao",
                                  at=vn(2026, 3, 2, 9, 0),
                                  deadlines=[deadline("giai_quyet", date(2026, 3, 5))]))
    harness.clock.now = vn(2026, 3, 10, 7, 0)
    await harness.dispatcher.tick()
    assert harness.transports["email"].sent == []  # before 07:30 nothing goes
    harness.clock.now = vn(2026, 3, 10, 8, 0)
    await harness.dispatcher.tick()
    await harness.dispatcher.tick()
    sent = {m.idempotency_key.split(":")[0]: m for _, m in harness.transports["email"].sent}
    assert sorted(sent) == ["daily_digest", "escalation_head", "urging"]  # ladder steps go singly
    digest = sent["daily_digest"]
    assert digest.subject == ("[Tổng hợp ngày 10/03/2026] Phòng Kế hoạch - Tài chính: 1 hồ sơ "
                              "quá hạn, 1 sắp đến hạn, 2 đang xử lý")
    assert "- PAKN-2026-000502 (loại đơn: Tố cáo), hạn giải quyết: 05/03/2026" in digest.body_text
    statuses = {(r.case_ref, r.kind): r.status for r in await harness.rows()}
    assert statuses[("PAKN-2026-000501", "reminder")] == "digested"
    harness.clock.now = vn(2026, 3, 10, 15, 0)
    await harness.dispatcher.tick()
    assert len(harness.transports["email"].sent) == 3  # one digest per unit per day


async def test_report_obligations_remind_each_reporting_unit_until_it_reports(harness):
    harness.clock.now = vn(2026, 6, 3, 8, 0)  # 5 working days before 10/06/2026
    await harness.dispatcher.tick()
    sent = list(harness.transports["email"].sent)
    units = {r.unit_code for r in await harness.rows() if r.phase == "task"}
    assert len(units) >= 5 and "BAN_GIAM_DOC" not in units
    assert len(sent) == len(units)
    mail = sent[0][1]
    assert mail.subject == ('[Nhắc nộp báo cáo] Báo cáo sơ kết 6 tháng thực hiện phong trào thi '
                            'đua "Dân vận khéo", 6 tháng đầu năm 2026, hạn 10/06/2026')
    assert "Nơi nhận: Văn phòng Sở" in mail.body_text
    progress = TaskProgressReported(
        task_id="II.10.1", unit_code="LAO_DONG_VIEC_LAM", period="2026-H1", percent_done=100,
        status="done", done_text="Đã gửi báo cáo sơ kết.", reported_at=vn(2026, 6, 4, 9, 0),
        section="II.10", task_title="Sơ kết, tổng kết")
    await harness.handle(make_envelope(progress, producer="intake"))
    harness.clock.now = vn(2026, 6, 9, 8, 0)
    await harness.dispatcher.tick()
    later = {m.recipients[0] for _, m in harness.transports["email"].sent[len(sent):]}
    assert len(later) == len(units) - 1
    assert "ldvl.dauoi@sonoivu.hatinh.example" not in later
