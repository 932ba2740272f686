"""The e-mail as written without the stdlib's composition: parsed back by the stdlib, it carries
the same addresses, subject and body as `build_email`'s, within RFC 5322's line lengths."""

from __future__ import annotations

import email
import email.policy
import email.utils
import random

import pytest

from services.notify.channels import OutgoingMessage, build_email, message_id_for
from services.notify.wire import email_bytes, envelope_addresses, writes_directly

SUBJECT = "Thông báo chuyển đơn đến đơn vị xử lý, mã hồ sơ PAKN-2026-000123 (kiến nghị về chế độ)"
BODY = ("Kính gửi: Ông/Bà Nguyễn Văn Bình\n\nSở Lao động - Thương binh và Xã hội tỉnh Hà Tĩnh "
        "thông báo: đơn của Ông/Bà đã được chuyển đến Phòng Lao động - Việc làm.\n\n--\n"
        "Hệ thống theo dõi thực hiện phong trào thi đua “Dân vận khéo”\n")
VIETNAMESE = ("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợ"
              "úùủũụứừửữựýỳỷỹỵ")


def message(**overrides) -> OutgoingMessage:
    values = dict(idempotency_key="ack_forwarded:98693aa6707b09c7a50c5c05153e3c47",
                  channel="email", to=["binh.nv@example.vn"], subject=SUBJECT, body_text=BODY)
    return OutgoingMessage(**{**values, **overrides})


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def read(mail: email.message.EmailMessage) -> dict[str, object]:
    return {"from": str(mail["From"]), "to": str(mail["To"]), "subject": str(mail["Subject"]),
            "message_id": mail["Message-ID"], "key": mail["X-Dvk-Idempotency-Key"],
            "type": mail.get_content_type(), "charset": mail.get_content_charset(),
            "body": mail.get_body(("plain",)).get_content(), "defects": mail.defects}


def both(outgoing: OutgoingMessage, from_address: str = "dvk@so.example.vn"):
    written = email_bytes(outgoing, from_address=from_address, domain="so.vn")
    built = build_email(outgoing, from_address=from_address, domain="so.vn").as_bytes()
    return written, read(parsed(written)), read(parsed(built))


def test_a_vietnamese_acknowledgement_reads_back_as_the_stdlib_builds_it():
    written, found, expected = both(message())
    assert found == expected
    assert found["subject"] == SUBJECT and found["body"] == BODY and found["defects"] == []
    assert found["message_id"] == message_id_for(message().idempotency_key, "so.vn")
    assert written.isascii()
    assert max(len(line) for line in written.split(b"\n")) <= 78


def test_random_vietnamese_subjects_and_bodies_survive_exactly():
    rng = random.Random(45)
    alphabet = VIETNAMESE + VIETNAMESE.upper() + " .,:;-()“”'\"=?_0123456789" + "😀"
    for _ in range(300):
        subject = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 300)))
        body = "\n".join("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
                         for _ in range(rng.randrange(0, 8)))
        written, found, expected = both(message(subject=subject, body_text=body))
        assert found["subject"] == " ".join(subject.split())
        assert found["body"] == expected["body"] and found["defects"] == []
        assert max(len(line) for line in written.split(b"\n")) <= 78


def test_text_that_looks_like_an_encoded_word_stays_as_written():
    literal = "Hồ sơ ghi =?utf-8?b?QQ==?= như trong đơn"
    _, found, _ = both(message(subject=literal))
    assert found["subject"] == literal


def test_many_recipients_and_a_vietnamese_sender_name():
    recipients = [f"can-bo-{n}@phong-lao-dong-viec-lam.soldtbxh.hatinh.example" for n in range(4)]
    sender = "Sở LĐTBXH Hà Tĩnh <dvk@so.example.vn>"
    written, found, expected = both(message(to=recipients), from_address=sender)
    assert found == expected
    assert [a for _, a in email.utils.getaddresses([found["to"]])] == recipients
    assert found["from"] == sender
    assert max(len(line) for line in written.split(b"\n")) <= 78


def test_header_injection_is_neutralised():
    mail = parsed(email_bytes(message(subject="Hồ sơ\r\nBcc: attacker@example.org",
                                      headers={"X-Dvk-Case": "KN-1\nBcc: a@b.vn"}),
                              from_address="dvk@so.example.vn", domain="so.vn"))
    assert mail["Bcc"] is None
    assert str(mail["Subject"]) == "Hồ sơ Bcc: attacker@example.org"
    assert mail["X-Dvk-Case"] == "KN-1 Bcc: a@b.vn"


@pytest.mark.parametrize("overrides", [
    {"body_html": "<p>Kính gửi</p>"},
    {"to": ["bình@ví-dụ.vn"]},
])
def test_other_messages_are_left_to_the_stdlib(overrides):
    outgoing = message(**overrides)
    assert not writes_directly(outgoing, "dvk@so.example.vn")
    _, found, expected = both(outgoing)
    assert {k: v for k, v in found.items() if k != "body"} == \
        {k: v for k, v in expected.items() if k != "body"}


def test_attachments_are_left_to_the_stdlib(tmp_path):
    report = tmp_path / "Báo cáo.docx"
    report.write_bytes(b"PK\x03\x04")
    outgoing = message(attachments=[report])
    assert not writes_directly(outgoing, "dvk@so.example.vn")
    mail = parsed(email_bytes(outgoing, from_address="dvk@so.example.vn", domain="so.vn"))
    assert [p.get_filename() for p in mail.iter_attachments()] == ["Báo cáo.docx"]
    assert str(mail["Subject"]) == SUBJECT


def test_envelope_addresses_drop_display_names():
    assert envelope_addresses(["Sở LĐTBXH <dvk@so.example.vn>", "a@b.vn"]) == \
        ["dvk@so.example.vn", "a@b.vn"]
