"""The operators' audit log: one JSON line per replay, discard or reveal, appended, never
rewritten.

Kept in a file (DVK_OPS_AUDIT_LOG, default <DVK_DATA_DIR>/ops-audit.jsonl) rather than in a
service's database, because the dead letters belong to no single service and the log must be
written even when the services are down. It holds ids, types, queues and reasons, never a body.
"""

from __future__ import annotations

import getpass
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.contracts.base import utc_now


def current_operator() -> str:
    return os.environ.get("DVK_OPS_OPERATOR") or getpass.getuser()


@dataclass(frozen=True)
class AuditLog:
    path: Path

    def record(self, action: str, *, at: datetime | None = None, **fields: Any) -> None:
        entry = {"at": (at or utc_now()).isoformat(), "operator": current_operator(),
                 "action": action, **fields}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
