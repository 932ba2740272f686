"""Where the time goes, measured in the same run as the throughput: CPU seconds of each
process (from /proc), and what the broker carried (from its management API), per message of
the baseline and per case of the system. On a CPU-bound machine the ratio of CPU per case to
CPU per baseline message is the ratio of the throughputs."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.ops.management import ManagementClient, ManagementError

MANAGEMENT_URL = "http://127.0.0.1:15672"
_TICKS = os.sysconf("SC_CLK_TCK")
Pids = Callable[[], list[int]]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far; 0 once it has exited."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def named(process_name: str) -> Pids:
    """Every process of that exact name, found again at each reading (PostgreSQL starts a
    backend per connection)."""
    def find() -> list[int]:
        out = subprocess.run(["pgrep", "-x", process_name], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]
    return find


def fixed(*pids: int) -> Pids:
    return lambda: list(pids)


def server_groups() -> dict[str, Pids]:
    return {"rabbitmq": named("beam.smp"), "postgresql": named("postgres")}


@dataclass
class CpuMeter:
    """CPU seconds per group of processes between start() and stop(). A process that exits
    in between (a PostgreSQL backend closed) takes its CPU with it: a slight undercount."""

    groups: dict[str, Pids]
    _start: dict[int, float] = field(default_factory=dict)
    _pids: dict[str, list[int]] = field(default_factory=dict)

    def start(self) -> CpuMeter:
        self._pids = {name: find() for name, find in self.groups.items()}
        self._start = {pid: cpu_seconds(pid) for pids in self._pids.values() for pid in pids}
        return self

    def stop(self) -> dict[str, float]:
        used = {}
        for name, find in self.groups.items():
            pids = set(find()) | set(self._pids.get(name, []))
            used[name] = sum(max(0.0, cpu_seconds(pid) - self._start.get(pid, 0.0))
                             for pid in pids)
        return used


def per_item_ms(used: dict[str, float], items: int) -> dict[str, float]:
    per = {name: round(seconds * 1000 / items, 2) for name, seconds in used.items()}
    per["total"] = round(sum(used.values()) * 1000 / items, 2)
    return per


def broker_totals(vhost: str, user: str = "guest", password: str = "guest") -> dict[str, int]:
    """Messages published and delivered in the virtual host so far; empty without the
    management API. Its figures lag by the statistics interval (5 s by default)."""
    try:
        with ManagementClient(MANAGEMENT_URL, user, password) as api:
            return api.message_totals(vhost)
    except ManagementError:
        return {}


def settled_broker_totals(vhost: str, *, wait: float = 12.0) -> dict[str, int]:
    """Read until two readings a statistics interval apart agree (or `wait` runs out)."""
    last = broker_totals(vhost)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(5.5)
        now = broker_totals(vhost)
        if now == last:
            break
        last = now
    return last
