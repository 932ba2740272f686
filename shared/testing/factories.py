"""Realistic feedback payloads for tests and benchmarks."""

from __future__ import annotations

import itertools
import json
import random
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

_counter = itertools.count(1)

SAMPLES: list[tuple[str, str, str]] = [
    ("kien_nghi", "Chậm chi trả trợ cấp thất nghiệp",
     "Tôi đã có quyết định hưởng trợ cấp thất nghiệp nhưng hai tháng nay chưa nhận được tiền."),
    ("phan_anh", "Doanh nghiệp nợ lương công nhân",
     "Công ty may tại khu công nghiệp Vũng Áng nợ lương ba tháng, chưa đóng bảo hiểm xã hội."),
    ("kien_nghi", "Xác nhận hồ sơ người có công",
     "Gia đình tôi có bố là thương binh, đề nghị Sở xem xét hồ sơ hưởng chế độ ưu đãi."),
    ("phan_anh", "Tre em lang thang o cho dem",
     "Co nhieu tre em lang thang ban hang rong o cho dem thanh pho, de nghi co bien phap bao ve."),
    ("gop_y", "Góp ý quy chế dân chủ ở cơ quan",
     "Đề nghị công khai kế hoạch thi đua và lấy ý kiến công chức trước khi ban hành quy chế."),
    ("khieu_nai", "Khiếu nại quyết định thu hồi trợ cấp xã hội",
     "Tôi không đồng ý với quyết định thu hồi trợ cấp xã hội hằng tháng đối với mẹ tôi."),
    ("to_cao", "Tố cáo cán bộ nhận tiền khi giải quyết hồ sơ",
     "Một cán bộ yêu cầu nộp thêm tiền mới giải quyết hồ sơ hưởng chế độ."),
]


def feedback_payload(*, kind: str | None = None, external_id: str | None = None,
                     sender: dict[str, Any] | None = None, seed: int | None = None,
                     **overrides: Any) -> dict[str, Any]:
    rng = random.Random(seed)
    sample_kind, subject, content = rng.choice(
        [s for s in SAMPLES if kind is None or s[0] == kind] or SAMPLES)
    number = next(_counter)
    payload: dict[str, Any] = {
        "source_system": "test-portal",
        "external_id": external_id or f"T-{number:08d}-{rng.randrange(10**9)}",
        "kind": kind or sample_kind,
        "channel": "cong_dich_vu_cong",
        # Spread over 20/11/2026 only, so that updates dated later always come after receipt.
        "received_at": (datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
                        + timedelta(seconds=number % 86400)).isoformat(),
        "sender": sender or {"name": "Nguyễn Văn Bình", "phone": "0905123456",
                             "email": "binh.nv@example.vn", "consent_to_contact": True},
        "subject": subject,
        "content": content,
        "category_hints": [],
        "locality": {"district": "Thạch Hà", "commune": "Thạch Đài"},
    }
    payload.update(overrides)
    return payload


def feedback_body(**kwargs: Any) -> bytes:
    return json.dumps(feedback_payload(**kwargs), ensure_ascii=False).encode()


def received_event(ref: str = "PAKN-2026-000001", **overrides: Any):
    """A FeedbackReceived as intake would announce it (sender reduced to a summary)."""
    from shared.contracts.feedback import FeedbackReceived, SenderSummary

    payload = feedback_payload(**overrides)
    payload.pop("sender")
    return FeedbackReceived(**payload, ref=ref, sender=SenderSummary(
        anonymous=False, consent_to_contact=True, has_contact=True, protected=False))


def envelope_of(payload: Any, *, producer: str = "test", event_id: str | None = None):
    from shared.contracts.base import make_envelope

    return make_envelope(payload, producer=producer, event_id=event_id)


def update_payload(ref: str, status: str, *, unit_code: str, update_id: str | None = None,
                   **details: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "ref": ref, "source_system": "unit-tools", "unit_code": unit_code, "status": status,
        "update_id": update_id or f"U-{next(_counter):08d}",
        "occurred_at": "2026-11-24T09:00:00+07:00"}
    defaults: dict[str, dict[str, Any]] = {
        "extended": {"extension": {"reason": "Vụ việc phức tạp, cần xác minh thêm",
                                   "decision_number": "12/QĐ-TTr", "days": 30}},
        "transferred": {"transfer": {"to_unit": "NGUOI_CO_CONG",
                                     "reason": "Thuộc lĩnh vực người có công"}},
        "resolved": {"resolution": {"result": "dung_mot_phan", "document_number": "45/QĐ-SLĐTBXH",
                                    "document_date": "2026-12-01"}},
        "rejected": {"rejection": {"legal_ground": "Đơn không đủ điều kiện thụ lý theo Điều 11"}},
    }
    payload.update(defaults.get(status, {}))
    payload.update(details)
    return payload


def progress_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "source_system": "unit-tools", "external_id": f"P-{next(_counter):08d}",
        "task_id": "II.3.1", "unit_code": "LAO_DONG_VIEC_LAM", "period": "2026-H1",
        "percent_done": 60, "status": "in_progress",
        "done_text": "Đã rà soát quy chế dân chủ, dự thảo sửa đổi đang lấy ý kiến công chức.",
        "evidence": ["https://vanban.hatinh.example/qc-dan-chu-2026.pdf"],
        "reported_at": "2026-06-05T10:00:00+07:00"}
    payload.update(overrides)
    return payload


def movement_payloads() -> dict[str, dict[str, Any]]:
    """One valid example of each movement command, by routing key."""
    return {
        "movement.model_register.v1": {
            "source_system": "unit-tools", "model_id": "M-2026-LDVL-01",
            "name": "Sàn giao dịch việc làm lưu động tại xã", "field": "kinh_te",
            "kind": "tap_the", "unit_code": "TT_DICH_VU_VIEC_LAM", "year": 2026,
            "description": "Tổ chức phiên giao dịch việc làm tại các xã vùng khó khăn.",
            "registered_on": "2026-03-02"},
        "movement.model_review.v1": {
            "source_system": "unit-tools", "model_id": "M-2026-LDVL-01",
            "result": "cong_nhan", "level": "Sở", "reviewed_on": "2026-11-15"},
        "movement.session_record.v1": {
            "source_system": "unit-tools", "session_id": "TCD-2026-11-05",
            "session_type": "tiep_cong_dan", "regularity": "dinh_ky", "held_on": "2026-11-05",
            "chaired_by": "Phó Giám đốc Sở", "received_by": "thu_truong",
            "unit_code": "THANH_TRA", "participants": 6, "visits": 4, "persons": 5,
            "cases_first_time": 3, "cases_repeated": 1, "group_delegations": 0,
            "issues_raised": ["Chậm chi trả trợ cấp", "Hồ sơ người có công"]},
        "movement.inspection_record.v1": {
            "source_system": "unit-tools", "inspection_id": "KT-2026-07",
            "unit_inspected": "TT_BAO_TRO_XA_HOI", "mode": "dot_xuat",
            "started_on": "2026-09-10", "ended_on": "2026-09-12",
            "findings": "Công khai chế độ chưa đầy đủ tại bảng tin.",
            "recommendations": ["Niêm yết công khai chế độ trợ cấp"]},
        "report.request.v1": {
            "family": "dan_van_kheo", "period": "2026-H1", "scope": "department",
            "requested_by": "Văn phòng Sở"},
    }


def windows_1258(text: str) -> bytes:
    """How an older Vietnamese system writes it: a base letter with its circumflex, breve or
    horn precomposed, then the tone mark as a combining character."""
    out = []
    for char in unicodedata.normalize("NFD", text):
        if out and unicodedata.combining(char):
            out[-1].append(char)
        else:
            out.append([char])
    written = ""
    for base, *marks in out:
        shape = [m for m in marks if m in "\u0302\u0306\u031b"]
        written += unicodedata.normalize("NFC", base + "".join(shape))
        written += "".join(m for m in marks if m not in shape)
    return written.encode("cp1258")
