import email
import email.policy

import aiosmtplib
import pytest

from services.notify.channels import (
    ChannelRouter, DeliveryResult, DeliveryStatus, FakeSender, OutgoingMessage, build_email,
    classify_http_status, message_id_for, sign, verify_signature,
)
from services.notify.mail import classify_smtp_error

SUBJECT = "[Đôn đốc] Hồ sơ KN-2026-0007 đã quá hạn giải quyết"
BODY = "Kính gửi: Phòng Lao động - Việc làm\nĐề nghị đơn vị khẩn trương xử lý.\n"


def message(**overrides):
    values = dict(idempotency_key="urging:abc123", channel="email",
                  to=["vanphong@so.example.vn"], subject=SUBJECT, body_text=BODY)
    return OutgoingMessage(**{**values, **overrides})


def parsed(mail):
    return email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)


class TestBuildEmail:
    def test_utf8_subject_and_body_survive_the_wire_format(self):
        mail = parsed(build_email(message(), from_address="dvk@so.example.vn", domain="so.vn"))
        assert mail["Subject"] == SUBJECT
        assert mail.get_body(("plain",)).get_content() == BODY

    def test_message_id_is_derived_from_the_idempotency_key(self):
        one = build_email(message(), from_address="a@b.vn", domain="so.vn")
        two = build_email(message(), from_address="a@b.vn", domain="so.vn")
        other = build_email(message(idempotency_key="urging:zzz"), from_address="a@b.vn",
                            domain="so.vn")
        assert one["Message-ID"] == two["Message-ID"] == message_id_for("urging:abc123", "so.vn")
        assert one["Message-ID"] != other["Message-ID"]
        assert one["X-Dvk-Idempotency-Key"] == "urging:abc123"

    def test_attachments_carry_mime_types_and_vietnamese_file_names(self, tmp_path):
        files = {"Báo cáo sơ kết.docx": b"PK\x03\x04docx", "phu-luc.xlsx": b"PK\x03\x04xlsx",
                 "bien-ban.pdf": b"%PDF-1.4", "du-lieu.bin": b"\x00\x01"}
        paths = []
        for name, content in files.items():
            (tmp_path / name).write_bytes(content)
            paths.append(tmp_path / name)
        mail = parsed(build_email(message(attachments=paths), from_address="a@b.vn",
                                  domain="so.vn"))
        found = {p.get_filename(): (p.get_content_type(), p.get_content())
                 for p in mail.iter_attachments()}
        assert found == {
            "Báo cáo sơ kết.docx": (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                files["Báo cáo sơ kết.docx"]),
            "phu-luc.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             files["phu-luc.xlsx"]),
            "bien-ban.pdf": ("application/pdf", files["bien-ban.pdf"]),
            "du-lieu.bin": ("application/octet-stream", files["du-lieu.bin"]),
        }

    def test_html_alternative_and_extra_headers(self):
        mail = parsed(build_email(
            message(body_html="<p>Kính gửi</p>", headers={"X-Dvk-Case": "KN-1"}),
            from_address="a@b.vn", domain="so.vn"))
        assert mail.get_body(("html",)).get_content().strip() == "<p>Kính gửi</p>"
        assert mail["X-Dvk-Case"] == "KN-1"

    def test_header_injection_is_neutralised(self):
        mail = build_email(message(subject="Hồ sơ\r\nBcc: attacker@example.org"),
                           from_address="a@b.vn", domain="so.vn")
        assert mail["Bcc"] is None
        assert "\n" not in str(mail["Subject"])


class TestClassification:
    @pytest.mark.parametrize("exc, status", [
        (aiosmtplib.SMTPResponseException(451, "try later"), DeliveryStatus.TRANSIENT),
        (aiosmtplib.SMTPDataError(452, "mailbox full"), DeliveryStatus.TRANSIENT),
        (aiosmtplib.SMTPResponseException(550, "no such user"), DeliveryStatus.PERMANENT),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), DeliveryStatus.PERMANENT),
        (aiosmtplib.SMTPConnectError("refused"), DeliveryStatus.TRANSIENT),
        (aiosmtplib.SMTPServerDisconnected("gone"), DeliveryStatus.TRANSIENT),
        (aiosmtplib.SMTPTimeoutError("slow"), DeliveryStatus.TRANSIENT),
        (ConnectionRefusedError(), DeliveryStatus.TRANSIENT),
        (aiosmtplib.SMTPNotSupported("no STARTTLS"), DeliveryStatus.PERMANENT),
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "no", "a@b")]),
         DeliveryStatus.PERMANENT),
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(450, "busy", "a@b")]),
         DeliveryStatus.TRANSIENT),
    ])
    def test_smtp(self, exc, status):
        assert classify_smtp_error(exc).status is status

    @pytest.mark.parametrize("code, status", [
        (200, DeliveryStatus.SENT), (204, DeliveryStatus.SENT),
        (500, DeliveryStatus.TRANSIENT), (503, DeliveryStatus.TRANSIENT),
        (429, DeliveryStatus.TRANSIENT), (408, DeliveryStatus.TRANSIENT),
        (400, DeliveryStatus.PERMANENT), (401, DeliveryStatus.PERMANENT),
        (404, DeliveryStatus.PERMANENT), (301, DeliveryStatus.PERMANENT),
    ])
    def test_http(self, code, status):
        assert classify_http_status(code).status is status


class TestSignature:
    BODY = '{"subject":"Đôn đốc"}'.encode()

    def test_valid_signature_within_tolerance(self):
        signature = sign("s3cret", "1767225600", self.BODY)
        assert signature.startswith("sha256=")
        assert verify_signature("s3cret", "1767225600", self.BODY, signature, 300,
                                now=1767225600 + 299)

    @pytest.mark.parametrize("secret, timestamp, body, now", [
        ("other", "1767225600", BODY, 1767225600),
        ("s3cret", "1767225600", BODY.replace(b"c", b"C"), 1767225600),
        ("s3cret", "1767225601", BODY, 1767225600),
        ("s3cret", "1767225600", BODY, 1767225600 + 301),
        ("s3cret", "not-a-number", BODY, 1767225600),
    ])
    def test_rejects_wrong_secret_tampered_body_timestamp_or_stale(self, secret, timestamp,
                                                                    body, now):
        signature = sign("s3cret", "1767225600", self.BODY)
        assert not verify_signature(secret, timestamp, body, signature, 300, now=now)


class TestFakesAndRouter:
    async def test_fake_sender_records_and_plays_scripted_results(self):
        fake = FakeSender([DeliveryResult.transient("down")])
        first = await fake.send(message())
        second = await fake.send(message())
        assert (first.status, second.status) == (DeliveryStatus.TRANSIENT, DeliveryStatus.SENT)
        assert fake.keys == ["urging:abc123", "urging:abc123"]

    async def test_router_dispatches_on_channel_and_parks_unknown_channels(self):
        mail, hook = FakeSender(), FakeSender()
        router = ChannelRouter({"email": mail})
        assert (await router.send(message())).ok
        result = await router.send(message(channel="webhook", to="http://127.0.0.1:9/x"))
        assert result.status is DeliveryStatus.PERMANENT
        assert len(mail.messages) == 1 and hook.messages == []
