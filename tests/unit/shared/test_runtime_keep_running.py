import asyncio

from shared.runtime import _keep_running


class Flaky:
    def __init__(self) -> None:
        self.calls = 0

    async def run(self) -> None:
        self.calls += 1
        if self.calls < 3:
            raise ConnectionError("database shutting down")


async def test_a_failing_background_component_is_started_again():
    worker, stop = Flaky(), asyncio.Event()
    await asyncio.wait_for(_keep_running(worker, stop, first_delay=0.01), timeout=5)
    assert worker.calls == 3


async def test_stopping_ends_the_restarts():
    class AlwaysFails:
        async def run(self) -> None:
            raise RuntimeError("boom")

    stop = asyncio.Event()
    stop.set()
    await asyncio.wait_for(_keep_running(AlwaysFails(), stop), timeout=1)
