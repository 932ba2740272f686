"""Task progress in bulk (`dvk import FILE`): CSV or JSON rows, each checked on its own; a bad
row never stops the others. Columns: task_id, unit_code, period, percent_done, status,
done_text, evidence (links separated by ";" or spaces), reported_at, and optionally external_id
and source_system."""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from shared.contracts.plan import ReportTaskProgress
from shared.validation import field_errors

COLUMNS = ("task_id", "unit_code", "period", "percent_done", "status", "done_text", "evidence",
           "reported_at", "external_id", "source_system")


@dataclass
class RowOutcome:
    row: int
    status: str  # accepted | duplicate | rejected | pending | unanswered
    errors: list[dict[str, str]] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        document = json.loads(text)
        rows = document.get("rows", []) if isinstance(document, dict) else document
        return [r if isinstance(r, dict) else {"_invalid": r} for r in rows]
    return list(csv.DictReader(text.splitlines()))


def to_payload(row: dict[str, Any], number: int, *, source: str,
               default_source: str) -> dict[str, Any] | list[dict[str, str]]:
    """The row as a task.progress.v1 payload, or its errors naming the column."""
    if "_invalid" in row:
        return [{"field": "row", "reason": "dòng không phải một đối tượng — not an object"}]
    payload = {k: _clean(k, v) for k, v in row.items() if k in COLUMNS and v not in (None, "")}
    payload.setdefault("source_system", default_source)
    payload.setdefault("external_id", f"{source}#{number}")
    try:
        ReportTaskProgress.model_validate(payload)
    except ValidationError as exc:
        return field_errors(exc, whole="row")
    return payload


def _clean(column: str, value: Any) -> Any:
    if column == "evidence" and isinstance(value, str):
        return [v for v in value.replace(";", " ").split() if v]
    if column == "percent_done" and isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value.strip() if isinstance(value, str) else value


def message_id_for(payload: dict[str, Any]) -> str:
    """Stable per (source_system, external_id): importing the same file twice is harmless."""
    key = f"{payload['source_system']}\x1f{payload['external_id']}"
    return str(uuid.UUID(hashlib.sha256(key.encode()).hexdigest()[:32]))
