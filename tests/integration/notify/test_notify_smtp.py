"""SmtpSender against a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS+AUTH, SMTPS."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.notify.channels import DeliveryStatus, OutgoingMessage, message_id_for
from services.notify.mail import SmtpConfig, SmtpSender

SUBJECT = "[Đôn đốc] Hồ sơ KN-2026-0007 đã quá hạn giải quyết"
BODY = "Kính gửi: Phòng Người có công\n\nĐề nghị đơn vị khẩn trương hoàn thành, cập nhật kết quả.\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Recorder:
    def __init__(self, rcpt_reply: str | None = None, data_reply: str | None = None) -> None:
        self.envelopes = []
        self.rcpt_reply, self.data_reply = rcpt_reply, data_reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    started = []

    def start(handler, **kwargs):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return str(folder / "cert.pem"), server_ctx


def outgoing(tmp_path, **overrides) -> OutgoingMessage:
    report = tmp_path / "Báo cáo sơ kết 6 tháng.docx"
    annex = tmp_path / "phu-luc.xlsx"
    report.write_bytes(b"PK\x03\x04 docx bytes")
    annex.write_bytes(b"PK\x03\x04 xlsx bytes")
    values = dict(idempotency_key="report_delivery:7f3a", channel="email",
                  to=["vanphong@so.example.vn", "lanhdao@so.example.vn"], subject=SUBJECT,
                  body_text=BODY, attachments=[report, annex])
    return OutgoingMessage(**{**values, **overrides})


def received(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


async def test_delivers_subject_body_and_attachments_intact(smtp_server, tmp_path):
    recorder = Recorder()
    server = smtp_server(recorder)
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=server.port, security="none",
                                   from_address="dvk@so.example.vn", message_id_domain="so.vn"))
    result = await sender.send(outgoing(tmp_path))
    assert result.ok, result.detail
    [envelope] = recorder.envelopes
    assert envelope.rcpt_tos == ["vanphong@so.example.vn", "lanhdao@so.example.vn"]
    mail = received(envelope)
    assert mail["Subject"] == SUBJECT
    assert mail.get_body(("plain",)).get_content() == BODY
    assert mail["Message-ID"] == message_id_for("report_delivery:7f3a", "so.vn")
    assert mail["X-Dvk-Idempotency-Key"] == "report_delivery:7f3a"
    files = {p.get_filename(): (p.get_content_type(), p.get_content())
             for p in mail.iter_attachments()}
    assert files == {"Báo cáo sơ kết 6 tháng.docx": (DOCX, b"PK\x03\x04 docx bytes"),
                     "phu-luc.xlsx": (XLSX, b"PK\x03\x04 xlsx bytes")}


async def test_a_plain_text_message_goes_as_written_with_the_bare_addresses(smtp_server,
                                                                           tmp_path):
    recorder = Recorder()
    server = smtp_server(recorder)
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=server.port, security="none",
                                   from_address="Sở LĐTBXH Hà Tĩnh <dvk@so.example.vn>",
                                   message_id_domain="so.vn"))
    result = await sender.send(outgoing(tmp_path, attachments=[]))
    assert result.ok, result.detail
    [envelope] = recorder.envelopes
    assert envelope.mail_from == "dvk@so.example.vn"
    assert envelope.rcpt_tos == ["vanphong@so.example.vn", "lanhdao@so.example.vn"]
    mail = received(envelope)
    assert (mail["From"], mail["Subject"]) == ("Sở LĐTBXH Hà Tĩnh <dvk@so.example.vn>", SUBJECT)
    assert mail.get_body(("plain",)).get_content() == BODY
    assert mail["Message-ID"] == message_id_for("report_delivery:7f3a", "so.vn")


async def test_starttls_with_authentication(smtp_server, tmp_path, tls_files):
    cert_file, server_ctx = tls_files
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"mat-khau", handled=False)

    recorder = Recorder()
    server = smtp_server(recorder, tls_context=server_ctx, require_starttls=True,
                         authenticator=authenticator, auth_require_tls=True)
    config = SmtpConfig(host="127.0.0.1", port=server.port, security="starttls",
                        from_address="dvk@so.example.vn", username="dvk", password="mat-khau",
                        cert_bundle=cert_file, timeout_s=5)
    assert (await SmtpSender(config).send(outgoing(tmp_path, attachments=[]))).ok
    assert received(recorder.envelopes[0])["Subject"] == SUBJECT
    assert logins == [(b"dvk", b"mat-khau")]

    wrong = SmtpConfig(**{**config.__dict__, "password": "sai"})
    result = await SmtpSender(wrong).send(outgoing(tmp_path, attachments=[]))
    assert result.status is DeliveryStatus.PERMANENT and "535" in result.detail


async def test_implicit_tls(smtp_server, tmp_path, tls_files):
    cert_file, server_ctx = tls_files
    recorder = Recorder()
    server = smtp_server(recorder, ssl_context=server_ctx)
    config = SmtpConfig(host="127.0.0.1", port=server.port, security="tls",
                        from_address="dvk@so.example.vn", cert_bundle=cert_file)
    assert (await SmtpSender(config).send(outgoing(tmp_path, attachments=[]))).ok
    assert received(recorder.envelopes[0]).get_body(("plain",)).get_content() == BODY


@pytest.mark.parametrize("recorder, status", [
    (Recorder(data_reply="451 4.3.0 Try again later"), DeliveryStatus.TRANSIENT),
    (Recorder(rcpt_reply="550 5.1.1 No such user"), DeliveryStatus.PERMANENT),
    (Recorder(rcpt_reply="450 4.2.1 Mailbox busy"), DeliveryStatus.TRANSIENT),
])
async def test_server_replies_are_classified(smtp_server, tmp_path, recorder, status):
    server = smtp_server(recorder)
    config = SmtpConfig(host="127.0.0.1", port=server.port, security="none",
                        from_address="dvk@so.example.vn")
    assert (await SmtpSender(config).send(outgoing(tmp_path))).status is status


async def test_nobody_listening_is_transient(tmp_path):
    config = SmtpConfig(host="127.0.0.1", port=free_port(), security="none",
                        from_address="dvk@so.example.vn", timeout_s=2)
    result = await SmtpSender(config).send(outgoing(tmp_path))
    assert result.status is DeliveryStatus.TRANSIENT


class TestCommitPoint:
    """The dispatcher's point of no return sits just before the end-of-data dot."""

    async def test_commit_point_runs_after_the_content_and_before_the_dot(self, smtp_server,
                                                                         tmp_path):
        recorder = Recorder()
        server = smtp_server(recorder)
        seen_at_commit_point = []

        async def commit_point():
            seen_at_commit_point.append(len(recorder.envelopes))

        sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=server.port, security="none",
                                       from_address="dvk@so.example.vn"))
        result = await sender.send(outgoing(tmp_path), commit_point=commit_point)
        assert result.ok and seen_at_commit_point == [0] and len(recorder.envelopes) == 1
        assert received(recorder.envelopes[0])["Subject"] == SUBJECT

    async def test_a_refused_commit_point_means_nothing_was_delivered(self, smtp_server,
                                                                      tmp_path):
        recorder = Recorder()
        server = smtp_server(recorder)

        async def lost_lease():
            raise LookupError("another dispatcher has the row")

        sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=server.port, security="none",
                                       from_address="dvk@so.example.vn"))
        with pytest.raises(LookupError):
            await sender.send(outgoing(tmp_path), commit_point=lost_lease)
        assert recorder.envelopes == []

    async def test_no_reply_after_the_dot_is_uncertain_not_transient(self, smtp_server,
                                                                     tmp_path):
        class Silent(Recorder):
            async def handle_DATA(self, server, session, envelope):
                self.envelopes.append(envelope)
                await asyncio.sleep(2)  # accepted, but the answer never comes in time
                return "250 OK"

        recorder = Silent()
        server = smtp_server(recorder)
        sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=server.port, security="none",
                                       from_address="dvk@so.example.vn", timeout_s=0.5))
        result = await sender.send(outgoing(tmp_path, attachments=[]))
        assert result.status is DeliveryStatus.UNCERTAIN and len(recorder.envelopes) == 1
