"""Vietnamese message templates (Jinja2, StrictUndefined) and the renderer that fills them.

One file `templates/<kind>.j2` per kind of message, with a `subject` and a `body` block. The
renderer checks required data, fills missing optional data with MISSING ("chưa có thông tin") and
builds every non-sender context through `unit_view`, so a denouncer's identity never reaches a unit.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from shared.confidential import redact_identity

DEFAULT_TEMPLATE_DIR = Path(__file__).parent / "templates"
DISPLAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MISSING = "chưa có thông tin"
CONFIDENTIAL_SUMMARY = ("nội dung được quản lý theo chế độ mật, "
                        "liên hệ cán bộ thụ lý để được cung cấp")
DEFAULTS = {
    "department_name": "Sở Lao động - Thương binh và Xã hội tỉnh Hà Tĩnh",
    "office_name": "Văn phòng Sở",
    "system_name": "Hệ thống theo dõi thực hiện phong trào thi đua “Dân vận khéo”",
    "plan_name": "Kế hoạch của Sở thực hiện Chỉ thị số 45-CT/TU ngày 27/8/2024 của Ban Thường vụ"
                 " Tỉnh ủy về đổi mới, nâng cao hiệu quả phong trào thi đua “Dân vận khéo”",
}
CASE_TYPE_LABELS = {
    "phan_anh": "Phản ánh", "kien_nghi": "Kiến nghị", "khieu_nai": "Khiếu nại",
    "khieu_nai_lan_2": "Khiếu nại lần hai", "to_cao": "Tố cáo",
    "gop_y": "Góp ý của cán bộ, công chức, viên chức",
}
STEP_LABELS = {
    "classify": "xử lý đơn", "accept": "thụ lý", "resolve": "giải quyết",
    "notify_acceptance": "thông báo thụ lý", "answer": "trả lời", "report": "nộp báo cáo",
    "xu_ly_don": "xử lý đơn", "thu_ly": "thụ lý", "giai_quyet": "giải quyết",
}
CONFIDENTIAL_TYPES = {"to_cao"}
SENDER_KEYS = ("sender", "denouncer", "complainant", "petitioner", "reporter", "citizen", "contact")
UNIT_SAFE_FIELDS = (
    "ref", "case_type", "kind", "step", "unit_code", "status", "unit_id", "unit_name",
    "handler_name", "received_at",
    "accepted_at", "due_date", "extended_due_date", "extension_count", "plan_section",
    "working_days_left", "working_days_overdue",
)


@dataclass(frozen=True)
class TemplateSpec:
    audience: str  # unit | unit_head | leadership | sender | office
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # (key, required, optional)
    lists: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()


_CASE = ("case.ref", "case.case_type", "unit.name", "deadline.step", "deadline.due_date")
_CASE_OPT = ("case.summary", "case.handler_name", "case.received_at")
_SENDER = ("case.ref", "case.case_type", "case.received_at")
_ITEM = (("ref", "due_date"), ("case_type", "step", "working_days_left", "working_days_overdue"))
SPECS: dict[str, TemplateSpec] = {
    "reminder": TemplateSpec("unit", _CASE, (*_CASE_OPT, "deadline.working_days_left")),
    "due_today": TemplateSpec("unit", _CASE, _CASE_OPT),
    "urging": TemplateSpec("unit", _CASE, (*_CASE_OPT, "deadline.working_days_overdue")),
    "escalation_head": TemplateSpec("unit_head", _CASE, (
        *_CASE_OPT, "unit.head_name", "deadline.working_days_overdue", "deadline.urged_on")),
    "escalation_leadership": TemplateSpec("leadership", _CASE, (
        *_CASE_OPT, "deadline.working_days_overdue", "deadline.urged_on",
        "deadline.escalated_head_on")),
    "ack_received": TemplateSpec("sender", _SENDER, ("sender.name", "case.summary")),
    "ack_forwarded": TemplateSpec("sender", (*_SENDER, "unit.name"),
                                  ("sender.name", "forwarded_on")),
    "status_accepted": TemplateSpec("sender", (*_SENDER, "case.accepted_at"), (
        "sender.name", "unit.name", "deadline.due_date")),
    "status_extended": TemplateSpec("sender", (*_SENDER, "extension.new_due_date"), (
        "sender.name", "extension.reason", "extension.decision_ref")),
    "status_answered": TemplateSpec("sender", (*_SENDER, "answer.answered_at"), (
        "sender.name", "answer.document_ref", "answer.summary")),
    "to_cao_acceptance": TemplateSpec("sender", (*_SENDER, "case.accepted_at"), (
        "sender.name", "acceptance.decision_ref", "acceptance.resolver", "deadline.due_date")),
    "task_report_reminder": TemplateSpec("unit", (
        "unit.name", "report.title", "report.period_label", "report.due_date"), (
        "report.plan_section", "report.submit_to")),
    "daily_digest": TemplateSpec("unit", ("unit.name", "day"), ("due_soon_days",), (
        ("overdue", *_ITEM), ("due_soon", *_ITEM), ("open_cases", *_ITEM))),
    "report_delivery": TemplateSpec("office", ("report.title", "report.period_label"), (
        "report.number", "report.generated_at"), (("attachments", ("name",), ("size_bytes",)),)),
}


class TemplateDataError(ValueError):
    """Required data is missing; `missing` names the dotted paths."""

    def __init__(self, kind: str, missing: list[str]) -> None:
        super().__init__(f"template {kind!r} is missing required data: {', '.join(missing)}")
        self.kind, self.missing = kind, missing


def _plain(value: Any) -> Any:
    """Deep copy into dicts and lists (accepts mappings, dataclasses and pydantic models)."""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _is_sender_key(key: str) -> bool:
    key = key.lower()
    return any(key == k or key.startswith(k + "_") for k in SENDER_KEYS)


def is_confidential(case: Mapping[str, Any]) -> bool:
    """tố cáo, or flagged confidential/protected (on the case or its sender summary)."""
    kind = str(case.get("case_type") or case.get("kind") or "").strip().lower()
    sender = case.get("sender") if isinstance(case.get("sender"), Mapping) else {}
    flags = (case.get("confidential"), case.get("protected"), sender.get("protected"))
    return kind.replace("-", "_") in CONFIDENTIAL_TYPES or any(bool(f) for f in flags)


def _strings(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return []
    return [str(value).strip()] if len(str(value).strip()) >= 3 else []


def _scrub(value: Any, secrets: list[str]) -> Any:
    return redact_identity(value, list(secrets)) if isinstance(value, str) else value


def unit_view(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case as a unit may see it. For tố cáo and confidential cases: an allow-list of
    non-identifying fields, the redacted summary only, sender strings scrubbed from the rest."""
    data = _plain(case)
    data.setdefault("case_type", data.get("kind"))
    if not is_confidential(data):
        return {**data, "confidential": False}
    secrets = [s for k, v in data.items() if _is_sender_key(k) for s in _strings(v)]
    view = {k: _scrub(data[k], secrets) for k in UNIT_SAFE_FIELDS if k in data}
    summary = data.get("summary_redacted") or (
        data.get("summary") if data.get("redacted") else None)
    view["summary"] = _scrub(summary, secrets) if summary else CONFIDENTIAL_SUMMARY
    return {**view, "confidential": True, "redacted": True}


def _to_date(value: Any, with_time: bool = False) -> date | datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        local = value.astimezone(DISPLAY_TZ) if value.tzinfo else value
        return local if with_time else local.date()
    return value if isinstance(value, date) else None


def vn_date(value: Any) -> str:
    """dd/mm/yyyy in Asia/Ho_Chi_Minh (naive datetimes are taken as local time)."""
    parsed = _to_date(value)
    return parsed.strftime("%d/%m/%Y") if parsed else str(value)


def vn_datetime(value: Any) -> str:
    parsed = _to_date(value, with_time=True)
    if isinstance(parsed, datetime):
        return parsed.strftime("%H:%M ngày %d/%m/%Y")
    return vn_date(value)


def file_size(value: Any) -> str:
    if not isinstance(value, int):
        return str(value)
    return f"{value / 1024:.1f} KB".replace(".", ",") if value >= 1024 else f"{value} byte"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _finalize(value: Any) -> Any:
    return MISSING if _blank(value) else value


def build_environment(template_dir: Path | None = None) -> Environment:
    """Templates in `template_dir` (the override setting) win over the shipped defaults."""
    dirs = [template_dir, DEFAULT_TEMPLATE_DIR] if template_dir else [DEFAULT_TEMPLATE_DIR]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
        finalize=_finalize, keep_trailing_newline=False,
    )
    env.filters.update(
        vn_date=vn_date, vn_datetime=vn_datetime, file_size=file_size,
        case_type_label=lambda v: CASE_TYPE_LABELS.get(str(v), str(v)),
        step_label=lambda v: STEP_LABELS.get(str(v), str(v)),
    )
    env.tests["known"] = lambda v: not _blank(v) and v != MISSING
    return env


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _set_default(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    if _blank(data.get(last)):
        data[last] = value


def _missing(data: dict, required: tuple[str, ...]) -> list[str]:
    return [p for p in required if _blank(_get(data, p)) or _get(data, p) in ([], {})]


def _blank_to_missing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _blank_to_missing(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_to_missing(v) for v in value]
    return MISSING if _blank(value) else value


@dataclass(frozen=True)
class RenderedMessage:
    kind: str
    audience: str
    subject: str
    body_text: str


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


class TemplateRenderer:
    def __init__(self, template_dir: Path | None = None, defaults: Mapping | None = None) -> None:
        self._env = build_environment(template_dir)
        self._defaults = {**DEFAULTS, **(defaults or {})}

    def kinds(self) -> list[str]:
        return sorted(SPECS)

    def prepare(self, kind: str, context: Mapping[str, Any]) -> dict[str, Any]:
        """Validated, filled and (for non-sender audiences) redacted context."""
        spec = SPECS[kind]
        data = _plain({**self._defaults, **context})
        if spec.audience != "sender" and isinstance(data.get("case"), dict):
            data["case"] = unit_view(data["case"])
        missing = _missing(data, spec.required) + self._prepare_lists(spec, data)
        if missing:
            raise TemplateDataError(kind, missing)
        for path in spec.optional:
            _set_default(data, path, MISSING)
        return _blank_to_missing(data)

    @staticmethod
    def _prepare_lists(spec: TemplateSpec, data: dict[str, Any]) -> list[str]:
        """Redact and fill each listed item in place; return the missing required paths."""
        missing: list[str] = []
        for key, item_required, item_optional in spec.lists:
            items = [it if isinstance(it, dict) else {} for it in data.get(key) or []]
            if spec.audience != "sender":
                items = [unit_view(item) for item in items]
            for i, item in enumerate(items):
                missing += [f"{key}[{i}].{p}" for p in _missing(item, item_required)]
                for path in item_optional:
                    _set_default(item, path, MISSING)
            data[key] = items
        return missing

    def render(self, kind: str, context: Mapping[str, Any]) -> RenderedMessage:
        data = self.prepare(kind, context)
        template = self._env.get_template(f"{kind}.j2")
        ctx = template.new_context(data)
        subject = " ".join("".join(template.blocks["subject"](ctx)).split())
        body = _tidy("".join(template.blocks["body"](template.new_context(data))))
        return RenderedMessage(kind, SPECS[kind].audience, subject, body)
