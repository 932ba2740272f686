"""Realistic feedback payloads for tests and benchmarks."""

from __future__ import annotations

import itertools
import json
import random
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
        "received_at": (datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
                        + timedelta(minutes=number)).isoformat(),
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
