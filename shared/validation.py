"""Validation errors as the people who fix the input read them: each names the field, and says
what is wrong in Vietnamese, followed by the validator's own English words for the integrating
system's developers."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_VI: dict[str, str] = {
    "missing": "bắt buộc nhưng chưa có",
    "extra_forbidden": "trường này không có trong mẫu dữ liệu",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "quá ngắn (ít nhất {min_length} ký tự)",
    "string_too_long": "quá dài (nhiều nhất {max_length} ký tự)",
    "string_pattern_mismatch": "không đúng định dạng",
    "literal_error": "phải là một trong: {expected}",
    "enum": "phải là một trong: {expected}",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "greater_than": "phải lớn hơn {gt}",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "date_type": "phải là ngày (YYYY-MM-DD)",
    "date_parsing": "phải là ngày (YYYY-MM-DD)",
    "date_from_datetime_parsing": "phải là ngày (YYYY-MM-DD)",
    "datetime_type": "phải là thời điểm (ISO 8601, có múi giờ)",
    "datetime_parsing": "phải là thời điểm (ISO 8601, có múi giờ)",
    "datetime_from_date_parsing": "phải là thời điểm (ISO 8601, có múi giờ)",
    "timezone_aware": "thiếu múi giờ (ví dụ +07:00)",
    "list_type": "phải là danh sách",
    "too_short": "cần ít nhất {min_length} mục",
    "too_long": "nhiều nhất {max_length} mục",
    "dict_type": "phải là đối tượng JSON",
    "model_type": "phải là đối tượng JSON",
    "model_attributes_type": "phải là đối tượng JSON",
    "url_parsing": "không phải địa chỉ URL hợp lệ",
    "url_scheme": "địa chỉ URL phải bắt đầu bằng {expected_schemes}",
    "value_error": "không hợp lệ",
    "assertion_error": "không hợp lệ",
}


def reason(error: ErrorDetails) -> str:
    """"quá dài (nhiều nhất 200 ký tự) — String should have at most 200 characters"."""
    template = _VI.get(error["type"])
    if template is None:
        return error["msg"]
    context = {name: value.replace(" or ", " hoặc ") if isinstance(value, str) else value
               for name, value in (error.get("ctx") or {}).items()}
    try:
        said = template.format(**context)
    except (KeyError, IndexError):
        said = template.split(" (")[0].split(":")[0]
    return f"{said} — {error['msg']}"


def field_errors(exc: ValidationError, *, prefix: str = "",
                 whole: str = "body") -> list[dict[str, Any]]:
    """[{"field": "data.sender.phone", "reason": "không đúng định dạng — String should …"}]."""
    return [{"field": prefix + (".".join(str(p) for p in error["loc"]) or whole),
             "reason": reason(error)}
            for error in exc.errors(include_input=False)]
