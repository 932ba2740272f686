"""A protected case's identity leaves intake in none of its free texts: not in the
intake.feedback_received event, not in what intake stores of the case in clear."""

import json

from services.intake import domain
from services.intake.feedback import _new_case
from services.intake.ingress import AcceptedCommand
from shared.confidential import REDACTED, Sealer
from shared.contracts.feedback import SubmitFeedback
from shared.testing.factories import feedback_payload

KEY = "m0eLvXKRr2C0hVbQkB7v3LZQzI0n8hH1pGfVdFJ7p3Y="
CUONG = {"name": "Lý Văn Cường", "phone": "0978 200 207", "national_id": "042088004513",
         "email": "Cuong.LV@Example.VN", "address": "Xóm 2, thôn Trung Hòa",
         "consent_to_contact": False}
# Every way the probe (and its variants) wrote the denouncer in a field that left intake.
SECRETS = ["Lý Văn Cường", "Ly Van Cuong", "LÝ VĂN CƯỜNG", "ly-van-cuong", "Cường (", "Cuong",
           "0978200207", "0978 200 207", "978 200 207", "978200207", "042088004513",
           "cuong.lv@example.vn", "Xóm 2, thôn Trung Hòa"]


def _command(**overrides) -> SubmitFeedback:
    payload = feedback_payload(
        kind="to_cao", sender=CUONG,
        subject="Ông Cường ở thôn Trung Hòa tố cáo cán bộ xã",
        content=("Toi la Ly Van Cuong, so +84 978 200 207, email cuong.lv@example.vn. "
                 "Cán bộ xã Cẩm Bình yêu cầu nộp 2 triệu đồng khi xét hồ sơ người có công."),
        category_hints=["người có công", "Lý Văn Cường"],
        locality={"district": "Cẩm Xuyên", "commune": "Cẩm Bình (nhà ông Lý Văn Cường)"},
        attachments=["https://hotline.example/ghi-am/ly-van-cuong-0978200207.mp3",
                     "https://dvc.example/tep/don.pdf"],
        letter={"eligible": True, "action": "transferred",
                "transferred_to": "Thanh tra huyện, kèm đơn của ông Cường (0978.200.207)",
                "reply_document": "Công văn 12/TTr gửi Ly Van Cuong"},
        external_id="HOTLINE-84978200207")
    return SubmitFeedback.model_validate({**payload, **overrides})


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def test_no_field_of_the_event_carries_the_denouncer():
    event = domain.received_event(_command(), ref="PAKN-2026-000001", sealed_contact=None)
    assert _leaks(event.model_dump_json()) == []


def test_what_does_not_identify_the_denouncer_survives_in_the_event():
    cmd = _command()
    event = domain.received_event(cmd, ref="PAKN-2026-000001", sealed_contact=None)
    assert event.subject == f"Ông {REDACTED} ở thôn Trung Hòa tố cáo cán bộ xã"
    assert event.content.endswith(
        "Cán bộ xã Cẩm Bình yêu cầu nộp 2 triệu đồng khi xét hồ sơ người có công.")
    assert event.category_hints == ["người có công", REDACTED]
    assert event.locality.district == "Cẩm Xuyên"
    assert event.locality.commune == f"Cẩm Bình (nhà ông {REDACTED})"
    assert str(event.attachments[1]) == "https://dvc.example/tep/don.pdf"
    assert str(event.attachments[0]).startswith("https://hotline.example/ghi-am/")
    assert event.letter is not None and event.letter.action == "transferred"
    assert event.letter.transferred_to == \
        f"Thanh tra huyện, kèm đơn của ông {REDACTED} ({REDACTED})"
    assert (event.kind, event.channel, event.received_at, event.source_system) == (
        "to_cao", "cong_dich_vu_cong", cmd.received_at, "test-portal")


def test_a_case_marked_confidential_is_protected_the_same_way():
    event = domain.received_event(_command(kind="phan_anh", confidential=True),
                                  ref="PAKN-2026-000001", sealed_contact=None)
    assert event.sender.protected and _leaks(event.model_dump_json()) == []


def test_an_unprotected_case_goes_out_as_sent():
    cmd = _command(kind="phan_anh")
    event = domain.received_event(cmd, ref="PAKN-2026-000001", sealed_contact=None)
    assert event.content == cmd.content and event.locality == cmd.locality
    assert event.attachments == cmd.attachments and event.letter == cmd.letter


def test_intake_stores_only_the_redacted_texts_of_a_protected_case():
    cmd = _command()
    accepted = AcceptedCommand(command=cmd, event_id="m-1", correlation_id="m-1")
    case, event = _new_case(cmd, accepted, ref="PAKN-2026-000001", sealer=Sealer([KEY]))
    stored = json.dumps([case.subject, case.content, case.details], ensure_ascii=False)
    assert _leaks(stored) == []
    assert (case.subject, case.content) == (event.subject, event.content)
    assert json.loads(Sealer([KEY]).open(case.sealed_sender))["name"] == "Lý Văn Cường"
