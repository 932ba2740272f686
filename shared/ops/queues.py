"""`dvk ops queues`: the system's queues at a glance, and the problems a probe alerts on."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from shared.messaging.topology import QUEUES

from .management import QueueStats


@dataclass(frozen=True)
class QueueRow:
    name: str
    service: str
    present: bool
    messages: int = 0
    ready: int = 0
    unacked: int = 0
    consumers: int = 0
    publish_rate: float = 0.0
    deliver_rate: float = 0.0
    dead_letters: int = 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def queue_rows(stats: dict[str, QueueStats]) -> list[QueueRow]:
    """One row per work queue of the topology, with the depth of its dead-letter queue."""
    rows = []
    for spec in QUEUES:
        found, dlq = stats.get(spec.name), stats.get(spec.dead_letter_queue)
        dead = dlq.messages if dlq else 0
        if found is None:
            rows.append(QueueRow(spec.name, spec.service, False, dead_letters=dead))
            continue
        rows.append(QueueRow(spec.name, spec.service, True, found.messages, found.ready,
                             found.unacked, found.consumers, found.publish_rate,
                             found.deliver_rate, dead))
    return rows


def problems(rows: list[QueueRow], stats: dict[str, QueueStats]) -> list[str]:
    """What a monitoring probe fails on: a missing queue, a queue nobody consumes, dead letters."""
    found = []
    for row in rows:
        if not row.present:
            found.append(f"hàng đợi {row.name} không tồn tại")
        elif row.consumers == 0:
            found.append(f"hàng đợi {row.name} không có consumer ({row.service} không chạy?)")
        dlq = f"{row.name}.dlq"
        if dlq not in stats:
            found.append(f"hàng đợi thư chết {dlq} không tồn tại")
        elif row.dead_letters:
            found.append(f"{dlq} có {row.dead_letters} thư chết: dvk ops dlq list "
                         f"--queue {row.name}")
    return found


HEADERS = ("hàng đợi", "dịch vụ", "tổng", "sẵn sàng", "chưa ack", "consumer", "vào/s", "ra/s",
           "thư chết")


def render(rows: list[QueueRow], found: list[str]) -> str:
    table = [HEADERS] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(line, widths, strict=True)))
             for line in table]
    lines.append("")
    lines += [f"! {p}" for p in found] or ["Tất cả hàng đợi có consumer, không có thư chết."]
    return "\n".join(lines)


def _cells(row: QueueRow) -> tuple[str, ...]:
    if not row.present:
        return (row.name, row.service, "-", "-", "-", "-", "-", "-", str(row.dead_letters))
    return (row.name, row.service, str(row.messages), str(row.ready), str(row.unacked),
            str(row.consumers), f"{row.publish_rate:.1f}", f"{row.deliver_rate:.1f}",
            str(row.dead_letters))
