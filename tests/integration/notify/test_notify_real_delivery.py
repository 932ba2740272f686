"""Acceptance: through the whole of notify (event → schedule → dispatcher → transport), mails
arrive at a real SMTP server (aiosmtpd) with the right subject, body and attachments; webhook
copies arrive at a real HTTP receiver whose signature check passes; without a relay, mails land
in the file outbox."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from services.notify.channels import WebhookSender, message_id_for, verify_signature
from services.notify.mail import FileMailSender, SmtpConfig, SmtpSender
from services.notify.settings import Webhook
from shared.contracts.base import make_envelope
from shared.contracts.reporting import ReportFile, ReportGenerated
from shared.testing.system import free_port

from .notify_harness import assigned, build_harness, deadline, vn

SECRET = "bí-mật-của-hệ-thống-văn-bản"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Inbox:
    def __init__(self) -> None:
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((envelope.rcpt_tos, email.message_from_bytes(
            envelope.content, policy=email.policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def receiver():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify_signature(SECRET, self.headers["X-Dvk-Timestamp"], body,
                                  self.headers["X-Dvk-Signature"])
            received.append((ok, dict(self.headers), json.loads(body)))
            self.send_response(204 if ok else 401)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/dvk", received
    server.shutdown()
    server.server_close()


def report_event(tmp_path):
    files = []
    for name, data in (("Báo cáo sơ kết 6 tháng 2026.docx", b"PK\x03\x04 docx"),
                       ("Phụ lục số liệu.xlsx", b"PK\x03\x04 xlsx")):
        path = tmp_path / name
        path.write_bytes(data)
        files.append(ReportFile(format=path.suffix[1:], path=str(path), size=len(data),
                                sha256=hashlib.sha256(data).hexdigest()))
    payload = ReportGenerated(report_id="dvk-2026-H1", family="dan_van_kheo", period="2026-H1",
                              scope="department", files=files, generated_at=vn(2026, 7, 3, 9, 0),
                              title="Báo cáo sơ kết 6 tháng phong trào “Dân vận khéo”")
    return make_envelope(payload, producer="reporting")


async def test_report_reaches_the_office_by_smtp_with_its_files(sqlite_harness, smtp, tmp_path):
    port, inbox = smtp
    harness = sqlite_harness
    harness.dispatcher._transports["email"] = SmtpSender(SmtpConfig(
        host="127.0.0.1", port=port, security="none", from_address="dvk@sonoivu.hatinh.example",
        message_id_domain="sonoivu.hatinh.example"))
    harness.clock.now = vn(2026, 7, 3, 9, 5)
    event = report_event(tmp_path)
    await harness.handle(event)
    await harness.handle(event)
    await harness.dispatcher.tick()
    await harness.dispatcher.tick()
    [(rcpt, mail)] = inbox.mails
    assert rcpt == ["tiepnhan@sonoivu.hatinh.example", "vanphong@sonoivu.hatinh.example"]
    assert mail["Subject"] == ("[Báo cáo] Báo cáo sơ kết 6 tháng phong trào “Dân vận khéo”, "
                               "6 tháng đầu năm 2026")
    body = mail.get_body(("plain",)).get_content()
    assert "Kính gửi: Văn phòng Sở" in body and "Thời điểm lập: 09:00 ngày 03/07/2026" in body
    assert "- Báo cáo sơ kết 6 tháng 2026.docx (dung lượng: 9 byte)" in body
    assert "Sở Nội vụ tỉnh Hà Tĩnh" in body  # the Department's name on the day, after 2025
    files = {p.get_filename(): (p.get_content_type(), p.get_content())
             for p in mail.iter_attachments()}
    assert files["Báo cáo sơ kết 6 tháng 2026.docx"] == (DOCX, b"PK\x03\x04 docx")
    assert set(files) == {"Báo cáo sơ kết 6 tháng 2026.docx", "Phụ lục số liệu.xlsx"}
    [row] = await harness.rows("dvk-2026-H1")
    assert mail["Message-ID"] == message_id_for(row.idempotency_key, "sonoivu.hatinh.example")
    [entry] = [e for e in await harness.log() if e.outcome == "sent"]
    assert entry.transport == "smtp" and entry.recipient.startswith("tiepnhan@")


async def test_webhook_copy_is_signed_and_verified(tmp_path, clock, receiver, migrated):
    url, received = receiver
    engine, sessions = await migrated("notify")
    hook = Webhook(name="qlvb", url=url, secret=SECRET, kinds=("reminder",))
    harness = build_harness(engine, sessions, clock, webhooks=(hook,))
    harness.dispatcher._transports["webhook:qlvb"] = WebhookSender(SECRET)
    await harness.handle(assigned("PAKN-2026-000601", deadlines=[
        deadline("giai_quyet", date(2026, 3, 13))], at=vn(2026, 3, 2, 9, 0)))
    harness.clock.now = vn(2026, 3, 10, 8, 0)
    await harness.dispatcher.tick()
    [(ok, headers, body)] = received
    assert ok is True
    assert headers["X-Dvk-Idempotency-Key"].endswith("~qlvb")
    assert body["subject"] == ("[Nhắc hạn] Hồ sơ PAKN-2026-000601: hạn giải quyết ngày "
                               "13/03/2026")
    assert [m.recipients for _, m in harness.transports["email"].sent] == [
        ["ldvl.dauoi@sonoivu.hatinh.example"]]


async def test_without_a_relay_mails_land_in_the_file_outbox_once(sqlite_harness, tmp_path):
    harness = sqlite_harness
    outbox = FileMailSender(tmp_path / "notify-outbox", from_address="dvk@localhost")
    harness.dispatcher._transports["email"] = outbox
    await harness.handle(assigned("PAKN-2026-000602", deadlines=[
        deadline("giai_quyet", date(2026, 3, 13))], at=vn(2026, 3, 2, 9, 0)))
    harness.clock.now = vn(2026, 3, 10, 8, 0)
    await harness.dispatcher.tick()
    [written] = list((tmp_path / "notify-outbox").iterdir())
    mail = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert mail["Subject"] == "[Nhắc hạn] Hồ sơ PAKN-2026-000602: hạn giải quyết ngày 13/03/2026"
    [entry] = [e for e in await harness.log() if e.outcome == "sent"]
    assert entry.transport == "file" and str(written) in entry.detail
