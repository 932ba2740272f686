"""SIGTERM always ends a service: a stop that hangs is cut short by the deadline, and a second
signal ends it at once. Real processes, since what is tested is how the process ends."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.runtime import EXIT_STUCK

SERVICE = '''
import asyncio, sys, time
from fastapi import FastAPI
import shared.runtime as runtime

async def no_broker_needed(url, declare=True):
    if sys.argv[1] == "no-broker":  # RabbitMQ down: wait_and_declare waits for ever
        print("waiting for the broker", flush=True)
        await asyncio.Event().wait()

runtime.wait_and_declare = no_broker_needed

class Subscriber:
    async def stop(self):
        if sys.argv[1] == "stuck":  # e.g. a broker that no longer answers
            await asyncio.Event().wait()

class Broker:
    subscribers = [Subscriber()]
    async def start(self):
        print("consuming", flush=True)
    async def stop(self):
        pass

class Relay:
    def __init__(self):
        self.stopped = asyncio.Event()
    async def run(self):
        await self.stopped.wait()
    def stop(self):
        self.stopped.set()
    async def relay_once(self):
        pass

class Engine:
    async def dispose(self):
        pass

deadline = None if sys.argv[2] == "none" else float(sys.argv[2])
parts = runtime.ServiceParts(name="probe", amqp_url="amqp://unused", broker=Broker(),
                             engine=Engine(), relay=Relay(), http=FastAPI(),
                             http_host="127.0.0.1", http_port=0, declare_topology=False)
asyncio.run(runtime.serve(parts, shutdown_deadline_s=deadline))
time.sleep((deadline or 0) + 0.5)  # a watchdog left armed would fire now
print("stopped cleanly", flush=True)
'''


def _start(tmp_path: Path, behaviour: str, deadline: str) -> subprocess.Popen:
    script = tmp_path / "probe_service.py"
    script.write_text(SERVICE, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), behaviour, deadline],
                               cwd=Path(__file__).resolve().parents[3], text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    for line in process.stdout:
        if "consuming" in line or "waiting for the broker" in line:
            time.sleep(0.3)  # the signal handlers are in place before the broker starts
            return process
    raise AssertionError(f"the probe service did not start (exit {process.wait()})")


def _ended(process: subprocess.Popen, within_s: float) -> tuple[int, str]:
    try:
        output, _ = process.communicate(timeout=within_s)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running {within_s} s after SIGTERM")
    return process.returncode, output


def test_a_stop_that_hangs_ends_at_the_deadline(tmp_path: Path):
    process = _start(tmp_path, "stuck", "1.0")
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code, output = _ended(process, within_s=20)
    assert code == EXIT_STUCK and "not stopped within 1.0 s" in output
    assert "stopped cleanly" not in output and time.monotonic() - began >= 1.0


def test_a_second_signal_ends_a_hanging_stop_at_once(tmp_path: Path):
    process = _start(tmp_path, "stuck", "none")
    process.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    assert process.poll() is None  # no deadline: the first signal alone waits
    process.send_signal(signal.SIGTERM)
    code, output = _ended(process, within_s=10)
    assert code == EXIT_STUCK and "second stop signal" in output


def test_a_clean_stop_is_not_cut_short(tmp_path: Path):
    process = _start(tmp_path, "clean", "2.0")
    process.send_signal(signal.SIGTERM)
    code, output = _ended(process, within_s=20)
    assert code == 0 and "stopped cleanly" in output and "without a clean stop" not in output


def test_a_service_still_waiting_for_the_broker_stops_at_once(tmp_path: Path):
    process = _start(tmp_path, "no-broker", "none")
    process.send_signal(signal.SIGTERM)
    code, output = _ended(process, within_s=10)
    assert code == 0 and "stopped before it started consuming" in output
