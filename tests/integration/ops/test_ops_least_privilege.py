"""The users of deploy/rabbitmq/definitions.json, for real: created with their permissions in a
fresh vhost, the topology and policies loaded from the definitions file (both through the
management API, much faster than rabbitmqctl), then what each user may and may not do."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import aio_pika
import aiormq
import httpx
import pytest

from services.intake.app import build as build_intake
from services.notify.app import build as build_notify
from services.reporting.app import build as build_reporting
from services.routing.app import build as build_routing
from shared.client import publish_and_wait
from shared.messaging.definitions import DEFINITIONS_PATH, users
from shared.migrations import upgrade
from shared.runtime import serve
from shared.settings import CommonSettings, ServiceSettings
from shared.testing.factories import feedback_body
from shared.testing.inprocess import eventually, wait_ready
from shared.testing.system import free_port

pytestmark = pytest.mark.broker
BUILDERS = {"intake": build_intake, "routing": build_routing, "notify": build_notify,
            "reporting": build_reporting}


MANAGEMENT = "http://127.0.0.1:15672/api"


def _api(method: str, path: str, body: object) -> None:
    response = httpx.request(method, f"{MANAGEMENT}{path}", json=body, auth=("guest", "guest"),
                             timeout=30)
    assert response.status_code in (200, 201, 204), response.text


@pytest.fixture
def accounts(amqp_url: str, management_api: str) -> Iterator[dict[str, str]]:
    """Every user of the definitions, in the test vhost (names suffixed: users are global)."""
    vhost = quote(unquote(urlsplit(amqp_url).path[1:]), safe="")
    suffix = uuid.uuid4().hex[:6]
    urls = {}
    for user in users():
        name = f"{user.name}-{suffix}"
        _api("PUT", f"/users/{name}", {"password": user.development_password,
                                        "tags": ",".join(user.tags)})
        _api("PUT", f"/permissions/{vhost}/{name}", {
            "configure": user.configure, "write": user.write, "read": user.read})
        urls[user.name] = f"amqp://{name}:{user.development_password}@127.0.0.1:5672/{vhost}"
    _api("POST", f"/definitions/{vhost}", _vhost_scoped_definitions())
    yield urls
    for user in users():
        httpx.delete(f"{MANAGEMENT}/users/{user.name}-{suffix}", auth=("guest", "guest"))


def _vhost_scoped_definitions() -> dict:
    """The file's exchanges, queues, bindings and policies, to import into the test vhost."""
    shipped = json.loads(DEFINITIONS_PATH.read_text(encoding="utf-8"))
    return {key: shipped[key] for key in ("exchanges", "queues", "bindings", "policies")}


async def _attempt(url: str, action) -> str:
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        await action(channel)
        return "allowed"
    except aiormq.exceptions.ChannelAccessRefused:
        return "refused"
    finally:
        await connection.close()


def _read(queue: str):
    async def action(channel):
        declared = await channel.declare_queue(queue, passive=True)
        await declared.get(no_ack=False, fail=False)
    return action


def _publish(exchange: str):
    async def action(channel):
        target = await channel.get_exchange(exchange, ensure=True)
        await target.publish(aio_pika.Message(b"{}"), routing_key="probe.v1")
    return action


def _declare(queue: str):
    async def action(channel):
        await channel.declare_queue(queue, durable=True)
    return action


async def test_routing_user_is_refused_intakes_queue_and_the_ingress_exchange(accounts):
    routing = accounts["dvk-routing"]
    assert await _attempt(routing, _read("intake.ingress")) == "refused"
    assert await _attempt(routing, _publish("dvk.ingress")) == "refused"
    assert await _attempt(routing, _declare("routing.mine")) == "refused"
    assert await _attempt(routing, _read("reporting.events")) == "refused"
    assert await _attempt(routing, _read("routing.cases")) == "allowed"
    assert await _attempt(routing, _publish("dvk.events")) == "allowed"
    assert await _attempt(routing, _publish("dvk.dlx")) == "allowed"
    assert await _attempt(accounts["dvk-ops"], _read("routing.cases.dlq")) == "allowed"
    assert await _attempt(accounts["dvk-ops"], _read("routing.cases")) == "refused"
    assert await _attempt(accounts["dvk-monitoring"], _publish("dvk.events")) == "refused"


@asynccontextmanager
async def _services_as_their_users(accounts: dict[str, str], data_dir: Path
                                   ) -> AsyncIterator[dict]:
    parts = {}
    for name, build in BUILDERS.items():
        common = CommonSettings(amqp_url=accounts[f"dvk-{name}"], data_dir=data_dir,
                                declare_topology=False)
        own = ServiceSettings(database_url=f"sqlite+aiosqlite:///{data_dir / name}.db",
                              http_port=free_port(), amqp_url=accounts[f"dvk-{name}"])
        await asyncio.to_thread(upgrade, name, own.database_url)
        parts[name] = build(common, own)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(serve(p, stop)) for p in parts.values()]
    try:
        for p in parts.values():
            await wait_ready(p)
        yield parts
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_the_four_services_run_with_their_own_users(accounts, tmp_path):
    async with _services_as_their_users(accounts, tmp_path) as parts:
        reply = await publish_and_wait(feedback_body(kind="kien_nghi"),
                                       routing_key="feedback.submit.v1", timeout=30,
                                       amqp_url=accounts["dvk-submitter"])
        assert reply["status"] == "accepted", reply
        case = await eventually(lambda: _case(parts["reporting"], reply["ref"]), timeout=30)
    assert case["unit_code"]


async def _case(reporting, ref: str):
    url = f"http://{reporting.http_host}:{reporting.http_port}/v1/cases/{ref}"
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    body = response.json() if response.status_code == 200 else None
    return body if body and body.get("unit_code") else None
