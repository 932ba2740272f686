"""Runs services inside the test's event loop, against real RabbitMQ and databases."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from shared.migrations import upgrade
from shared.runtime import ServiceParts, serve
from shared.settings import CommonSettings, ServiceSettings
from shared.testing.system import free_port


def service_settings(name: str, *, amqp_url: str, data_dir: Path,
                     database_url: str | None = None, catalogue_dir: Path | None = None
                     ) -> tuple[CommonSettings, ServiceSettings]:
    common = CommonSettings(amqp_url=amqp_url, data_dir=data_dir, catalogue_dir=catalogue_dir)
    own = ServiceSettings(database_url=database_url
                          or f"sqlite+aiosqlite:///{data_dir / (name + '.db')}",
                          http_port=free_port(), amqp_url=amqp_url)
    return common, own


@asynccontextmanager
async def running(names: tuple[str, ...], *, amqp_url: str, data_dir: Path,
                  database_urls: dict[str, str] | None = None, catalogue_dir: Path | None = None
                  ) -> AsyncIterator[dict[str, ServiceParts]]:
    """Migrates and starts the named services; yields their parts; stops them on exit."""
    parts: dict[str, ServiceParts] = {}
    for name in names:
        common, own = service_settings(name, amqp_url=amqp_url, data_dir=data_dir,
                                       database_url=(database_urls or {}).get(name),
                                       catalogue_dir=catalogue_dir)
        await asyncio.to_thread(upgrade, name, own.database_url)
        parts[name] = importlib.import_module(f"services.{name}.app").build(common, own)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(serve(p, stop)) for p in parts.values()]
    try:
        for p in parts.values():
            await wait_ready(p)
        yield parts
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def wait_ready(parts: ServiceParts, timeout: float = 30.0) -> None:
    url = f"http://{parts.http_host}:{parts.http_port}/readyz"
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(int(timeout / 0.1)):
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{parts.name} not ready")


async def eventually(check, *, timeout: float = 30.0, interval: float = 0.1):
    """Polls an async check until it returns a truthy value; returns it, or raises."""
    last = None
    for _ in range(int(timeout / interval)):
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")
