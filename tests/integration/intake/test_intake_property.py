"""Property: whatever is thrown at either way in, intake answers, never crashes, and every input
ends accepted, duplicate, pending or rejected with a reason — and the stores agree."""

import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.intake import access
from services.intake.bootstrap import Intake
from services.intake.http import build_http
from services.intake.orm import Case, PendingCommand, RejectedMessage
from services.intake.subscribers import build_router
from shared.confidential import Sealer
from shared.db import create_engine, session_factory
from shared.messaging.guard import ConsumeGuard
from shared.migrations import upgrade
from shared.plan import PlanCatalogue
from shared.testing.factories import feedback_payload
from shared.units import UnitCatalogue

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=5),
    max_leaves=12)
FIELDS = list(feedback_payload().keys())
mutated_feedback = st.builds(
    lambda field, value, seed: {**feedback_payload(seed=seed), field: value},
    st.sampled_from(FIELDS), json_values, st.integers(0, 10**6))
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_feedback.map(lambda v: json.dumps(v, ensure_ascii=False).encode()),
    st.integers(0, 10**6).map(lambda s: json.dumps(feedback_payload(seed=s)).encode()),
)
ROUTING_KEYS = st.sampled_from(["feedback.submit.v1", "feedback.update.v1", "task.progress.v1",
                                "movement.model_review.v1", "report.request.v1", "nonsense"])
PROPERTY = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


class World:
    """intake on a fresh SQLite database, driven from synchronous hypothesis examples."""

    def __init__(self, tmp_path) -> None:
        self.runner = asyncio.Runner()
        url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
        upgrade("intake", url)
        self.intake = self.runner.run(self._build(url))
        self.outcomes: dict[str, int] = {}
        self.sent = 0

    async def _build(self, url: str) -> Intake:
        engine = create_engine(url)
        return Intake(engine=engine, sessions=session_factory(engine),
                      sealer=Sealer(["m0eLvXKRr2C0hVbQkB7v3LZQzI0n8hH1pGfVdFJ7p3Y="]),
                      plan=PlanCatalogue.load(), units=UnitCatalogue.load())

    def record(self, reply: dict) -> None:
        assert reply["status"] in {"accepted", "duplicate", "pending", "rejected"}, reply
        if reply["status"] == "rejected":
            assert reply["reason"] and reply["errors"], reply
            assert all(e["field"] and e["reason"] for e in reply["errors"]), reply
        self.outcomes[reply["status"]] = self.outcomes.get(reply["status"], 0) + 1
        self.sent += 1

    def assert_counts_add_up(self) -> None:
        stored = self.runner.run(self._stored())
        assert self.sent > 0 and sum(self.outcomes.values()) == self.sent
        assert stored["rejected"] == self.outcomes.get("rejected", 0)
        assert stored["pending"] == self.outcomes.get("pending", 0)
        assert stored["cases"] <= self.outcomes.get("accepted", 0)
        print(f"inputs {self.sent}: {self.outcomes}; stored {stored}")

    async def _stored(self) -> dict[str, int]:
        async with self.intake.sessions() as s:
            return {name: await s.scalar(select(func.count()).select_from(table))
                    for name, table in (("cases", Case), ("rejected", RejectedMessage),
                                        ("pending", PendingCommand))}

    def close(self) -> None:
        self.runner.run(self.intake.engine.dispose())
        self.runner.close()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.close()


async def _never_dead_letter(raw, queue, headers) -> None:
    raise AssertionError(f"intake dead-lettered an input instead of answering: {headers}")


def test_amqp_way_in_answers_everything(world):
    broker = RabbitBroker(middlewares=(ConsumeGuard(dead_letter=_never_dead_letter),),
                          logger=None)
    broker.include_router(build_router(world.intake))
    testing = TestRabbitBroker(broker)
    br = world.runner.run(testing.__aenter__())

    @PROPERTY
    @given(body=bodies, routing_key=ROUTING_KEYS)
    def throw(body: bytes, routing_key: str) -> None:
        # The in-memory broker routes by queue name, so the type travels in the AMQP type
        # property, which intake reads first, as any client may set it.
        response = world.runner.run(br.request(body, queue="intake.ingress",
                                               message_type=routing_key,
                                               content_type="application/json"))
        world.record(json.loads(response.body))

    try:
        throw()
    finally:
        world.runner.run(testing.__aexit__(None, None, None))
    world.assert_counts_add_up()


def test_http_way_in_answers_everything(world):
    key, clear = access.new_key("test-portal", {"submit"})
    world.runner.run(_store_key(world.intake, key))
    app = FastAPI()
    app.include_router(build_http(world.intake))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake")

    @PROPERTY
    @given(body=bodies)
    def throw(body: bytes) -> None:
        response = world.runner.run(client.post("/v1/feedback", content=body, headers={
            "X-API-Key": clear, "Content-Type": "application/json"}))
        if response.status_code == 403:  # sent in another system's name: refused at the door
            return
        assert response.status_code in {200, 201, 202, 422}, response.text
        world.record(response.json())

    try:
        throw()
    finally:
        world.runner.run(client.aclose())
    world.assert_counts_add_up()


async def _store_key(intake: Intake, key) -> None:
    async with intake.uow() as work:
        work.access.add(key)
        await work.commit()
