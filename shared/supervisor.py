"""`dvk up`: each service its own OS process, in the foreground; Ctrl-C stops all cleanly.

A service that dies is reported and started again, as a process manager would (systemd
`Restart=on-failure`, compose `restart: unless-stopped`): what it had not acknowledged waits in
its queues, and its outbox holds what it had not yet published. One that keeps dying soon after
its start is started again after a growing pause (1 s, doubling, at most 30 s), so a broken
configuration does not spin the machine.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from shared.settings import SERVICES

STOP_GRACE_SECONDS = 40
FIRST_PAUSE_SECONDS = 1.0
MAX_PAUSE_SECONDS = 30.0
# A service that ran this long before dying is started again at once, its pause reset.
STABLE_AFTER_SECONDS = 60.0


def start_service(name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "shared.cli", "run", name])


@dataclass
class _Slot:
    proc: subprocess.Popen | None
    started_at: float
    pause: float = 0.0
    restart_at: float | None = None


@dataclass
class Supervisor:
    """Keeps the services running; `tick(now)` is one look at them (pure of sleeping)."""

    start: Callable[[str], subprocess.Popen]
    restart: bool = True
    report: Callable[[str], None] = field(
        default=lambda line: print(line, file=sys.stderr, flush=True))
    slots: dict[str, _Slot] = field(default_factory=dict)
    crashed: bool = False

    def launch(self, names: tuple[str, ...], now: float) -> None:
        for name in names:
            self.slots[name] = _Slot(self.start(name), started_at=now)

    def tick(self, now: float) -> None:
        for name, slot in list(self.slots.items()):
            if slot.proc is None:
                if slot.restart_at is not None and now >= slot.restart_at:
                    slot.proc, slot.started_at, slot.restart_at = self.start(name), now, None
                continue
            if (code := slot.proc.poll()) is not None:
                self._died(name, slot, code, now)

    def _died(self, name: str, slot: _Slot, code: int, now: float) -> None:
        self.crashed = True
        if not self.restart:
            self.report(f"dvk: dịch vụ {name} đã dừng bất thường (mã thoát {code})")
            del self.slots[name]
            return
        quick = now - slot.started_at < STABLE_AFTER_SECONDS
        slot.pause = min(max(slot.pause * 2, FIRST_PAUSE_SECONDS), MAX_PAUSE_SECONDS) \
            if quick else 0.0
        slot.proc, slot.restart_at = None, now + slot.pause
        self.report(f"dvk: dịch vụ {name} đã dừng bất thường (mã thoát {code}); "
                    f"khởi động lại sau {slot.pause:g} giây")

    @property
    def running(self) -> dict[str, subprocess.Popen]:
        return {name: slot.proc for name, slot in self.slots.items() if slot.proc is not None}


def supervise(services: tuple[str, ...] = SERVICES, *, restart: bool = True) -> int:
    """Runs until Ctrl-C/SIGTERM; 1 if a service died on the way, else 0."""
    supervisor = Supervisor(start=start_service, restart=restart)
    supervisor.launch(services, time.monotonic())
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stopping and supervisor.slots:
        time.sleep(0.5)
        supervisor.tick(time.monotonic())
    _stop_all(supervisor.running)
    return 1 if supervisor.crashed else 0


def _stop_all(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"dvk: {name} không dừng kịp, buộc dừng", file=sys.stderr)
            proc.kill()
