"""`dvk up`: each service its own OS process, in the foreground; Ctrl-C stops all cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from shared.settings import SERVICES

STOP_GRACE_SECONDS = 40


def start_service(name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "shared.cli", "run", name])


def supervise(services: tuple[str, ...] = SERVICES, *, restart: bool = False) -> int:
    """Runs until Ctrl-C/SIGTERM; reports (and with restart=True restarts) a crashed service."""
    procs = {name: start_service(name) for name in services}
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    exit_code = 0
    while not stopping:
        time.sleep(0.5)
        for name, proc in list(procs.items()):
            if (code := proc.poll()) is not None:
                print(f"dvk: dịch vụ {name} đã dừng bất thường (mã thoát {code})",
                      file=sys.stderr, flush=True)
                exit_code = 1
                if restart:
                    procs[name] = start_service(name)
                else:
                    del procs[name]
        if not procs:
            break
    _stop_all(procs)
    return exit_code


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
