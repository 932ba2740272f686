"""Field errors read in Vietnamese first, with the validator's English after."""

from typing import Literal

import pytest
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from shared.validation import field_errors


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(min_length=1, max_length=5)
    kind: Literal["phan_anh", "kien_nghi"]
    percent: int = Field(ge=0, le=100)
    at: AwareDatetime
    phone: str = Field(pattern=r"^\+?[0-9 ]{6,20}$")


def _errors(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    return {e["field"]: e["reason"] for e in field_errors(caught.value, prefix="data.")}


def test_each_field_is_named_and_said_in_vietnamese_then_english():
    found = _errors({"subject": "quá dài rồi", "kind": "khac", "percent": 101,
                     "at": "2026-11-26T08:00:00", "phone": "abc", "extra": 1})
    assert found == {
        "data.subject": "quá dài (nhiều nhất 5 ký tự) — String should have at most 5 characters",
        "data.kind": "phải là một trong: 'phan_anh' hoặc 'kien_nghi' — "
                     "Input should be 'phan_anh' or 'kien_nghi'",
        "data.percent": "phải nhỏ hơn hoặc bằng 100 — Input should be less than or equal to 100",
        "data.at": "thiếu múi giờ (ví dụ +07:00) — Input should have timezone info",
        "data.phone": "không đúng định dạng — String should match pattern '^\\+?[0-9 ]{6,20}$'",
        "data.extra": "trường này không có trong mẫu dữ liệu — Extra inputs are not permitted",
    }


def test_a_missing_field_and_an_error_without_a_translation():
    found = _errors({"kind": "phan_anh", "percent": 1, "at": "2026-11-26T08:00:00+07:00",
                     "phone": "0912 345 678", "subject": {"not": "text"}})
    assert found == {"data.subject": "phải là chuỗi ký tự — Input should be a valid string"}
    missing = _errors({"kind": "phan_anh"})
    assert missing["data.subject"] == "bắt buộc nhưng chưa có — Field required"
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate([1])
    [whole] = field_errors(caught.value, whole="body")
    assert whole["field"] == "body" and "Input should be" in whole["reason"]
