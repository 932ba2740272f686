"""Luật Tố cáo 2018 Điều 9, 47, 56: nothing identifying a denouncer may reach a unit."""

from datetime import date

import pytest

from services.notify.templating import SPECS, TemplateRenderer, is_confidential, unit_view

IDENTITY = ["Hoàng Văn Em", "0912.345.678", "hoang.em@example.org", "Xóm 3, xã Thạch Hạ",
            "042090001234"]


def denunciation(**extra):
    return {
        "ref": "TC-2026-0003", "kind": "to_cao", "due_date": "2026-03-20",
        "subject": "Tố cáo của ông Hoàng Văn Em", "content": "Tôi là Hoàng Văn Em, SĐT 0912345678",
        "summary": "Ông Hoàng Văn Em tố cáo cán bộ X",
        "sender": {"name": IDENTITY[0], "phone": IDENTITY[1], "email": IDENTITY[2],
                   "address": IDENTITY[3], "national_id": IDENTITY[4], "anonymous": False},
        "sender_name": IDENTITY[0], "denouncer_phone": IDENTITY[1], "contact_email": IDENTITY[2],
        "handler_name": "Trần Thị Bình", **extra,
    }


def leaks(text):
    return [i for i in [*IDENTITY, "0912345678"] if i.lower() in str(text).lower()]


class TestUnitView:
    def test_to_cao_keeps_no_sender_field_and_no_free_text(self):
        view = unit_view(denunciation())
        assert not any(k.startswith(("sender", "denouncer", "contact")) for k in view)
        assert "subject" not in view and "content" not in view
        assert leaks(view) == []
        assert view["ref"] == "TC-2026-0003" and view["due_date"] == "2026-03-20"
        assert view["confidential"] is True and view["case_type"] == "to_cao"

    def test_redacted_summary_is_used_and_still_scrubbed(self):
        view = unit_view(denunciation(summary_redacted="Người tố cáo (0912 345 678) phản ánh"))
        assert view["summary"] == "Người tố cáo ([đã ẩn]) phản ánh"

    def test_confidential_flag_protects_any_case_type(self):
        case = {**denunciation(), "kind": "phan_anh", "confidential": True}
        assert leaks(unit_view(case)) == []

    def test_protected_sender_summary_protects_the_case(self):
        case = {**denunciation(), "kind": "kien_nghi", "sender": {"protected": True}}
        assert is_confidential(case) and unit_view(case)["confidential"] is True

    def test_ordinary_case_is_passed_through(self):
        case = {"ref": "PA-1", "case_type": "phan_anh", "sender": {"name": "Phạm Thị Dung"}}
        assert unit_view(case) == {**case, "confidential": False}

    def test_applying_twice_keeps_the_redacted_view(self):
        once = unit_view(denunciation(summary_redacted="Tố cáo cán bộ X"))
        assert unit_view(once) == once

    def test_input_is_not_mutated(self):
        case = denunciation()
        unit_view(case)
        assert case["sender"]["name"] == IDENTITY[0]


@pytest.mark.parametrize("kind", [k for k, s in sorted(SPECS.items()) if s.audience != "sender"
                                  and "case.ref" in s.required])
def test_no_unit_facing_message_about_a_to_cao_carries_identity(kind):
    context = {"case": denunciation(case_type="to_cao", received_at=date(2026, 2, 2)),
               "unit": {"name": "Thanh tra Sở"},
               "deadline": {"step": "resolve", "due_date": date(2026, 3, 20)}}
    message = TemplateRenderer().render(kind, context)
    assert leaks(message.subject + message.body_text) == []
    assert "Luật Tố cáo" in message.body_text


def test_digest_items_about_to_cao_carry_no_identity():
    item = {**denunciation(), "due_date": "2026-03-20"}
    message = TemplateRenderer().render("daily_digest", {
        "unit": {"name": "Thanh tra Sở"}, "day": date(2026, 3, 2), "open_cases": [item],
        "overdue": [item]})
    assert "TC-2026-0003" in message.body_text
    assert leaks(message.subject + message.body_text) == []


def test_acceptance_notice_goes_to_the_denouncer_by_name():
    assert SPECS["to_cao_acceptance"].audience == "sender"
    message = TemplateRenderer().render("to_cao_acceptance", {
        "case": {**denunciation(), "case_type": "to_cao", "received_at": date(2026, 2, 2),
                 "accepted_at": date(2026, 2, 12)}, "sender": {"name": IDENTITY[0]}})
    assert message.body_text.startswith(f"Kính gửi: Ông/Bà {IDENTITY[0]}")
    assert "Điều 29 Luật Tố cáo năm 2018" in message.body_text
