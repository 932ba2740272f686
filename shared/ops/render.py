"""How `dvk ops` shows dead letters and rejected messages: Vietnamese labels, local times."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .deadletters import DeadLetter, Group
from .redaction import parse_json, redact_document

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SHOWN_PER_GROUP = 20


def local_time(at: datetime | None) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S") if at else "-"


def groups_text(groups: list[Group]) -> str:
    if not groups:
        return "Không có thư chết."
    lines: list[str] = []
    for queue in dict.fromkeys(g.queue for g in groups):
        of_queue = [g for g in groups if g.queue == queue]
        lines.append(f"{queue}.dlq — {sum(g.count for g in of_queue)} thư chết")
        for g in of_queue:
            lines.append(f"  nhóm {g.id}: {g.count} × [{g.error_type}] {g.reason}")
            lines += [f"    {_letter_line(letter)}" for letter in g.letters[:SHOWN_PER_GROUP]]
            if g.count > SHOWN_PER_GROUP:
                lines.append(f"    … và {g.count - SHOWN_PER_GROUP} thư nữa")
    return "\n".join(lines)


def _letter_line(letter: DeadLetter) -> str:
    attempts = f"lần thử {letter.attempts}" if letter.attempts else ""
    return (f"{letter.id}  {letter.message_type or '-'}  {local_time(letter.failed_at)}  "
            f"{attempts}  message_id={letter.message_id or '-'}")


def groups_json(groups: list[Group]) -> list[dict[str, Any]]:
    return [{"group": g.id, "queue": g.queue, "reason": g.reason, "error_type": g.error_type,
             "count": g.count, "letters": [letter_summary(x) for x in g.letters]}
            for g in groups]


def letter_summary(letter: DeadLetter) -> dict[str, Any]:
    return {"id": letter.id, "group": letter.group_id, "queue": letter.queue,
            "message_id": letter.message_id, "message_type": letter.message_type,
            "reason": letter.reason, "error_type": letter.error_type,
            "attempts": letter.attempts,
            "failed_at": letter.failed_at.isoformat() if letter.failed_at else None,
            "original_exchange": letter.original_exchange,
            "original_routing_key": letter.original_routing_key}


def shown_body(letter: DeadLetter, *, raw: bool = False) -> Any:
    """The body as an operator may see it: JSON with a denouncer's identity masked."""
    document = parse_json(letter.body)
    if document is not None:
        return redact_document(document)
    if raw:
        return letter.body.decode("utf-8", errors="replace")
    return f"(không phải JSON, {len(letter.body)} byte; --raw để xem)"


def letter_detail(letter: DeadLetter, *, raw: bool = False) -> dict[str, Any]:
    headers = {k: _plain(v) for k, v in letter.headers.items()}
    return {**letter_summary(letter), "headers": headers,
            "properties": {k: _plain(v) for k, v in letter.properties.items() if v is not None},
            "body": shown_body(letter, raw=raw)}


def detail_text(detail: dict[str, Any]) -> str:
    labels = {"queue": "hàng đợi", "group": "nhóm", "reason": "lý do",
              "error_type": "loại lỗi", "attempts": "số lần thử", "message_id": "message_id",
              "message_type": "loại thông điệp", "original_exchange": "exchange gốc",
              "original_routing_key": "routing key gốc"}
    lines = [f"Thư chết {detail['id']}"]
    lines += [f"  {label}: {detail.get(key)}" for key, label in labels.items()]
    failed_at = detail.get("failed_at")
    lines.append(f"  thời điểm lỗi: "
                 f"{local_time(datetime.fromisoformat(failed_at)) if failed_at else '-'}")
    lines.append("Headers:")
    lines += [f"  {k}: {v}" for k, v in detail["headers"].items()]
    lines.append("Nội dung (thông tin người tố cáo đã ẩn):")
    lines.append(json.dumps(detail["body"], ensure_ascii=False, indent=2)
                 if not isinstance(detail["body"], str) else detail["body"])
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "value"):  # enums (delivery mode)
        return value.value
    return value


_REJECTED_STATES = {"pending": "đang chờ xử lý", "replayed": "đã gửi lại",
                    "discarded": "đã hủy", "superseded": "đã có bản gửi lại hợp lệ"}


def rejected_text(items: list[dict[str, Any]], *, status: str = "pending") -> str:
    if not items:
        state = _REJECTED_STATES.get(status, f"ở trạng thái {status}")
        return f"Không có thông điệp bị từ chối {state}."
    by_reason: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_reason.setdefault(str(item.get("reason")), []).append(item)
    lines = []
    for reason, group in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"{len(group)} × {reason}")
        for item in group:
            fields = ", ".join(e.get("field", "?") for e in item.get("errors") or [])
            received = item.get("received_at")
            when = local_time(datetime.fromisoformat(received)) if received else "-"
            lines.append(f"  {item['id']}  {when}  {item.get('way_in', '')}  {fields}")
            if item.get("status") != "pending" and item.get("resolution_note"):
                lines.append(f"    → {item['resolution_note']}")
    return "\n".join(lines)
