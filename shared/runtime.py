"""Runs one service: declare topology, start broker, outbox relay and HTTP; stop gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import uvicorn
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.http import base_http_app
from shared.logging import get_logger
from shared.messaging.broker import (
    make_broker,
    nack_on_error,
    outbox_publisher,
    use_declared_queues,
)
from shared.messaging.declare import wait_and_declare
from shared.messaging.relay import OutboxRelay
from shared.metrics import DOMAIN_REGISTRY

log = get_logger()

EXIT_STUCK = 70  # EX_SOFTWARE: stopped by the shutdown deadline, not cleanly


@dataclass
class ServiceParts:
    """What a service's bootstrap builds; the runtime only starts and stops it."""

    name: str
    amqp_url: str
    broker: RabbitBroker
    engine: AsyncEngine
    relay: OutboxRelay
    http: FastAPI
    http_host: str
    http_port: int
    declare_topology: bool = True
    background: list[Any] = field(default_factory=list)  # objects with async run() and stop()


async def database_ready(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def broker_ready(broker: RabbitBroker) -> None:
    if not await broker.ping(timeout=2.0):
        raise ConnectionError("broker unreachable")


async def serve(parts: ServiceParts, stop: asyncio.Event | None = None, *,
                shutdown_deadline_s: float | None = None) -> None:
    """Runs until `stop` is set, or SIGINT/SIGTERM when no event is given. With a deadline, a
    stop that takes longer (a broker that no longer answers, a handler stuck) ends the process
    anyway, as does a second signal: a supervisor's SIGTERM always ends it."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, partial(_on_signal, stop))
    if not await _started_unless_stopped(parts, stop):
        return
    http = _HttpServer(uvicorn.Config(parts.http, host=parts.http_host, port=parts.http_port,
                                      log_config=None, access_log=False, lifespan="off"))
    workers = [parts.relay, *parts.background]
    tasks = [asyncio.create_task(_keep_running(w, stop)) for w in workers]
    tasks.append(asyncio.create_task(http.serve()))
    log.info("service started", http_port=parts.http_port)
    await _wait_for_stop_or_crash(stop, tasks)
    watchdog = _exit_unless_stopped_within(shutdown_deadline_s)
    await _shutdown(parts, workers, http, tasks)
    if watchdog is not None:
        watchdog.cancel()


async def _started_unless_stopped(parts: ServiceParts, stop: asyncio.Event) -> bool:
    """Waits for RabbitMQ, declares, starts consuming; False when told to stop first (a
    service waiting for a broker that is down must still answer SIGTERM)."""
    starting = asyncio.create_task(_start(parts))
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if starting.done():
        starting.result()  # a failed start raises here
        return True
    starting.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await starting
    with contextlib.suppress(Exception):
        await parts.broker.stop()
    await parts.engine.dispose()
    log.info("service stopped before it started consuming")
    return False


async def _start(parts: ServiceParts) -> None:
    await wait_and_declare(parts.amqp_url, declare=parts.declare_topology)
    freeze_startup_heap()
    await parts.broker.start()


class _HttpServer(uvicorn.Server):
    """Signals are the service's to handle (they set `stop`), not the HTTP server's: uvicorn's
    own handlers would see the same SIGTERM too, and raise it again once it has stopped."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


def _on_signal(stop: asyncio.Event) -> None:
    if stop.is_set():
        _exit_now("second stop signal")
    stop.set()


def _exit_unless_stopped_within(deadline_s: float | None) -> threading.Timer | None:
    """A thread, not a loop callback: it must fire even when the event loop itself is stuck."""
    if deadline_s is None:
        return None
    timer = threading.Timer(deadline_s, _exit_now, args=(f"not stopped within {deadline_s} s",))
    timer.daemon = True
    timer.start()
    return timer


def _exit_now(reason: str) -> None:
    """Ends the process at once, as a crash would: deliveries not acknowledged return to their
    queues and committed outbox rows are published at the next start, so nothing is lost."""
    log.error("service exiting without a clean stop", reason=reason)
    os._exit(EXIT_STUCK)


def freeze_startup_heap() -> None:
    """Puts what start-up built (modules, schemas, catalogues, wiring: most of the heap) out
    of the garbage collector's reach. Otherwise every full collection walks all of it again:
    a pause of 200-300 ms that each message in flight waits through (the p99 latency)."""
    gc.collect()
    gc.freeze()


async def _keep_running(worker: Any, stop: asyncio.Event, first_delay: float = 1.0) -> None:
    """A background component (relay, dispatcher, scheduler) that fails — the database down, say —
    is started again after a pause instead of taking the whole service down with it."""
    delay = first_delay
    while not stop.is_set():
        try:
            await worker.run()
            return
        except Exception as exc:
            log.error("background component failed; restarting it",
                      component=type(worker).__name__, error=repr(exc)[:300], retry_in_s=delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, 30.0)


async def _wait_for_stop_or_crash(stop: asyncio.Event, tasks: list[asyncio.Task]) -> None:
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is not stopper and task.exception() is not None:
            log.error("service component crashed", error=repr(task.exception()))
    stopper.cancel()


async def _shutdown(parts: ServiceParts, workers: list[Any], http: uvicorn.Server,
                    tasks: list[asyncio.Task]) -> None:
    log.info("service stopping")
    for subscriber in parts.broker.subscribers:
        await subscriber.stop()  # no new deliveries; the unacked go back to the queue
    for worker in workers:
        worker.stop()
    http.should_exit = True
    await asyncio.wait(tasks, timeout=10)
    try:
        await parts.relay.relay_once()  # last flush; what is left waits for the next start
    except Exception as exc:
        log.warning("final outbox flush failed; rows stay for the next start", error=repr(exc))
    await parts.broker.stop()
    await parts.engine.dispose()
    log.info("service stopped")


def assemble(*, name: str, common: Any, own: Any, engine: AsyncEngine, sessions: Any,
             outbox: Any, routers: list[Any], http_routers: list[Any] | None = None,
             registry: Any = None) -> ServiceParts:
    """Builds the broker, relay and HTTP app around a service's routers (explicit wiring)."""
    registry = registry or CollectorRegistry()
    broker = make_broker(own.amqp_url, prefetch=common.prefetch, middlewares=(
        RabbitPrometheusMiddleware(registry=registry, app_name=name),))
    for router in routers:
        broker.include_router(router)
    nack_on_error(broker)
    if not common.declare_topology:
        use_declared_queues(broker)
    relay = OutboxRelay(engine=engine, sessions=sessions, outbox=outbox,
                        publish=outbox_publisher(broker))
    http = base_http_app(name, registries=(registry, DOMAIN_REGISTRY), checks={
        "database": partial(database_ready, engine), "broker": partial(broker_ready, broker)})
    for router in http_routers or []:
        http.include_router(router)
    return ServiceParts(name=name, amqp_url=own.amqp_url, broker=broker, engine=engine,
                        relay=relay, http=http, http_host=common.http_host,
                        http_port=own.http_port, declare_topology=common.declare_topology)


def run(name: str, build: Any) -> None:
    """Entry point of `dvk run SERVICE`: settings, logs, then serve until a signal."""
    from shared.logging import configure_logging
    from shared.settings import load_settings

    common, own = load_settings(name)
    configure_logging(name, common.log_level)
    event_loop_runner()(serve(build(common, own),
                              shutdown_deadline_s=common.shutdown_deadline_s))


def event_loop_runner() -> Any:
    """uvloop where it is installed: the services spend much of their CPU in the event loop
    (a thread hop per SQLite statement, a task per delivery), which it makes cheaper."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run
