"""When the dispatcher ticks: at the poll, or soon after a commit woke it, gathering a stream of
wakes into one tick."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from services.notify.dispatcher import Dispatcher


def idle_dispatcher(*, poll: float, min_gap: float) -> tuple[Dispatcher, list[float]]:
    dispatcher = Dispatcher(uow=None, skip_locked=False, composer=None, transports={},
                            policy=None, calendar=None, units=None, worker_id="test",
                            clock=lambda: datetime.now(UTC), poll_seconds=poll,
                            min_gap_seconds=min_gap)
    ticks: list[float] = []

    async def tick() -> int:
        ticks.append(time.monotonic())
        return 0  # nothing due: the dispatcher sleeps until the poll or a wake

    dispatcher.tick = tick  # type: ignore[method-assign]
    return dispatcher, ticks


async def test_a_wake_makes_the_dispatcher_tick_after_the_gap_not_at_the_poll() -> None:
    dispatcher, ticks = idle_dispatcher(poll=30.0, min_gap=0.1)
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.05)
    woken_at = time.monotonic()
    dispatcher.wake()
    await asyncio.sleep(0.5)
    dispatcher.stop()
    await asyncio.wait_for(running, 5)

    assert len(ticks) >= 2
    assert 0.1 <= ticks[1] - woken_at < 5.0


async def test_wakes_in_quick_succession_make_one_tick() -> None:
    dispatcher, ticks = idle_dispatcher(poll=30.0, min_gap=0.3)
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.05)
    for _ in range(20):
        dispatcher.wake()
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)
    ticks_after_wakes = len(ticks) - 1
    dispatcher.stop()
    await asyncio.wait_for(running, 5)

    assert ticks_after_wakes == 1


async def test_without_a_wake_the_dispatcher_waits_for_the_poll() -> None:
    dispatcher, ticks = idle_dispatcher(poll=30.0, min_gap=0.01)
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.3)
    dispatcher.stop()
    await asyncio.wait_for(running, 5)

    assert len(ticks) == 1
