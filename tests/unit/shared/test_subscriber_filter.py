"""The subscriber filter picks the handler by event type, on the event loop (FastStream runs a
plain function filter in a thread pool: a thread hop per handler tried, per message)."""

import inspect
import json
from types import SimpleNamespace

from faststream._internal.utils.functions import to_async

from shared.messaging.broker import of_type


def _message(declared: str | None, body: dict) -> SimpleNamespace:
    return SimpleNamespace(raw_message=SimpleNamespace(type=declared),
                           body=json.dumps(body).encode())


async def test_the_type_property_decides_and_the_envelope_stands_in_for_it():
    wanted = of_type("case.assigned.v1")
    assert await wanted(_message("case.assigned.v1", {"type": "other"}))
    assert not await wanted(_message("feedback.received.v1", {"type": "case.assigned.v1"}))
    assert await wanted(_message(None, {"type": "case.assigned.v1"}))
    assert not await wanted(_message("", {"no": "type"}))
    assert not await wanted(SimpleNamespace(raw_message=SimpleNamespace(type=None), body=b"{"))


def test_faststream_calls_it_as_it_is_not_in_a_thread_pool():
    wanted = of_type("case.assigned.v1")
    assert inspect.iscoroutinefunction(wanted)
    assert to_async(wanted) is wanted
