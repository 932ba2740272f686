"""`dvk import FILE`: checks each row, sends the good ones to dvk.ingress, reports every row."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from services.intake.bulk import RowOutcome, message_id_for, read_rows, to_payload
from shared.client import publish_many_and_wait

LABELS = {"accepted": "đã nhận", "duplicate": "đã có từ trước", "rejected": "lỗi",
          "pending": "chờ", "unanswered": "chưa có trả lời"}


async def run_import(path: Path, *, source_system: str, timeout: float,
                     amqp_url: str | None = None) -> int:
    rows = read_rows(path)
    outcomes: dict[int, RowOutcome] = {}
    items = []
    for number, row in enumerate(rows, start=1):
        payload = to_payload(row, number, source=path.name, default_source=source_system)
        if isinstance(payload, list):
            outcomes[number] = RowOutcome(number, "rejected", payload)
            continue
        items.append((str(number), json.dumps(payload, ensure_ascii=False).encode(),
                      message_id_for(payload)))
    with typer.progressbar(length=len(items), label="Đang gửi", file=None) as bar:
        replies = await publish_many_and_wait(items, routing_key="task.progress.v1",
                                              timeout=timeout, on_reply=lambda: bar.update(1),
                                              amqp_url=amqp_url)
    for corr, _, _ in items:
        reply = replies.get(corr)
        outcomes[int(corr)] = (RowOutcome(int(corr), reply["status"], reply.get("errors", []))
                               if reply else RowOutcome(int(corr), "unanswered"))
    return _report(outcomes, total=len(rows))


def _report(outcomes: dict[int, RowOutcome], *, total: int) -> int:
    bad = [o for _, o in sorted(outcomes.items()) if o.status in {"rejected", "unanswered"}]
    for outcome in bad:
        reasons = "; ".join(f"{e['field']}: {e['reason']}" for e in outcome.errors) \
            or LABELS[outcome.status]
        typer.echo(f"Dòng {outcome.row}: {reasons}", err=True)
    counts = {label: sum(o.status == status for o in outcomes.values())
              for status, label in LABELS.items()}
    summary = ", ".join(f"{label}: {n}" for label, n in counts.items() if n)
    typer.echo(f"Tổng {total} dòng — {summary}")
    return 1 if bad else 0
