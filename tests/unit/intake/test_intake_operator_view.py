"""What an operator sees of a rejected message (GET /v1/rejected/{id}): never a denouncer."""

import json

import pytest

from services.intake.operator_http import redact_body
from shared.confidential import REDACTED
from shared.testing.factories import feedback_payload

KHAI = {"name": "Vương Đình Khải", "phone": "0978 300 301", "email": "khai.vd@example.vn",
        "consent_to_contact": True}
SECRETS = ["Kiều Văn Nam", "Vương Đình Khải", "Vuong Dinh Khai", "0978 300 301", "0978300301",
           "khai.vd@example.vn", "Lò Thị Mai"]


def _shown(view) -> str:
    return json.dumps(view, ensure_ascii=False)


def _leaks(view) -> list[str]:
    return [s for s in SECRETS if s.lower() in _shown(view).lower()]


def _body(document) -> str:
    return json.dumps(document, ensure_ascii=False)


@pytest.mark.parametrize(("body", "why"), [
    ("Tôi là Kiều Văn Nam tố cáo.", "unreadable"),
    ('{"kind":"to_cao","sender":{"name":"Vương Đình Khải","phone":"0978 300 301"', "unreadable"),
    ('"Tôi là Kiều Văn Nam tố cáo."', "unreadable"),  # valid JSON, but not an object
    ('["Lò Thị Mai"]', "unreadable"),
    (_body(feedback_payload(kind="to_cao", sender=KHAI)), "kind"),
    (_body({"type": "feedback.submit", "data": feedback_payload(kind="to_cao", sender=KHAI)}),
     "kind"),
    (_body(feedback_payload(kind="tố cáo", sender=KHAI)), "kind"),
    (_body(feedback_payload(kind="phan_anh", sender=KHAI, confidential=True)), "confidential"),
    (_body(feedback_payload(kind="phan_anh", sender=KHAI, confidential="yes")), "confidential"),
    (_body({**feedback_payload(kind="phan_anh", sender=KHAI),
            "meta": {"protected": True}}), "confidential"),
    (_body({**feedback_payload(kind="gop_y", sender=KHAI),
            "extra": {"sender": {"name": "Lò Thị Mai"}}}), "sender_elsewhere"),
    (_body({**feedback_payload(kind="gop_y"), "sender": "Lò Thị Mai"}), "sender_elsewhere"),
])
def test_what_may_name_a_denouncer_is_withheld(body, why):
    view = redact_body(body)
    assert view["withheld"] == why and view["size"] == len(body.encode())
    assert _leaks(view) == []


def test_a_withheld_body_still_shows_its_field_names():
    unreadable = '{"kind":"to_cao","sender":{"name":"Vương Đình Khải","phone":"0978 300 301"'
    assert redact_body(unreadable)["fields"] == ["kind", "name", "phone", "sender"]
    parsed = redact_body(_body(feedback_payload(kind="to_cao", sender=KHAI)))
    assert {"kind", "content", "sender.name", "sender.phone"} <= set(parsed["fields"])


def test_a_key_that_is_itself_free_text_is_not_shown():
    view = redact_body(_body({**feedback_payload(kind="to_cao"), "Kiều Văn Nam": 1}))
    assert "?" in view["fields"] and _leaks(view) == []


def test_a_feedback_of_unknown_kind_is_withheld_when_the_way_in_says_it_is_a_feedback():
    body = _body({"kind": "??", "content": "Tôi là Lò Thị Mai"})
    assert redact_body(body, feedback=True)["withheld"] == "kind"


def test_a_message_about_a_protected_case_is_withheld():
    body = _body({"ref": "PAKN-2026-000001", "note": "Đã gặp bà Lò Thị Mai"})
    assert redact_body(body, protected_case=True)["withheld"] == "protected_case"


def test_an_ordinary_feedback_is_shown_with_its_sender_masked_everywhere():
    payload = feedback_payload(
        kind="phan_anh", sender=KHAI, subject="Đường thôn Đình hỏng",
        content="Tôi là Vuong Dinh Khai, sđt 0978300301, phản ánh đường thôn Đình hỏng.",
        category_hints=["giao thông", "Vương Đình Khải"], channel="bo_cau")
    view = redact_body(_body(payload), feedback=True)
    assert _leaks(view) == []
    assert view["sender"] == {"name": REDACTED, "phone": REDACTED, "email": REDACTED,
                              "consent_to_contact": True}
    assert view["content"] == f"Tôi là {REDACTED}, sđt {REDACTED}, phản ánh đường thôn Đình hỏng."
    assert view["category_hints"] == ["giao thông", REDACTED]
    assert (view["subject"], view["channel"]) == ("Đường thôn Đình hỏng", "bo_cau")


def test_a_message_without_a_sender_is_shown_as_sent():
    body = {"type": "task.progress", "data": {"task_id": "II.3.1", "percent_done": 120}}
    assert redact_body(_body(body)) == body
