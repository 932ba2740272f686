"""Runs the four services as real OS processes against a given broker and data folder."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.settings import SERVICES


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now, below the kernel's ephemeral range (32768-60999 by default): a port the
    kernel picked for us could be taken, before the service binds it, by one of the many
    outgoing connections the services open; a port out of that range cannot be."""
    while True:
        port = random.randrange(20000, 32000)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port


def instance_name(service: str, replica: int) -> str:
    """"routing" for the first replica (so a single-replica system reads as before),
    "routing-2", "routing-3", ... for the others."""
    return service if replica == 1 else f"{service}-{replica}"


def service_of(instance: str) -> str:
    return instance.split("-", 1)[0]


@dataclass
class SystemUnderTest:
    """The services as processes: `replicas` runs N of a service (competing consumers on its
    queues, sharing its database); `database_urls` points services at PostgreSQL."""

    amqp_url: str
    data_dir: Path
    database_urls: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: dict[str, int] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)  # by instance
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)  # by instance

    def instances(self, services: Iterable[str] = SERVICES) -> list[str]:
        return [instance_name(s, n) for s in services
                for n in range(1, self.replicas.get(s, 1) + 1)]

    def env(self, instance: str | None = None) -> dict[str, str]:
        env = {**os.environ, "DVK_AMQP_URL": self.amqp_url, "DVK_DATA_DIR": str(self.data_dir),
               "DVK_LOG_LEVEL": "INFO", **self.extra_env}
        for name in self.instances():
            self.ports.setdefault(name, free_port())
        for name in SERVICES:
            env[f"DVK_{name.upper()}_HTTP_PORT"] = str(self.ports[name])
            env[f"DVK_{name.upper()}_DATABASE_URL"] = self.database_urls.get(
                name, f"sqlite+aiosqlite:///{self.data_dir / (name + '.db')}")
        if instance is not None:
            env[f"DVK_{service_of(instance).upper()}_HTTP_PORT"] = str(self.ports[instance])
        return env

    def migrate(self) -> None:
        subprocess.run([sys.executable, "-m", "shared.cli", "migrate"], env=self.env(),
                       check=True, capture_output=True, timeout=180)

    def start(self, names: Iterable[str] | None = None) -> None:
        """Starts the named instances ("routing", "routing-2"), or every instance."""
        names = list(names) if names is not None else self.instances()
        for name in names:
            log = open(self.data_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the process
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "run", service_of(name)],
                env=self.env(name), stdout=log, stderr=subprocess.STDOUT)
        try:
            for name in names:
                self.wait_ready(name)
        except BaseException:  # those started would outlive the caller, which has no handle
            self.stop()
            raise

    def wait_ready(self, name: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.ports[name]}/readyz"
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log(name)[-2000:]}")
            try:
                answer = httpx.get(url, timeout=1)
                if answer.status_code == 200 and answer.json().get("service") == service_of(name):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{name} not ready after {timeout}s: {self.log(name)[-2000:]}")

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=10)

    def peak_rss_mb(self, name: str) -> float | None:
        """The instance's peak resident memory so far (VmHWM), while it runs."""
        try:
            status = Path(f"/proc/{self.procs[name].pid}/status").read_text()
        except (OSError, KeyError):
            return None
        kb = next((line.split()[1] for line in status.splitlines()
                   if line.startswith("VmHWM:")), None)
        return int(kb) / 1024 if kb else None

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                proc.kill()

    def get(self, name: str, path: str) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.ports[name]}{path}", timeout=10)

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def wait_until(probe: Callable[[], Any], timeout: float, what: str, *, interval: float = 0.5,
               tolerate: tuple[type[BaseException], ...] = ()) -> Any:
    """Polls `probe` until it returns something truthy, and returns that; `tolerate` names the
    errors of a system still starting (a table not migrated yet, a port not open)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if found := probe():
                return found
        except tolerate:
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
